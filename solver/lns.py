"""Large-neighbourhood search around an incumbent plan: small CP-SAT models with most tasks fixed.

Why: with all day rules a whole week is a model CP-SAT spends most of its budget presolving (tens
of seconds for the generated M, minutes for the L parts; docs/benchmarks.md), so the greedy plan
is barely improved. Here each step frees the tasks of a few consultants (all their days) or of
one site-day, keeps every other task exactly where the incumbent has it, and lets CP-SAT re-plan
the freed ones from the incumbent as a complete hint. Such a model presolves in well under a
second; its objective is the whole week's (fixed tasks are variables forced to their place, tasks
left out are constants), so every step's answer is a complete plan that is never worse.

The neighbourhood grows after a step proved its part optimal quickly and shrinks after a step ran
out of time, so the steps stay short on any instance size. Deterministic for a fixed seed and a
single CP-SAT worker (the neighbourhoods come from `random.Random(seed)`).
"""

from __future__ import annotations

import random
import threading
import time
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from solver.breaks import breaks_of
from solver.candidates import CandidateSet
from solver.model import build_model

START_CANDIDATES = 2_500  # free candidates in the first neighbourhood
MIN_CANDIDATES = 500
MAX_CANDIDATES = 40_000
STEP_SECONDS = 4.0  # longest single step
# Stop after this many steps in a row that were each proven optimal and none improved the plan:
# the neighbourhoods have stopped finding anything (the coordinator gets the plan sooner).
STALL_STEPS = 12
# Parts with day rules and at least this many candidates are searched by neighbourhoods only when
# SolverParams.lns_share is None: CP-SAT spends most of the budget presolving them as one model
# (docs/benchmarks.md, "Neighbourhood search"); smaller parts are proven optimal as one model.
AUTO_MIN_CANDIDATES = 15_000


def auto_share(cs: CandidateSet) -> float:
    """The share of the search time for neighbourhoods when the caller did not choose one."""
    day_rules = cs.index.travel_on or breaks_of(cs) is not None
    return 1.0 if day_rules and len(cs.candidates) >= AUTO_MIN_CANDIDATES else 0.0


@dataclass(slots=True)
class LnsStats:
    steps: int = 0
    improved: int = 0
    optimal_steps: int = 0
    seconds: float = 0.0
    proven: bool = False  # a step freed every task with candidates and proved its plan optimal, or met the bound
    stalled: int = 0  # steps in a row proven optimal without improving
    history: list[tuple[float, int]] = field(default_factory=list)  # (seconds, objective) per improvement

    def as_dict(self) -> dict[str, object]:
        return {
            "lns_steps": self.steps,
            "lns_improved": self.improved,
            "lns_optimal_steps": self.optimal_steps,
            "lns_proven": self.proven,
            "lns_seconds": round(self.seconds, 2),
        }


@dataclass(slots=True)
class _Index:
    """Which tasks each consultant and each site-day touch, in the incumbent or as a candidate."""

    by_consultant: dict[int, set[int]]  # consultant -> task indices (placed with them, or could be)
    by_site_day: dict[tuple[int, int], set[int]]
    by_citizen: dict[int, set[int]]  # citizen -> placed task indices
    unplaced: list[int]  # tasks with candidates that the incumbent leaves unplaced
    site_of: dict[int, int]  # consultant -> home site
    size: list[int]  # candidates per task
    chosen: dict[int, int]  # the incumbent: task index -> candidate index


def _index(cs: CandidateSet, chosen: dict[int, int]) -> _Index:
    problem = cs.problem
    by_consultant: dict[int, set[int]] = {}
    by_site_day: dict[tuple[int, int], set[int]] = {}
    by_citizen: dict[int, set[int]] = {}
    for ti in chosen:
        for zid in problem.tasks[ti].citizen_ids:
            by_citizen.setdefault(zid, set()).add(ti)
    for ti, cands in enumerate(cs.by_task):
        if ti in chosen:
            # A placed task belongs to the consultants and the site-day it is placed with.
            picked = [cs.candidates[chosen[ti]]]
        else:
            picked = [cs.candidates[i] for i in cands]
        for cand in picked:
            for kid in cand.consultant_ids:
                by_consultant.setdefault(kid, set()).add(ti)
            if cand.site_id is not None:
                by_site_day.setdefault((cand.site_id, problem.day_of(cand.start)), set()).add(ti)
    return _Index(
        by_consultant,
        by_site_day,
        by_citizen,
        [ti for ti, cands in enumerate(cs.by_task) if cands and ti not in chosen],
        {c.id: c.home_site_id for c in problem.consultants},
        [len(c) for c in cs.by_task],
        chosen,
    )


def _fill(ix: _Index, groups: list[set[int]], target: int, free: set[int] | None = None) -> set[int]:
    """`free` (default empty) plus whole groups of tasks, in order, while the candidates of the
    freed tasks stay within `target` (the first group always goes in)."""
    free = set(free or ())
    for group in groups:
        more = group - free
        if free and sum(ix.size[t] for t in free) + sum(ix.size[t] for t in more) > target:
            break
        free |= more
    return free


def _consultant_neighbourhood(_cs: CandidateSet, ix: _Index, rng: random.Random, target: int) -> set[int]:
    """The tasks of a random consultant and of colleagues from the same home site, up to `target` candidates."""
    kids = sorted(ix.by_consultant)
    if not kids:
        return set()
    seed = rng.choice(kids)
    colleagues = [k for k in kids if k != seed and ix.site_of.get(k) == ix.site_of.get(seed)]
    others = [k for k in kids if k != seed and ix.site_of.get(k) != ix.site_of.get(seed)]
    rng.shuffle(colleagues)
    rng.shuffle(others)
    return _fill(ix, [ix.by_consultant[kid] for kid in [seed, *colleagues, *others]], target)


def _site_day_neighbourhood(_cs: CandidateSet, ix: _Index, rng: random.Random, target: int) -> set[int]:
    """The tasks of one or more random site-days, up to `target` candidates."""
    keys = sorted(ix.by_site_day)
    rng.shuffle(keys)
    return _fill(ix, [ix.by_site_day[key] for key in keys], target)


def _unplaced_neighbourhood(cs: CandidateSet, ix: _Index, rng: random.Random, target: int) -> set[int]:
    """A random unplaced task with everything in its way: the tasks of its citizens and of the
    consultants who could take it (the nearest first), up to `target` candidates."""
    if not ix.unplaced:
        return set()
    ti = rng.choice(ix.unplaced)
    free = {ti}
    for zid in cs.problem.tasks[ti].citizen_ids:
        free |= ix.by_citizen.get(zid, set())
    kids = sorted({kid for i in cs.by_task[ti] for kid in cs.candidates[i].consultant_ids})
    rng.shuffle(kids)
    return _fill(ix, [ix.by_consultant.get(kid, set()) for kid in kids], target, free)


def _balance_neighbourhood(cs: CandidateSet, ix: _Index, rng: random.Random, target: int) -> set[int]:
    """For load balance: the most loaded consultant of a random staff type (relative to the contract)
    with the least loaded ones of that type, who could take over some of the work."""
    problem = cs.problem
    types = sorted({st for c in problem.consultants for st in c.staff_types})
    if not types:
        return set()
    st = rng.choice(types)
    peers = [c for c in problem.consultants if st in c.staff_types and c.id in ix.by_consultant]
    load: dict[int, int] = {}
    for i in ix.chosen.values():
        for kid, minutes in cs.candidates[i].load:
            load[kid] = load.get(kid, 0) + minutes
    peers.sort(key=lambda c: (-load.get(c.id, 0) / max(1, c.contracted_minutes_per_week), c.id))
    return _fill(ix, [ix.by_consultant[c.id] for c in [*peers[:1], *reversed(peers[1:])]], target)


KINDS = (_consultant_neighbourhood, _unplaced_neighbourhood, _site_day_neighbourhood, _balance_neighbourhood)


def _sub_set(cs: CandidateSet, chosen: dict[int, int], free: set[int]) -> tuple[CandidateSet, list[int], set[int]]:
    """The candidate set of one step: every candidate of a free task, the incumbent's candidate of a
    fixed placed task, nothing for a fixed unplaced one. Returns it with the map back to `cs` and the
    sub-indices of the fixed candidates."""
    candidates, by_task, back, fixed = [], [], [], set()
    for ti, cands in enumerate(cs.by_task):
        keep = cands if ti in free else ([chosen[ti]] if ti in chosen else [])
        row = []
        for i in keep:
            row.append(len(candidates))
            if ti not in free:
                fixed.add(len(candidates))
            candidates.append(cs.candidates[i])
            back.append(i)
        by_task.append(row)
    sub = CandidateSet(
        problem=cs.problem, index=cs.index, candidates=candidates, by_task=by_task, reasons=cs.reasons,
        causes=cs.causes, room_classes=cs.room_classes, class_of_room=cs.class_of_room,
        breaks=cs.breaks, contract_only=cs.contract_only,
    )
    return sub, back, fixed


def _step(
    cs: CandidateSet, chosen: dict[int, int], free: set[int], num_workers: int, seed: int, limit: float
) -> tuple[int, float, dict[int, int] | None, float]:
    """One neighbourhood solved: (CP-SAT status, objective, the plan as task -> candidate or None when
    none was found, seconds)."""
    sub, back, fixed = _sub_set(cs, chosen, free)
    pm = build_model(sub, [j for j, i in enumerate(back) if chosen.get(cs.candidates[i].task_index) == i])
    for j in fixed:
        pm.model.add(pm.x[j] == 1)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = num_workers
    solver.parameters.random_seed = seed
    solver.parameters.max_time_in_seconds = limit
    t = time.perf_counter()
    status = solver.solve(pm.model)
    took = time.perf_counter() - t
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return status, 0.0, None, took
    new = {sub.candidates[j].task_index: back[j] for j, var in enumerate(pm.x) if solver.boolean_value(var)}
    return status, solver.objective_value, new, took


def improve(
    cs: CandidateSet,
    incumbent: list[int],
    deadline: float,
    *,
    num_workers: int,
    seed: int,
    stop: threading.Event | None = None,
    on_improve: object | None = None,
    bound: int | None = None,
) -> tuple[list[int], LnsStats]:
    """Improve `incumbent` (chosen candidate indices of `cs`) until `deadline` (time.perf_counter()).
    `on_improve(chosen, objective)` is called after every better plan; True from it stops. A plan
    that meets `bound` (a lower bound on the objective) ends the search: it is optimal."""
    t0 = time.perf_counter()
    stats = LnsStats()
    breaks_of(cs)  # built once from the whole candidate set and shared by every step
    chosen = {cs.candidates[i].task_index: i for i in incumbent}
    best: float | None = None
    rng = random.Random(seed)
    target = START_CANDIDATES
    while not (stop is not None and stop.is_set()):
        left = deadline - time.perf_counter()
        if left < 0.5:
            break
        ix = _index(cs, chosen)
        free: set[int] = set()
        for k in range(len(KINDS)):  # the next kind in turn that finds something to free
            free = KINDS[(stats.steps + k) % len(KINDS)](cs, ix, rng, target)
            if free:
                break
        if not free:
            break
        limit = min(STEP_SECONDS, max(0.2, deadline - time.perf_counter()))
        status, objective, new, took = _step(cs, chosen, free, num_workers, seed + stats.steps, limit)
        stats.steps += 1
        if status == cp_model.OPTIMAL:
            stats.optimal_steps += 1
            stats.stalled += 1
            if took < limit / 3:
                target = min(MAX_CANDIDATES, int(target * 1.3))
        else:
            stats.stalled = 0
            target = max(MIN_CANDIDATES, int(target * 0.7))
        if new is None:
            continue
        # Every task with candidates was free: the answer is the whole week's optimum.
        stats.proven = status == cp_model.OPTIMAL and len(free) == sum(1 for c in cs.by_task if c)
        stats.proven |= bound is not None and round(objective) <= bound
        better = best is None or objective < best - 0.5
        best = objective if best is None else min(best, objective)
        if better and new != chosen:
            chosen = new
            stats.stalled = 0
            stats.improved += 1
            stats.history.append((time.perf_counter() - t0, round(objective)))
            if on_improve is not None and on_improve(sorted(chosen.values()), round(objective)) is True:
                break
        if stats.proven or stats.stalled >= STALL_STEPS:
            break
    stats.seconds = time.perf_counter() - t0
    return sorted(chosen.values()), stats
