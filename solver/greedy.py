"""Earliest-deadline-first, first-fit baseline: a warm start for CP-SAT, the fallback when
CP-SAT finds nothing in time, and the yardstick in benchmarks."""

from __future__ import annotations

import time

from solver.candidates import CandidateSet, build
from solver.objective import unplaced_cost
from solver.occupancy import Occupancy
from solver.problem import Problem, Solution, SolveStatus
from solver.result import build_solution


def greedy_choice(cs: CandidateSet) -> list[int]:
    """Chosen candidate indices, at most one per task, respecting every hard rule."""
    problem = cs.problem
    occ = Occupancy(cs)

    def order(ti: int) -> tuple[int, int, int, int, int]:
        t = problem.tasks[ti]
        return (
            0 if t.pinned is not None else 1,  # pins are (almost) hard: reserve first
            0 if t.fixed_start is not None else 1,  # fixed group sessions have no alternative
            t.window.end,  # earliest deadline first
            len(cs.by_task[ti]),  # then the least flexible
            -t.penalty_unplaced,
        )

    chosen: list[int] = []
    for ti in sorted(range(len(problem.tasks)), key=order):
        # Cheapest linear cost first (continuity, preferences), then earliest start.
        for ci in sorted(cs.by_task[ti], key=lambda ci: (cs.candidates[ci].cost, cs.candidates[ci].start, ci)):
            cand = cs.candidates[ci]
            if occ.blocker(cand) is None:
                occ.add(cand)
                chosen.append(ci)
                break
    return chosen


def greedy(problem: Problem, cs: CandidateSet | None = None) -> Solution:
    """A complete, valid plan in well under a second for M-size problems."""
    t0 = time.perf_counter()
    problem.validate()
    cs = cs or build(problem)
    chosen = greedy_choice(cs)
    stats: dict[str, object] = {
        "wall_seconds": time.perf_counter() - t0,
        "num_candidates": len(cs.candidates),
    }
    return build_solution(cs, chosen, SolveStatus.GREEDY, None, stats)


class _RepairPlan:
    """A plan under repair: chosen candidates with the occupancy they hold, indexed by task,
    consultant and citizen so the candidates in a new one's way are found quickly."""

    def __init__(self, cs: CandidateSet, chosen: list[int]) -> None:
        self.cs = cs
        self.occ = Occupancy(cs)
        self.of_task: dict[int, int] = {}
        self.by_consultant: dict[int, set[int]] = {}
        self.by_citizen: dict[int, set[int]] = {}
        for ci in chosen:
            self.place(ci)

    def place(self, ci: int) -> None:
        cand = self.cs.candidates[ci]
        self.occ.add(cand)
        self.of_task[cand.task_index] = ci
        for kid, _, _ in cand.busy:
            self.by_consultant.setdefault(kid, set()).add(ci)
        for zid in self.cs.problem.tasks[cand.task_index].citizen_ids:
            self.by_citizen.setdefault(zid, set()).add(ci)

    def unplace(self, ci: int) -> None:
        cand = self.cs.candidates[ci]
        self.occ.remove(cand)
        del self.of_task[cand.task_index]
        for kid, _, _ in cand.busy:
            self.by_consultant[kid].discard(ci)
        for zid in self.cs.problem.tasks[cand.task_index].citizen_ids:
            self.by_citizen[zid].discard(ci)

    def fits(self, ci: int) -> bool:
        return self.occ.blocker(self.cs.candidates[ci]) is None

    def overlapping(self, ci: int) -> set[int]:
        """Placed candidates that clash with `ci` on a consultant's or citizen's time."""
        cs = self.cs
        problem = cs.problem
        cand = cs.candidates[ci]
        task = problem.tasks[cand.task_index]
        end = cand.start + task.duration_slots
        out: set[int] = set()
        for n, (kid, s0, s1) in enumerate(cand.busy):
            for cj in self.by_consultant.get(kid, ()):
                other = cs.candidates[cj]
                if any(k == kid and _clash(cs, (s0, s1, cand.places[n] if cand.places else None),
                                           (b, e, other.places[m] if other.places else None))
                       for m, (k, b, e) in enumerate(other.busy)):
                    out.add(cj)
        for zid in task.citizen_ids:
            for cj in self.by_citizen.get(zid, ()):
                other = cs.candidates[cj]
                if cand.start < other.start + problem.tasks[other.task_index].duration_slots and other.start < end:
                    out.add(cj)
        return out


def _clash(cs: CandidateSet, a: tuple[int, int, str | None], b: tuple[int, int, str | None]) -> bool:
    """Two stops of one consultant overlap, or (travel in the day) leave no time for the trip between."""
    if not cs.index.travel_on:
        return a[0] < b[1] and b[0] < a[1]
    day = cs.problem.day_of
    if day(a[0]) != day(b[0]):
        return False
    trip = cs.index.trip
    return not (a[1] + trip(a[2], b[2]) <= b[0] or b[1] + trip(b[2], a[2]) <= a[0])


def repair(cs: CandidateSet, chosen: list[int], max_seconds: float = 5.0) -> list[int]:
    """One-move repair of a greedy plan: for each unplaced task (highest penalty first), try its
    candidates; when exactly one placed task is in the way (same consultant or citizen at the
    same time), move that task to another of its candidates if the move makes room and the
    saved unplaced penalty outweighs the extra placement costs. Keeps every hard rule (each
    step checked with Occupancy) and only ever lowers the objective's unplaced + linear part."""
    t_end = time.perf_counter() + max_seconds
    plan = _RepairPlan(cs, chosen)
    for _round in range(5):  # a placed task can make room for ones tried before it
        if not _repair_round(plan, t_end):
            break
    return sorted(plan.of_task.values())


def _by_cost(cs: CandidateSet, ti: int) -> list[int]:
    return sorted(cs.by_task[ti], key=lambda c: (cs.candidates[c].cost, c))


def _repair_round(plan: _RepairPlan, t_end: float) -> bool:
    """One pass over the unplaced tasks; True when something was placed."""
    cs = plan.cs
    problem, idx = cs.problem, cs.index
    before = len(plan.of_task)
    unplaced = [ti for ti in range(len(problem.tasks)) if ti not in plan.of_task and cs.by_task[ti]]
    unplaced.sort(key=lambda ti: (-unplaced_cost(idx, problem.tasks[ti]), ti))
    for ti in unplaced:
        if time.perf_counter() > t_end:
            break
        _repair_task(plan, ti, unplaced_cost(idx, problem.tasks[ti]))
    return len(plan.of_task) > before


def _repair_task(plan: _RepairPlan, ti: int, miss: int) -> None:
    """Place task `ti` directly, or by moving the one placed task in the way of one of its
    candidates; cheapest candidate first, never one that costs as much as leaving it out."""
    cs = plan.cs
    for ci in _by_cost(cs, ti):
        cand = cs.candidates[ci]
        if cand.cost >= miss:
            return
        if plan.fits(ci):  # fits now (an earlier move made room)
            plan.place(ci)
            return
        blockers = plan.overlapping(ci)
        if len(blockers) == 1 and _move_blocker(plan, ci, blockers.pop(), miss):
            return


def _move_blocker(plan: _RepairPlan, ci: int, cj: int, miss: int) -> bool:
    """Place `ci` instead of the blocking `cj` and move `cj`'s task to another candidate that
    costs less than what placing `ci` saves; undo everything and return False when none fits."""
    cs = plan.cs
    cand, old = cs.candidates[ci], cs.candidates[cj]
    plan.unplace(cj)
    if not plan.fits(ci):
        plan.place(cj)
        return False
    plan.place(ci)
    budget = miss - cand.cost + old.cost  # what the blocker's new place may cost
    for ck in _by_cost(cs, old.task_index):
        if ck != cj and cs.candidates[ck].cost < budget and plan.fits(ck):
            plan.place(ck)
            return True
    plan.unplace(ci)
    plan.place(cj)
    return False
