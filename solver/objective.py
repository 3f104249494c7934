"""The one objective function. Greedy plans, CP-SAT plans and merged decomposed plans are all
scored here, so comparisons between them are fair. Lower is better."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from solver.lookup import Index
from solver.problem import Placement, Problem, Task


@dataclass(frozen=True, slots=True)
class Breakdown:
    total: int
    avoidable: int  # total minus penalties of tasks that have no feasible candidate at all
    unplaced: int  # unplaced penalties incl. moved-from-published for dropped published tasks
    linear: int  # contact consultant, preferences, caseload, moved (see Index.linear_cost), without gaps
    load_balance: int
    citizen_trips: int
    citizen_gaps: int  # waiting next to fixed-time sessions (part of the linear costs, shown apart)


def load_balance_cost(idx: Index, loads: dict[int, int]) -> int:
    """Sum over (consultant group, staff type) of the largest relative load (permille)."""
    worst: dict[tuple[object, str], int] = {}
    for c in idx.problem.consultants:
        rel = loads.get(c.id, 0)
        for st in c.staff_types:
            key = (idx.group_of[c.id], st)
            worst[key] = max(worst.get(key, 0), rel)
    return idx.problem.weights.load_balance * sum(worst.values())


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


def evaluate(
    problem: Problem,
    placements: Iterable[Placement],
    no_candidate_task_ids: frozenset[str] = frozenset(),
    index: Index | None = None,
) -> Breakdown:
    idx = index or Index(problem)
    placed: dict[str, Placement] = {p.task_id: p for p in placements}
    unplaced = linear = gaps = unavoidable = 0
    loads: dict[int, int] = {}
    pairs: list[tuple[Task, int]] = []
    for task in problem.tasks:
        p = placed.get(task.id)
        if p is None:
            cost = idx.unplaced_cost(task)
            unplaced += cost
            if task.id in no_candidate_task_ids:
                unavoidable += cost
            continue
        gap = idx.waiting_cost(task, p.start_slot)
        gaps += gap
        linear += idx.linear_cost(task, p.start_slot, tuple(p.consultant_ids)) - gap
        for kid in p.consultant_ids:
            c = idx.consultants[kid]
            loads[kid] = loads.get(kid, 0) + idx.rel_permille(c, idx.load_minutes(c, task))
        pairs.append((task, p.start_slot))
    balance = load_balance_cost(idx, loads)
    trips = problem.weights.citizen_trip * len(trip_days(idx, pairs))
    total = unplaced + linear + gaps + balance + trips
    return Breakdown(total, total - unavoidable, unplaced, linear, balance, trips, gaps)
