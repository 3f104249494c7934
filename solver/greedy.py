"""Earliest-deadline-first, first-fit baseline: a warm start for CP-SAT, the fallback when
CP-SAT finds nothing in time, and the yardstick in benchmarks."""

from __future__ import annotations

import time
from collections.abc import Callable

from solver.candidates import CandidateSet, build
from solver.occupancy import Occupancy
from solver.problem import Problem, Solution
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
    return build_solution(cs, chosen, "GREEDY", None, stats)


def repair(cs: CandidateSet, chosen: list[int], max_seconds: float = 5.0) -> list[int]:
    """One-move repair of a greedy plan: for each unplaced task (highest penalty first), try its
    candidates; when exactly one placed task is in the way (same consultant or citizen at the
    same time), move that task to another of its candidates if the move makes room and the
    saved unplaced penalty outweighs the extra placement costs. Keeps every hard rule (each
    step checked with Occupancy) and only ever lowers the objective's unplaced + linear part."""
    problem = cs.problem
    t_end = time.perf_counter() + max_seconds
    occ = Occupancy(cs)
    of_task: dict[int, int] = {}
    by_consultant: dict[int, set[int]] = {}
    by_citizen: dict[int, set[int]] = {}

    def place(ci: int) -> None:
        cand = cs.candidates[ci]
        occ.add(cand)
        of_task[cand.task_index] = ci
        for kid, _, _ in cand.busy:
            by_consultant.setdefault(kid, set()).add(ci)
        for zid in problem.tasks[cand.task_index].citizen_ids:
            by_citizen.setdefault(zid, set()).add(ci)

    def unplace(ci: int) -> None:
        cand = cs.candidates[ci]
        occ.remove(cand)
        del of_task[cand.task_index]
        for kid, _, _ in cand.busy:
            by_consultant[kid].discard(ci)
        for zid in problem.tasks[cand.task_index].citizen_ids:
            by_citizen[zid].discard(ci)

    for ci in chosen:
        place(ci)

    def overlapping(ci: int) -> set[int]:
        """Placed candidates that clash with `ci` on a consultant's or citizen's time."""
        cand = cs.candidates[ci]
        task = problem.tasks[cand.task_index]
        end = cand.start + task.duration_slots
        out: set[int] = set()
        for kid, s0, s1 in cand.busy:
            for cj in by_consultant.get(kid, ()):
                if any(k == kid and s0 < e and b < s1 for k, b, e in cs.candidates[cj].busy):
                    out.add(cj)
        for zid in task.citizen_ids:
            for cj in by_citizen.get(zid, ()):
                other = cs.candidates[cj]
                if cand.start < other.start + problem.tasks[other.task_index].duration_slots and other.start < end:
                    out.add(cj)
        return out

    for _round in range(5):  # a placed task can make room for ones tried before it
        if not _repair_round(cs, occ, of_task, place, unplace, overlapping, t_end):
            break
    return sorted(of_task.values())


def _repair_round(
    cs: CandidateSet,
    occ: Occupancy,
    of_task: dict[int, int],
    place: Callable[[int], None],
    unplace: Callable[[int], None],
    overlapping: Callable[[int], set[int]],
    t_end: float,
) -> bool:
    """One pass over the unplaced tasks; True when something was placed."""
    problem, idx = cs.problem, cs.index
    before = len(of_task)
    unplaced = [ti for ti in range(len(problem.tasks)) if ti not in of_task and cs.by_task[ti]]
    unplaced.sort(key=lambda ti: (-idx.unplaced_cost(problem.tasks[ti]), ti))
    for ti in unplaced:
        if time.perf_counter() > t_end:
            break
        miss = idx.unplaced_cost(problem.tasks[ti])
        for ci in sorted(cs.by_task[ti], key=lambda c: (cs.candidates[c].cost, c)):
            cand = cs.candidates[ci]
            if cand.cost >= miss:
                break
            if occ.blocker(cand) is None:  # fits now (an earlier move made room)
                place(ci)
                break
            blockers = overlapping(ci)
            if len(blockers) != 1:
                continue
            (cj,) = blockers
            old = cs.candidates[cj]
            unplace(cj)
            if occ.blocker(cand) is not None:
                place(cj)
                continue
            place(ci)
            budget = miss - cand.cost + old.cost  # what the blocker's new place may cost
            moved = None
            for ck in sorted(cs.by_task[old.task_index], key=lambda c: (cs.candidates[c].cost, c)):
                if ck != cj and cs.candidates[ck].cost < budget and occ.blocker(cs.candidates[ck]) is None:
                    moved = ck
                    break
            if moved is None:
                unplace(ci)
                place(cj)
                continue
            place(moved)
            break
    return len(of_task) > before
