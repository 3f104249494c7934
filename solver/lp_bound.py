"""Lower bounds from the linear relaxation of the week, solved with GLOP (OR-Tools' LP solver).

`solver.bounds.combinatorial_bound` adds up per-task minima and corrects them with a few
arguments about one resource at a time (a citizen's trips, a set of consultants' minutes, a pair
of clashing sessions). The linear relaxation weighs all of them at once: a task that is cheap
alone but needs a busy consultant, a citizen whose tasks can share one trip day, the load the
other tasks push onto the same consultants. On the generated weeks it is the stronger of the two
(M with day rules: 90,655 against 89,468 for a best plan of 90,800), and the solver reports the
larger of both.

The LP (every variable in [0, 1] unless said otherwise; minimise):

* per placeable task: `sum(placements) + unplaced = 1`, priced by the placement's cost and the
  task's unplaced cost; tasks without any placement add their unplaced cost as a constant;
* per citizen: at most one appointment per slot, at most `max_minutes_per_day` per day (and of
  each minimal set of tasks that together exceed it, all but one at most on that day: `_covers`),
  and a trip variable per day that is not a busy day, at least each task's placements on that day;
* two tasks that can never both be placed (`bounds._conflicting_pairs`): their placements sum to
  at most 1;
* per consultant: minutes (incl. travel) within the contract or the free working time, whichever
  is less (`bounds._capacities`), and per (consultant group, staff type) a variable at least
  every member's relative load, as in `objective.load_balance_cost`;
* for the candidate set only: at most one appointment per consultant and slot (`busy`).

Every plan made of the candidates (resp. every plan `verify()` accepts, for the real-problem
form in `real_lp_bound`) is a 0/1 point of this LP with the same objective, so the LP's optimum
is a lower bound. The day rules (lunch, runs, trips in the day) are left out, which only weakens
it. Every plan's objective is an integer, so the bound is the LP optimum rounded up, after taking
off a millionth of it for GLOP's floating-point tolerances (a plan that meets it is optimal).
`None` when GLOP did not reach the optimum in its time.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ortools.linear_solver import pywraplp

from solver.bounds import _capacities, _conflicting_pairs
from solver.candidates import CandidateSet
from solver.lookup import Index
from solver.objective import balance_key, unplaced_cost
from solver.problem import Problem

# A column that places a task: (LP variable, start slot).
StartColumn = tuple[pywraplp.Variable, int]
# A column that loads a consultant: (LP variable, consultant id, minutes incl. travel).
LoadColumn = tuple[pywraplp.Variable, int, int]


class _Lp:
    """A GLOP model with its objective constant; rows are added from summed coefficient maps
    (pywraplp's SetCoefficient overwrites, so a variable twice in a row must be merged first)."""

    def __init__(self, time_limit: float) -> None:
        solver = pywraplp.Solver.CreateSolver("GLOP")
        assert solver is not None, "OR-Tools without GLOP"
        solver.SetTimeLimit(max(1, int(time_limit * 1000)))
        self.solver = solver
        self.inf = solver.infinity()
        self.objective = solver.Objective()
        self.constant = 0

    def var(self, cost: float, upper: float = 1.0) -> pywraplp.Variable:
        v = self.solver.NumVar(0.0, upper, "")
        if cost:
            self.objective.SetCoefficient(v, cost)
        return v

    def row(self, lower: float, upper: float, terms: Iterable[tuple[pywraplp.Variable, float]]) -> None:
        merged: dict[int, tuple[pywraplp.Variable, float]] = {}
        for v, a in terms:
            old = merged.get(v.index())
            merged[v.index()] = (v, a + (old[1] if old else 0.0))
        r = self.solver.Constraint(lower, upper)
        for v, a in merged.values():
            r.SetCoefficient(v, a)

    def solve(self) -> int | None:
        self.objective.SetMinimization()
        if self.solver.Solve() != pywraplp.Solver.OPTIMAL:
            return None
        value = self.objective.Value() + self.constant
        # Every plan's objective is an integer: round up, after a millionth for GLOP's tolerances.
        return math.ceil(value - 1e-6 * max(1.0, abs(value)))


@dataclass(frozen=True, slots=True)
class RelaxedOption:
    """One consultant who can meet a staff requirement of a task (solver.relaxed)."""

    consultant_id: int
    minutes: int  # counted against load balance and capacity
    starts: int  # bit mask of the starts at which they are free for it
    caseload: int  # caseload cost of this consultant for this task
    pref_ok: int  # bit mask of starts inside their preferred time


@dataclass(slots=True)
class Relaxed:
    """One task of the real-problem relaxation (solver.relaxed): what a placement at each possible
    start costs before the consultants are chosen, and who can meet each staff requirement."""

    own_at: dict[int, int]  # start -> the start's own terms (citizen days, gaps, moved) at least
    requirements: list[list[RelaxedOption]]
    preferred: frozenset[int]  # the task's preferred (contact) consultants


def candidate_lp_bound(cs: CandidateSet, time_limit: float = 30.0) -> int | None:
    """A lower bound on `objective.evaluate()` of every plan made of `cs`'s candidates."""
    lp = _Lp(time_limit)
    columns = [lp.var(c.cost) for c in cs.candidates]
    placements = [[(columns[i], cs.candidates[i].start) for i in found] for found in cs.by_task]
    _tasks(lp, cs, placements)
    loads = [(columns[i], kid, minutes) for i, c in enumerate(cs.candidates) for kid, minutes in c.load]
    _consultants(lp, cs, loads)
    # One appointment per consultant and slot (travel included); rows that only one task's
    # candidates touch follow from that task's own row.
    cover: dict[tuple[int, int], list[int]] = {}
    for i, c in enumerate(cs.candidates):
        for kid, first, end in c.busy:
            for slot in range(first, end):
                cover.setdefault((kid, slot), []).append(i)
    for found in cover.values():
        if len({cs.candidates[i].task_index for i in found}) > 1:
            lp.row(-lp.inf, 1, ((columns[i], 1.0) for i in found))
    return lp.solve()


def real_lp_bound(cs: CandidateSet, relaxed: Sequence[Relaxed | None], time_limit: float = 30.0) -> int | None:
    """A lower bound on `objective.evaluate()` of every plan `verify()` accepts. `cs` holds the
    pseudo-candidates of `solver.relaxed` (for the clashing pairs and capacities), `relaxed` each
    task's starts and consultants (None: no plan can place it).

    Per task a column per start, priced by the start's own terms (citizen days, gaps, moved); per
    staff requirement a column per eligible consultant, priced by their own terms (caseload, and
    preferred time unless some start they can take lies inside it), the columns of a requirement
    summing to the task's placement and each at most the placement at starts where that consultant
    is free; for a task with preferred consultants a "no contact consultant" column at least the
    placement less the preferred consultants' columns. Consultant-dependent costs sit on the
    consultants' columns: priced on the start (the least over consultants), the LP could take the
    cheap consultant's price and give the load to another (on generated S that cost 13 % of the
    bound). Columns per (start, consultant) and one appointment per consultant and slot gave the
    same bound on generated S and M at 8 times the time, so the compact form is used."""
    lp = _Lp(time_limit)
    weights = cs.problem.weights
    placements: list[list[StartColumn]] = []
    loads: list[LoadColumn] = []
    for rel in relaxed:
        if rel is None:
            placements.append([])
            continue
        starts = [(lp.var(cost), s) for s, cost in sorted(rel.own_at.items())]
        placements.append(starts)
        everywhere = sum(1 << s for _, s in starts)
        preferred: list[tuple[pywraplp.Variable, float]] = []
        for options in rel.requirements:
            here = []
            for o in options:
                w = lp.var(o.caseload + (0 if o.pref_ok & o.starts else weights.preference))
                here.append((w, 1.0))
                loads.append((w, o.consultant_id, o.minutes))
                if o.consultant_id in rel.preferred:
                    preferred.append((w, 1.0))
                if everywhere & ~o.starts:
                    lp.row(0, lp.inf, [(w, -1.0), *((v, 1.0) for v, s in starts if o.starts >> s & 1)])
            lp.row(0, 0, [*here, *((v, -1.0) for v, _ in starts)])
        if rel.preferred:
            no_contact = lp.var(weights.not_contact_consultant)
            lp.row(0, lp.inf, [(no_contact, 1.0), *preferred, *((v, -1.0) for v, _ in starts)])
    _tasks(lp, cs, placements)
    _consultants(lp, cs, loads)
    return lp.solve()


def _tasks(lp: _Lp, cs: CandidateSet, placements: list[list[StartColumn]]) -> None:
    """Task rows, citizens' slots, days and trips, and clashing pairs (module doc)."""
    problem, idx = cs.problem, cs.index
    for ti, task in enumerate(problem.tasks):
        if not placements[ti]:
            lp.constant += unplaced_cost(idx, task)
            continue
        unplaced = lp.var(unplaced_cost(idx, task))
        lp.row(1, 1, [(unplaced, 1.0), *((v, 1.0) for v, _ in placements[ti])])
    _citizens(lp, problem, idx, placements)
    placeable = [ti for ti, found in enumerate(placements) if found]
    for a, b in _conflicting_pairs(cs, placeable):
        lp.row(-lp.inf, 1, ((v, 1.0) for v, _ in placements[a] + placements[b]))


def _citizens(lp: _Lp, problem: Problem, idx: Index, placements: list[list[StartColumn]]) -> None:
    slots: dict[tuple[int, int], list[tuple[int, pywraplp.Variable]]] = {}
    # (citizen, day) with a daily maximum -> task -> its placements that day
    minutes: dict[tuple[int, int], dict[int, list[pywraplp.Variable]]] = {}
    trips: dict[tuple[int, int], pywraplp.Variable] = {}
    weight = problem.weights.citizen_trip
    for ti, task in enumerate(problem.tasks):
        trip = weight and idx.citizen_trip(task)
        for zid in task.citizen_ids:
            z = idx.citizens[zid]
            on_day: dict[int, list[pywraplp.Variable]] = {}
            for v, s in placements[ti]:
                day = problem.day_of(s)
                for slot in range(s, s + task.duration_slots):
                    slots.setdefault((zid, slot), []).append((ti, v))
                if z.max_minutes_per_day is not None:
                    minutes.setdefault((zid, day), {}).setdefault(ti, []).append(v)
                if trip and day not in z.busy_days:
                    on_day.setdefault(day, []).append(v)
            for day, found in on_day.items():
                y = trips.get((zid, day))
                if y is None:
                    y = trips[(zid, day)] = lp.var(weight)
                lp.row(0, lp.inf, [(y, 1.0), *((v, -1.0) for v in found)])
    for found in slots.values():
        if len({ti for ti, _ in found}) > 1:
            lp.row(-lp.inf, 1, ((v, 1.0) for _, v in found))
    for (zid, _day), by_task in minutes.items():
        limit = idx.citizens[zid].max_minutes_per_day
        assert limit is not None
        length = {ti: problem.tasks[ti].duration_slots * problem.slot_minutes for ti in by_task}
        lp.row(-lp.inf, limit, ((v, float(length[ti])) for ti, found in by_task.items() for v in found))
        for cover in _covers(length, limit):
            lp.row(-lp.inf, len(cover) - 1, ((v, 1.0) for ti in cover for v in by_task[ti]))


_COVER_ITEMS = 12  # tasks per citizen-day up to which minimal covers are listed
_COVER_SIZE = 4  # largest cover listed


def _covers(length: dict[int, int], limit: int) -> list[tuple[int, ...]]:
    """Minimal sets of tasks that together exceed a citizen's daily maximum: at most all but one of
    each can be on that day. The LP alone may place each of them partly (e.g. a talk half on a day
    whose group sessions leave room for half of it); these rows make that "one of them" whole."""
    items = sorted(length)
    if len(items) > _COVER_ITEMS or sum(length.values()) <= limit:
        return []
    out = []
    for size in range(2, min(_COVER_SIZE, len(items)) + 1):
        for combo in itertools.combinations(items, size):
            total = sum(length[ti] for ti in combo)
            if total > limit and total - min(length[ti] for ti in combo) <= limit:
                out.append(combo)
    return out


def _consultants(lp: _Lp, cs: CandidateSet, loads: list[LoadColumn]) -> None:
    """Capacity per consultant, and the largest relative load per (group, staff type)."""
    problem, idx = cs.problem, cs.index
    per: dict[int, list[tuple[pywraplp.Variable, int]]] = {}
    for v, kid, minutes in loads:
        per.setdefault(kid, []).append((v, minutes))
    capacity = _capacities(cs)
    for kid, items in per.items():
        lp.row(-lp.inf, capacity[kid], ((v, float(m)) for v, m in items))
    weight = problem.weights.load_balance
    if not weight:
        return
    largest: dict[tuple[object, str], pywraplp.Variable] = {}
    for c in problem.consultants:
        items = per.get(c.id)
        if not items:
            continue
        load = [(v, -float(idx.rel_permille(c, m))) for v, m in items]
        for st in c.staff_types:
            key = balance_key(idx, c.id, st)
            if key not in largest:
                largest[key] = lp.var(weight, lp.inf)
            lp.row(0, lp.inf, [(largest[key], 1.0), *load])
