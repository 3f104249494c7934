"""Independent parts of a Problem: connected components over sites, consultants and citizens.

Two tasks interact only through shared consultants, citizens or rooms (rooms belong to sites), so
the components are independent. `solver.decompose` splits a Problem along them, and the objective
scores load balance per component (`consultant_groups`), so a decomposed solve scores exactly like
a monolithic one. Depends on `solver.problem` only, so every other module may import it.
"""

from __future__ import annotations

from solver.problem import Problem

# A node of the component graph: ("site" | "consultant" | "citizen", id).
Node = tuple[str, object]


class UnionFind:
    def __init__(self) -> None:
        self.parent: dict[Node, Node] = {}

    def find(self, x: Node) -> Node:
        self.parent.setdefault(x, x)
        root = x
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[x] != root:  # path compression keeps XL instances linear-ish
            self.parent[x], x = root, self.parent[x]
        return root

    def union(self, a: Node, b: Node) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb, key=repr)] = min(ra, rb, key=repr)


def site_node(site_id: int) -> Node:
    return ("site", site_id)


def consultant_node(consultant_id: int) -> Node:
    return ("consultant", consultant_id)


def citizen_node(citizen_id: int) -> Node:
    return ("citizen", citizen_id)


def task_anchor(site_ids: frozenset[int]) -> Node:
    """The node a task hangs on: the smallest of its sites (all its sites are joined to it)."""
    return site_node(min(site_ids))


def components(problem: Problem) -> UnionFind:
    """Union-find over every site, consultant and citizen of `problem`."""
    uf = UnionFind()
    for s in problem.sites:
        uf.find(site_node(s.id))
    for c in problem.consultants:
        for sid in c.site_ids | {c.home_site_id}:
            uf.union(consultant_node(c.id), site_node(sid))
    for z in problem.citizens:
        uf.union(citizen_node(z.id), site_node(z.site_id))
    for t in problem.tasks:
        anchor = task_anchor(t.site_ids)
        for sid in t.site_ids:
            uf.union(anchor, site_node(sid))
        for zid in t.citizen_ids:
            uf.union(anchor, citizen_node(zid))
        for kid in (*t.preferred_consultant_ids, *(t.allowed_consultant_ids or ())):
            uf.union(anchor, consultant_node(kid))
        for p in (t.pinned, t.previous):
            if p is not None:
                for kid in p.consultant_ids:
                    uf.union(anchor, consultant_node(kid))
    return uf


def consultant_groups(problem: Problem) -> dict[int, Node]:
    """Component key per consultant (used to scope load balance to independent parts)."""
    uf = components(problem)
    return {c.id: uf.find(consultant_node(c.id)) for c in problem.consultants}
