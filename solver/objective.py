"""The one objective function, term by term. Greedy plans, CP-SAT plans and merged decomposed
plans are all scored here, so comparisons between them are fair. Lower is better.

Each `Term` has one small function here that prices it for a plan; `solver.cpsat` builds the
same term into the model with one function per term (`cpsat.OBJECTIVE_TERMS`), so the model's
objective is exactly `evaluate(...).total` at an optimum (tests/solver/test_objective.py).

* placement terms depend on one placement only (`PLACEMENT_TERMS`; a candidate's cost is their sum);
* `Term.UNPLACED` prices each task left out;
* `Term.LOAD_BALANCE` and `Term.CITIZEN_TRIP` depend on the plan as a whole.

Every term is non-negative, which `solver.bounds` relies on.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from solver.components import Node
from solver.lookup import Index, covers
from solver.problem import Placement, Problem, Task


class Term(StrEnum):
    """The objective's terms; the values are the matching `Weights` fields."""

    UNPLACED = "unplaced"  # per task left out (incl. moved_from_published for a dropped published task)
    NOT_CONTACT_CONSULTANT = "not_contact_consultant"  # held by someone else than a preferred consultant
    PREFERENCE = "preference"  # consultant outside preferred time, citizen on a non-preferred day
    CASELOAD = "caseload"  # new citizen's first talk with a consultant at/over max caseload
    MOVED_FROM_PUBLISHED = "moved_from_published"  # a published task placed at another time/consultants
    CITIZEN_GAP = "citizen_gap"  # waiting at the site next to a fixed-time session that day
    LOAD_BALANCE = "load_balance"  # largest relative load per (consultant group, staff type)
    CITIZEN_TRIP = "citizen_trip"  # (citizen, day) at the site that is not a busy day


PlacementCost = Callable[[Index, Task, int, tuple[int, ...]], int]


def not_contact_consultant_cost(idx: Index, task: Task, start: int, consultant_ids: tuple[int, ...]) -> int:
    if task.preferred_consultant_ids and not set(consultant_ids) & set(task.preferred_consultant_ids):
        return idx.problem.weights.not_contact_consultant
    return 0


def preference_cost(idx: Index, task: Task, start: int, consultant_ids: tuple[int, ...]) -> int:
    weight = idx.problem.weights.preference
    cost = 0
    end = start + task.duration_slots
    for kid in consultant_ids:
        pref = idx.consultant_pref[kid]
        if pref and not covers(pref, start, end):
            cost += weight
    day = idx.problem.day_of(start)
    for zid in task.citizen_ids:
        z = idx.citizens[zid]
        if z.preferred_days and day not in z.preferred_days:
            cost += weight
    return cost


def caseload_cost(idx: Index, task: Task, start: int, consultant_ids: tuple[int, ...]) -> int:
    """A new citizen's first talk makes the consultant their contact: respect caseloads."""
    if len(task.citizen_ids) != 1 or idx.citizens[task.citizen_ids[0]].contact_consultant_id is not None:
        return 0
    full = sum(1 for kid in consultant_ids if idx.consultants[kid].caseload >= idx.consultants[kid].max_caseload)
    return full * idx.problem.weights.caseload


def moved_cost(idx: Index, task: Task, start: int, consultant_ids: tuple[int, ...]) -> int:
    prev = task.previous
    if prev is not None and (prev.start_slot != start or tuple(prev.consultant_ids) != tuple(consultant_ids)):
        return idx.problem.weights.moved_from_published
    return 0


def citizen_gap_cost(idx: Index, task: Task, start: int, consultant_ids: tuple[int, ...]) -> int:
    """Citizens waiting at the site between this flexible appointment and their nearest fixed-time
    session that day (weights.citizen_gap per slot; 0 when they sit back to back)."""
    weight = idx.problem.weights.citizen_gap
    if not weight or task.fixed_start is not None or not idx.citizen_trip(task):
        return 0
    end = start + task.duration_slots
    day = idx.problem.day_of(start)
    slots = 0
    for zid in task.citizen_ids:
        fixed = idx.fixed_site.get((zid, day))
        if not fixed:  # the common case: nothing at a fixed time that day
            continue
        sessions = [(a, b) for tid, a, b in fixed if tid != task.id]
        if sessions:
            slots += min(max(0, a - end, start - b) for a, b in sessions)
    return weight * slots


PLACEMENT_TERMS: Mapping[Term, PlacementCost] = {
    Term.NOT_CONTACT_CONSULTANT: not_contact_consultant_cost,
    Term.PREFERENCE: preference_cost,
    Term.CASELOAD: caseload_cost,
    Term.MOVED_FROM_PUBLISHED: moved_cost,
    Term.CITIZEN_GAP: citizen_gap_cost,
}


_PLACEMENT_COSTS = tuple(PLACEMENT_TERMS.values())


def placement_costs(idx: Index, task: Task, start: int, consultant_ids: tuple[int, ...]) -> tuple[int, ...]:
    """Each placement term's cost of one placement, in the order of PLACEMENT_TERMS."""
    return tuple([cost(idx, task, start, consultant_ids) for cost in _PLACEMENT_COSTS])


def placement_cost(idx: Index, task: Task, start: int, consultant_ids: tuple[int, ...]) -> int:
    """Sum of the placement terms: the cost of one placement (everything but balance and trips)."""
    return sum(placement_costs(idx, task, start, consultant_ids))


def unplaced_cost(idx: Index, task: Task) -> int:
    w = idx.problem.weights
    cost = w.unplaced * task.penalty_unplaced
    if task.pinned is not None:
        # Coordinators' pins are almost hard: dropping one costs like a hundred tasks.
        cost *= 100
    if task.previous is not None:
        cost += w.moved_from_published
    return cost


def balance_key(idx: Index, consultant_id: int, staff_type: str) -> tuple[Node, str]:
    """Load balance is measured per (consultant group, staff type); groups are the independent
    parts of the problem, so decomposed solves score exactly the same."""
    return (idx.group_of[consultant_id], staff_type)


def largest_loads(idx: Index, loads: Mapping[int, int]) -> dict[tuple[Node, str], int]:
    """Largest relative load (permille) per (consultant group, staff type), given per-consultant loads."""
    worst: dict[tuple[Node, str], int] = {}
    for c in idx.problem.consultants:
        rel = loads.get(c.id, 0)
        for st in c.staff_types:
            key = balance_key(idx, c.id, st)
            worst[key] = max(worst.get(key, 0), rel)
    return worst


def load_balance_cost(idx: Index, loads: Mapping[int, int]) -> int:
    """Sum over (consultant group, staff type) of the largest relative load (permille)."""
    return idx.problem.weights.load_balance * sum(largest_loads(idx, loads).values())


def consultant_loads(idx: Index, placed: Iterable[tuple[Task, tuple[int, ...]]]) -> dict[int, int]:
    """Relative load (permille of contracted minutes) per consultant of placed (task, consultants)."""
    loads: dict[int, int] = {}
    for task, consultant_ids in placed:
        for kid in consultant_ids:
            c = idx.consultants[kid]
            loads[kid] = loads.get(kid, 0) + idx.rel_permille(c, idx.load_minutes(c, task))
    return loads


def trip_days(idx: Index, placed: Iterable[tuple[Task, int]]) -> set[tuple[int, int]]:
    """(citizen, day) pairs with a site appointment on a day they do not come in anyway."""
    days: set[tuple[int, int]] = set()
    for task, start in placed:
        if not idx.citizen_trip(task):
            continue
        day = idx.problem.day_of(start)
        for zid in task.citizen_ids:
            if day not in idx.citizens[zid].busy_days:
                days.add((zid, day))
    return days


def citizen_trip_cost(idx: Index, placed: Iterable[tuple[Task, int]]) -> int:
    return idx.problem.weights.citizen_trip * len(trip_days(idx, placed))


@dataclass(frozen=True, slots=True)
class Breakdown:
    total: int
    avoidable: int  # total minus penalties of tasks that have no feasible candidate at all
    terms: Mapping[Term, int]  # every term, summing to total

    @property
    def unplaced(self) -> int:
        """Unplaced penalties incl. moved-from-published for dropped published tasks."""
        return self.terms[Term.UNPLACED]

    @property
    def linear(self) -> int:
        """Placement terms without the citizen gaps (contact consultant, preferences, caseload, moved)."""
        return sum(self.terms[t] for t in PLACEMENT_TERMS if t is not Term.CITIZEN_GAP)

    @property
    def load_balance(self) -> int:
        return self.terms[Term.LOAD_BALANCE]

    @property
    def citizen_trips(self) -> int:
        return self.terms[Term.CITIZEN_TRIP]

    @property
    def citizen_gaps(self) -> int:
        """Waiting next to fixed-time sessions (a placement term, shown apart)."""
        return self.terms[Term.CITIZEN_GAP]


def evaluate(
    problem: Problem,
    placements: Iterable[Placement],
    no_candidate_task_ids: frozenset[str] = frozenset(),
    index: Index | None = None,
) -> Breakdown:
    """Score a plan term by term, from the Problem and the placements alone."""
    idx = index or Index(problem)
    by_task: dict[str, Placement] = {p.task_id: p for p in placements}
    terms = dict.fromkeys(Term, 0)
    unavoidable = 0
    placed: list[tuple[Task, Placement]] = []
    for task in problem.tasks:
        p = by_task.get(task.id)
        if p is None:
            cost = unplaced_cost(idx, task)
            terms[Term.UNPLACED] += cost
            if task.id in no_candidate_task_ids:
                unavoidable += cost
            continue
        placed.append((task, p))
        for term, cost_of in PLACEMENT_TERMS.items():
            terms[term] += cost_of(idx, task, p.start_slot, tuple(p.consultant_ids))
    loads = consultant_loads(idx, ((task, tuple(p.consultant_ids)) for task, p in placed))
    terms[Term.LOAD_BALANCE] = load_balance_cost(idx, loads)
    terms[Term.CITIZEN_TRIP] = citizen_trip_cost(idx, ((task, p.start_slot) for task, p in placed))
    total = sum(terms.values())
    return Breakdown(total, total - unavoidable, terms)
