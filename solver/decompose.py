"""Split a Problem into independent parts and merge their Solutions.

Two tasks interact only through shared consultants, citizens or rooms (rooms belong to
sites). Connected components over sites, consultants and citizens are therefore independent:
each part can be solved alone (e.g. as its own background job) and the merged objective is the
sum of the parts' objectives, so the sum of the parts' lower bounds is a valid lower bound.
"""

from __future__ import annotations

from dataclasses import replace

from solver.problem import Problem, Solution


class _UnionFind:
    def __init__(self) -> None:
        self.parent: dict[tuple[str, object], tuple[str, object]] = {}

    def find(self, x: tuple[str, object]) -> tuple[str, object]:
        self.parent.setdefault(x, x)
        root = x
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[x] != root:  # path compression keeps XL instances linear-ish
            self.parent[x], x = root, self.parent[x]
        return root

    def union(self, a: tuple[str, object], b: tuple[str, object]) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb, key=repr)] = min(ra, rb, key=repr)


def _components(problem: Problem) -> _UnionFind:
    uf = _UnionFind()
    for s in problem.sites:
        uf.find(("site", s.id))
    for c in problem.consultants:
        for sid in c.site_ids | {c.home_site_id}:
            uf.union(("consultant", c.id), ("site", sid))
    for z in problem.citizens:
        uf.union(("citizen", z.id), ("site", z.site_id))
    for t in problem.tasks:
        anchor = ("site", min(t.site_ids))
        for sid in t.site_ids:
            uf.union(anchor, ("site", sid))
        for zid in t.citizen_ids:
            uf.union(anchor, ("citizen", zid))
        for kid in (*t.preferred_consultant_ids, *(t.allowed_consultant_ids or ())):
            uf.union(anchor, ("consultant", kid))
        for p in (t.pinned, t.previous):
            if p is not None:
                for kid in p.consultant_ids:
                    uf.union(anchor, ("consultant", kid))
    return uf


def consultant_groups(problem: Problem) -> dict[int, object]:
    """Component key per consultant (used to scope load balance to independent parts)."""
    uf = _components(problem)
    return {c.id: uf.find(("consultant", c.id)) for c in problem.consultants}


def decompose(problem: Problem) -> list[Problem]:
    """Independent sub-problems, largest first. A single part means nothing to split."""
    uf = _components(problem)
    keys: dict[object, list[int]] = {}
    for s in problem.sites:
        keys.setdefault(uf.find(("site", s.id)), []).append(s.id)
    parts: list[Problem] = []
    for root in keys:
        parts.append(
            replace(
                problem,
                sites=tuple(s for s in problem.sites if uf.find(("site", s.id)) == root),
                rooms=tuple(r for r in problem.rooms if uf.find(("site", r.site_id)) == root),
                consultants=tuple(c for c in problem.consultants if uf.find(("consultant", c.id)) == root),
                citizens=tuple(z for z in problem.citizens if uf.find(("citizen", z.id)) == root),
                tasks=tuple(t for t in problem.tasks if uf.find(("site", min(t.site_ids))) == root),
            )
        )
    parts.sort(key=lambda p: (-len(p.tasks), min(s.id for s in p.sites)))
    return parts


_STATUS_RANK = {"EMPTY": 0, "OPTIMAL": 1, "FEASIBLE": 2, "GREEDY": 3}


class MergeError(ValueError):
    """The part solutions do not fit the problem (a part missing, solved twice, or foreign)."""


def merge(problem: Problem, solutions: list[Solution]) -> Solution:
    """Combine the solutions of `decompose(problem)`'s parts (solved in any order, in any
    process). Objective and bound add up because the parts are independent; the merged
    objective is checked against `objective.evaluate()` on the whole problem. Raises MergeError
    when a task of `problem` is missing or appears twice — e.g. a part's job was lost."""
    from solver.objective import evaluate  # local: objective imports lookup, which imports us

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
    if not solutions or not problem.tasks:
        return Solution((), (), "EMPTY", 0, 0, 0.0, 0, {"parts": []})
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
    status = max((s.status for s in solutions), key=lambda st: _STATUS_RANK.get(st, 4))
    stats: dict[str, object] = {
        "parts": [s.stats for s in solutions],
        "wall_seconds_sum": sum(float(s.stats.get("wall_seconds", 0.0)) for s in solutions),  # type: ignore[arg-type]
        "objective_recomputed": recomputed,
        "cancelled": any(bool(s.stats.get("cancelled")) for s in solutions),
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
    )
