"""Which week of a run of several weeks each movable task goes to. Pure Python + CP-SAT, no Django.

A run that plans several weeks at once (scheduler.planning.weeks) first decides, for every task due
"every N days" whose deadline falls in a later week of the run, whether it stays in the week of its
deadline (the last moment) or moves to an earlier week of the run it may go to. The caller gives per
*pool* (a site and staff type) and week the minutes already asked for and the minutes contracted, and
per movable task its minutes, its pools and the weeks it may go to (the last one is its deadline week).

Model: one Boolean per (task, allowed week), exactly one per task. Per pool and week the load is the
fixed minutes plus the chosen tasks'; minimised, in this order of weight:

* minutes over the contracted minutes (×1000 per minute, summed over pools and weeks);
* minutes above the pool's even share of the week (×10): the pool's whole load over the run, spread
  over the weeks in proportion to their contracted minutes — a task leaves a week busier than that for
  one less busy, and is not moved into a week that is already busier than that;
* each pool's highest load less contracted minutes over the weeks (×1, the tightest week as loose as
  it can be);
* a small cost for the last moment (2) and for each week earlier than the one before it (1), so among
  weeks that are equally free the task goes to the week before its deadline week.

Solved on one worker with a fixed seed and CP-SAT's deterministic time limit: the same input gives the
same choice.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ortools.sat.python import cp_model

OVER = 1000
ABOVE = 10
LAST_MOMENT = 2


@dataclass(frozen=True, slots=True)
class Movable:
    id: int
    minutes: int
    pools: tuple[str, ...]
    weeks: tuple[int, ...]  # allowed week indexes, ascending; the last is the week of the deadline


@dataclass(frozen=True, slots=True)
class SpreadRequest:
    weeks: int
    load: dict[str, tuple[int, ...]]  # pool -> fixed minutes per week
    capacity: dict[str, tuple[int, ...]]  # pool -> contracted minutes per week
    tasks: tuple[Movable, ...]
    time_limit: float = 5.0  # CP-SAT's deterministic time (about seconds on one core)


@dataclass(slots=True)
class SpreadResult:
    week_of: dict[int, int] = field(default_factory=dict)  # task id -> chosen week
    status: str = ""
    load: dict[str, list[int]] = field(default_factory=dict)  # pool -> minutes per week after the choice


def spread(request: SpreadRequest) -> SpreadResult:
    result = SpreadResult()
    pools = sorted(set(request.load) | set(request.capacity) | {p for t in request.tasks for p in t.pools})
    fixed = {p: list(request.load.get(p, (0,) * request.weeks)) for p in pools}
    for t in request.tasks:
        if len(t.weeks) == 1:
            result.week_of[t.id] = t.weeks[0]
            for p in t.pools:
                fixed[p][t.weeks[0]] += t.minutes
    movable = [t for t in request.tasks if len(t.weeks) > 1]
    result.status = "optimal"
    if movable:
        result.status, chosen = _solve(request, pools, fixed, movable)
        result.week_of.update(chosen)
    result.load = {p: list(fixed[p]) for p in pools}
    for t in movable:
        for p in t.pools:
            result.load[p][result.week_of[t.id]] += t.minutes
    return result


def _solve(
    request: SpreadRequest, pools: list[str], fixed: dict[str, list[int]], movable: list[Movable],
) -> tuple[str, dict[int, int]]:
    # Tasks alike (minutes, pools, allowed weeks) are one group with a count per week: no symmetric
    # copies for the search to wade through, so the model is solved to optimality at once.
    groups: dict[tuple[int, tuple[str, ...], tuple[int, ...]], list[Movable]] = {}
    for t in movable:
        groups.setdefault((t.minutes, t.pools, t.weeks), []).append(t)
    keys = list(groups)
    m = cp_model.CpModel()
    n = {(g, w): m.new_int_var(0, len(groups[key]), f"n{g}_{w}") for g, key in enumerate(keys) for w in key[2]}
    for g, key in enumerate(keys):
        m.add(sum(n[g, w] for w in key[2]) == len(groups[key]))
    total = sum(sum(v) for v in fixed.values()) + sum(t.minutes for t in movable)
    big = total + sum(sum(v) for v in request.capacity.values()) + 1
    over_terms, above_terms, peak_terms = [], [], []
    for p in pools:
        cap = request.capacity.get(p, (0,) * request.weeks)
        # The pool's even share: its whole load (the same whatever is chosen) over its whole capacity.
        whole = sum(fixed[p]) + sum(t.minutes for t in movable if p in t.pools)
        capacity = sum(cap)
        peak = m.new_int_var(-big, big, f"peak_{p}")
        peak_terms.append(peak)
        for w in range(request.weeks):
            load = fixed[p][w] + sum(key[0] * n[g, w] for g, key in enumerate(keys) if p in key[1] and w in key[2])
            over = m.new_int_var(0, big, f"over_{p}_{w}")
            m.add(over >= load - cap[w])
            m.add(peak >= load - cap[w])
            over_terms.append(over)
            if capacity:
                above = m.new_int_var(0, big, f"above_{p}_{w}")
                m.add(above >= load - whole * cap[w] // capacity)
                above_terms.append(above)
    timing = [
        (LAST_MOMENT if w == key[2][-1] else key[2][-1] - 1 - w) * n[g, w]
        for g, key in enumerate(keys) for w in key[2] if w == key[2][-1] or w < key[2][-1] - 1
    ]
    m.minimize(OVER * sum(over_terms) + ABOVE * sum(above_terms) + sum(peak_terms) + sum(timing))
    solver = cp_model.CpSolver()
    # Deterministic: the same input gives the same choice under any load (the wall clock only as a net).
    solver.parameters.max_deterministic_time = request.time_limit
    solver.parameters.max_time_in_seconds = 4 * request.time_limit
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = 0
    status = solver.solve(m)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        # No answer in time: every task at the last moment, as without a run of several weeks.
        return solver.status_name(status).lower(), {t.id: t.weeks[-1] for t in movable}
    chosen: dict[int, int] = {}
    for g, key in enumerate(keys):
        # The group's tasks in the order given (the caller's: by deadline week, then as read) fill the
        # weeks from the earliest.
        weeks = [w for w in key[2] for _ in range(solver.value(n[g, w]))]
        for t, w in zip(groups[key], weeks, strict=True):
            chosen[t.id] = w
    return solver.status_name(status).lower(), chosen
