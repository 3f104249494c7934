"""Split a Problem into independent parts and merge their Solutions.

The parts are the connected components of `solver.components`: each part can be solved alone
(e.g. as its own background job) and the merged objective is the sum of the parts' objectives, so
the sum of the parts' lower bounds is a valid lower bound.
"""

from __future__ import annotations

from dataclasses import replace

from solver.components import citizen_node, components, consultant_node, site_node, task_anchor
from solver.objective import evaluate
from solver.problem import Problem, Solution, SolveStatus


def decompose(problem: Problem) -> list[Problem]:
    """Independent sub-problems, largest first. A single part means nothing to split."""
    uf = components(problem)
    roots = dict.fromkeys(uf.find(site_node(s.id)) for s in problem.sites)
    parts: list[Problem] = []
    for root in roots:
        parts.append(
            replace(
                problem,
                sites=tuple(s for s in problem.sites if uf.find(site_node(s.id)) == root),
                rooms=tuple(r for r in problem.rooms if uf.find(site_node(r.site_id)) == root),
                consultants=tuple(c for c in problem.consultants if uf.find(consultant_node(c.id)) == root),
                citizens=tuple(z for z in problem.citizens if uf.find(citizen_node(z.id)) == root),
                tasks=tuple(t for t in problem.tasks if uf.find(task_anchor(t.site_ids)) == root),
            )
        )
    parts.sort(key=lambda p: (-len(p.tasks), min(s.id for s in p.sites)))
    return parts


# The merged status is the weakest of the parts' (a greedy part makes the whole plan greedy).
_STATUS_RANK = {SolveStatus.EMPTY: 0, SolveStatus.OPTIMAL: 1, SolveStatus.FEASIBLE: 2, SolveStatus.GREEDY: 3}


class MergeError(ValueError):
    """The part solutions do not fit the problem (a part missing, solved twice, or foreign)."""


def _check_coverage(problem: Problem, solutions: list[Solution]) -> None:
    seen: dict[str, int] = {}
    for s in solutions:
        for tid in [p.task_id for p in s.placements] + [u.task_id for u in s.unplaced]:
            seen[tid] = seen.get(tid, 0) + 1
    expected = {t.id for t in problem.tasks}
    missing = sorted(expected - set(seen))
    twice = sorted(t for t, n in seen.items() if n > 1)
    foreign = sorted(set(seen) - expected)
    if missing or twice or foreign:
        raise MergeError(
            f"part solutions do not match the problem: missing {missing[:5]}, twice {twice[:5]}, unknown {foreign[:5]}"
        )


def merge(problem: Problem, solutions: list[Solution]) -> Solution:
    """Combine the solutions of `decompose(problem)`'s parts (solved in any order, in any
    process). Objective and bound add up because the parts are independent; the merged
    objective is checked against `objective.evaluate()` on the whole problem. Raises MergeError
    when a task of `problem` is missing or appears twice — e.g. a part's job was lost."""
    _check_coverage(problem, solutions)
    if not solutions or not problem.tasks:
        return Solution((), (), SolveStatus.EMPTY, 0, 0, 0.0, 0, {"parts": []})
    objective = sum(s.objective for s in solutions)
    avoidable = sum(s.avoidable_objective for s in solutions)
    recomputed = evaluate(problem, [p for s in solutions for p in s.placements]).total
    if recomputed != objective:
        raise MergeError(f"merged objective {objective} differs from the whole problem's {recomputed}")
    bound: int | None = None
    gap: float | None = None
    if all(s.best_bound is not None for s in solutions):
        bound = sum(s.best_bound for s in solutions if s.best_bound is not None)
        avoidable_bound = bound - (objective - avoidable)
        gap = max(0.0, (avoidable - avoidable_bound) / max(1, avoidable))
    status = max((SolveStatus(s.status) for s in solutions), key=lambda st: _STATUS_RANK[st])
    cancelled = any(s.cancelled for s in solutions)
    stats: dict[str, object] = {
        "parts": [s.stats for s in solutions],
        "wall_seconds_sum": sum(float(s.stats.get("wall_seconds", 0.0)) for s in solutions),  # type: ignore[arg-type]
        "objective_recomputed": recomputed,
        "cancelled": cancelled,
    }
    return Solution(
        placements=tuple(sorted((p for s in solutions for p in s.placements), key=lambda p: (p.start_slot, p.task_id))),
        unplaced=tuple(u for s in solutions for u in s.unplaced),
        status=status,
        objective=objective,
        best_bound=bound,
        gap=gap,
        avoidable_objective=avoidable,
        stats=stats,
        moved_task_ids=tuple(t for s in solutions for t in s.moved_task_ids),
        cancelled=cancelled,
    )
