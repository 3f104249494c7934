"""A combinatorial lower bound on the objective, valid without any search.

CP-SAT's own bound comes from its LP relaxation and is only good once the LP has converged; on
big parts with a short time share it may still be the trivial bound. This bound needs one pass
over the candidates and is reported as ``max(cp_sat_bound, combinatorial_bound)``.

Every objective term is non-negative, so a sum of per-item lower bounds is a lower bound:

* per task: ``min(unplaced cost, cheapest candidate's placement-only cost + the least it adds to
  load balance)``; tasks without any candidate cost their unplaced penalty (unavoidable);
* load balance: for a (group, staff type) the largest relative load is at least the
  contract-weighted average of the relative loads, so a placed task whose requirement is exactly
  that staff type adds at least ``w * (minutes * 1000 - C_max / 2) / sum(C)`` (the ``C_max / 2``
  covers the per-task permille rounding of ``Index.rel_permille``). Sharpened in ``_load_cuts``:
  the average is taken over the subset of consultants that must carry a set of tasks (e.g. the
  only ones serving a site), and consultants who cannot carry their share (absent most of the
  week) are taken out with their whole capacity;
* citizen trips: for a citizen's own (single-citizen) tasks, either none is placed on a trip day
  (cost >= A, the sum of per-task minima over candidates without a trip) or at least one is
  (cost >= B + one trip, B the sum of per-task minima over all candidates);
* capacity: tasks whose every candidate consultant lies in a set K cannot use more minutes
  (incl. travel) than K's contracted or available minutes, whichever is less (free stretches
  shorter than the shortest of these tasks do not count); where they ask for
  more, the fractional knapsack "drop what is cheapest to drop per minute" bounds their joint
  cost (these tasks then leave the other groupings);
* clashing pairs: two tasks with few possible starts (fixed group sessions) that can never both
  be placed (a shared citizen: overlap or over the daily cap) — one of them is unplaced. Pairs
  from a greedy matching are disjoint, so their joint minima add up (the pair's tasks then leave
  the trip grouping above).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from fractions import Fraction

from solver.candidates import Candidate, CandidateSet
from solver.components import Node
from solver.objective import balance_key, unplaced_cost

_FEW_STARTS = 8  # pairs are only checked between tasks with this few distinct starts (fixed times)

BalanceKey = tuple[Node, str]  # (consultant group, staff type)


def combinatorial_bound(cs: CandidateSet) -> int:
    """A lower bound on `objective.evaluate()` of any plan made of `cs`'s candidates."""
    cuts = _load_cuts(cs) if cs.problem.weights.load_balance else {}
    total = sum((cut.constant for cut in cuts.values()), Fraction(0))
    minima = _task_minima(cs, cuts)
    total += minima.unavoidable
    assigned, capacity_cost = _capacity_bound(cs, minima)
    total += capacity_cost
    matched, pairs_cost = _pairs_bound(cs, minima, assigned)
    total += pairs_cost
    total += _trips_bound(cs, minima, matched | assigned)
    return math.floor(total)


# -- per task --------------------------------------------------------------------------------------


@dataclass
class _Minima:
    """Per placeable task: what leaving it out costs, and the least its placement can cost."""

    unavoidable: Fraction = Fraction(0)  # unplaced costs of tasks without any candidate
    miss: dict[int, Fraction] = field(default_factory=dict)  # task -> unplaced cost
    best_any: dict[int, Fraction] = field(default_factory=dict)  # task -> cheapest placement (+ load)
    # task -> cheapest placement without a citizen trip (single-citizen tasks; None: every one is a trip)
    best_no_trip: dict[int, Fraction | None] = field(default_factory=dict)

    def alone(self, ti: int) -> Fraction:
        return min(self.miss[ti], self.best_any[ti])


def _task_minima(cs: CandidateSet, cuts: dict[BalanceKey, _LoadCut]) -> _Minima:
    problem, idx = cs.problem, cs.index
    key_max: dict[BalanceKey, int] = {}
    for c in problem.consultants:
        for st in c.staff_types:
            key = balance_key(idx, c.id, st)
            key_max[key] = max(key_max.get(key, 0), c.contracted_minutes_per_week)
    out = _Minima()
    for ti, task in enumerate(problem.tasks):
        cands = [cs.candidates[i] for i in cs.by_task[ti]]
        if not cands:
            out.unavoidable += unplaced_cost(idx, task)
            continue
        out.miss[ti] = Fraction(unplaced_cost(idx, task))
        load_add = _least_load_added(cs, ti, cands, cuts, key_max)
        out.best_any[ti] = min(c.cost for c in cands) + load_add
        if len(task.citizen_ids) == 1 and problem.weights.citizen_trip:
            z = idx.citizens[task.citizen_ids[0]]
            no_trip = [c.cost for c in cands if not idx.citizen_trip(task) or problem.day_of(c.start) in z.busy_days]
            out.best_no_trip[ti] = min(no_trip) + load_add if no_trip else None
    return out


def _least_load_added(
    cs: CandidateSet, ti: int, cands: list[Candidate], cuts: dict[BalanceKey, _LoadCut], key_max: dict[BalanceKey, int]
) -> Fraction:
    """The least a placed task adds to the load-balance cuts it falls under (see _load_cuts)."""
    w = cs.problem.weights
    load_add = Fraction(0)
    for j, req in enumerate(cs.problem.tasks[ti].staff_requirements):
        if len(req) != 1:
            continue
        (st,) = req
        key = balance_key(cs.index, cands[0].consultant_ids[j], st)
        cut = cuts.get(key)
        if cut is None or not _eligible(cs, ti, j) <= cut.members:
            continue
        minutes = min(c.load[j][1] for c in cands)
        permille_sum = max(Fraction(0), minutes * 1000 - Fraction(key_max[key], 2))
        load_add += w.load_balance * permille_sum / cut.denominator
    return load_add


def _eligible(cs: CandidateSet, ti: int, j: int) -> frozenset[int]:
    return frozenset(cs.candidates[i].consultant_ids[j] for i in cs.by_task[ti])


# -- load balance ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _LoadCut:
    """``M * denominator >= 1000 * (minutes of placed tasks whose consultants all lie in
    `members`) - rounding + constant * denominator / w`` for one (group, staff type)."""

    members: frozenset[int]
    denominator: int  # contracted minutes of the unsaturated members
    constant: Fraction  # already multiplied by the weight; <= 0


def _capacities(cs: CandidateSet) -> dict[int, int]:
    """Minutes each consultant can work: contracted or available, whichever is less."""
    slot = cs.problem.slot_minutes
    return {
        c.id: c.contracted_minutes_per_week
        if c.id in cs.contract_only
        else min(c.contracted_minutes_per_week, bin(cs.index.consultant_avail[c.id]).count("1") * slot)
        for c in cs.problem.consultants
    }


def _load_demand(cs: CandidateSet) -> dict[BalanceKey, list[tuple[frozenset[int], int]]]:
    """Per (group, staff type): (eligible consultants, least minutes) of each placeable task's
    requirement of exactly that staff type."""
    demand: dict[BalanceKey, list[tuple[frozenset[int], int]]] = {}
    for ti, task in enumerate(cs.problem.tasks):
        cands = [cs.candidates[i] for i in cs.by_task[ti]]
        if not cands:
            continue
        for j, req in enumerate(task.staff_requirements):
            if len(req) == 1:
                (st,) = req
                key = balance_key(cs.index, cands[0].consultant_ids[j], st)
                demand.setdefault(key, []).append((_eligible(cs, ti, j), min(c.load[j][1] for c in cands)))
    return demand


def _water_fill(
    subset: frozenset[int], d: int, contract: dict[int, int], cap: dict[int, int]
) -> tuple[Fraction, set[int], int]:
    """(bound on 1000 * M, saturated consultants, their complement's contracted minutes) for a
    demand of `d` minutes on `subset`: consultants who cannot carry their contract share of it
    are taken out with their whole capacity, until the level settles."""
    saturated: set[int] = set()
    for _ in range(len(subset) + 1):  # grows monotonically
        free = sum(contract[k] for k in subset - saturated)
        if free <= 0:
            return Fraction(-1), saturated, 0
        level = Fraction(d - sum(cap[k] for k in saturated), free)  # minutes per contract minute
        grown = {k for k in subset if cap[k] < contract[k] * level}
        if grown <= saturated:
            break
        saturated |= grown
    free = sum(contract[k] for k in subset - saturated)
    if free <= 0:
        return Fraction(-1), saturated, 0
    return Fraction(1000 * (d - sum(cap[k] for k in saturated)), free), saturated, free


def _load_cuts(cs: CandidateSet) -> dict[BalanceKey, _LoadCut]:
    """One valid inequality per (group, staff type) on its largest relative load M.

    For any subset K of the key's consultants, tasks whose every candidate consultant (for a
    requirement of exactly that type) lies in K must be carried by K. Consultants S in K who
    cannot carry their contract share (L_k <= cap_k = available or contracted minutes, whichever
    is less) are taken out with their whole capacity: M * C(K - S) >= 1000 * (D_K - cap(S)) -
    rounding. K is chosen among the whole key and the tasks' own consultant sets, and S by
    water-filling, so that the bound is largest at the demand of all placeable tasks."""
    problem, idx = cs.problem, cs.index
    contract = {c.id: c.contracted_minutes_per_week for c in problem.consultants}
    cap = _capacities(cs)
    members: dict[BalanceKey, set[int]] = {}
    for c in problem.consultants:
        for st in c.staff_types:
            members.setdefault(balance_key(idx, c.id, st), set()).add(c.id)
    demand = _load_demand(cs)
    cuts: dict[BalanceKey, _LoadCut] = {}
    for key, everyone in members.items():
        items = demand.get(key, [])
        options = {frozenset(everyone)} | {e for e, _ in items if e}
        best: tuple[Fraction, frozenset[int], set[int], int] | None = None
        for subset in sorted(options, key=lambda o: (len(o), sorted(o))):
            d = sum(m for e, m in items if e <= subset)
            value, saturated, free = _water_fill(subset, d, contract, cap)
            if free and (best is None or value > best[0]):
                best = (value, subset, saturated, free)
        if best is None or best[0] <= 0:
            continue  # nothing to gain over M >= 0 (or everyone saturated: see the capacity knapsack)
        _, subset, saturated, free = best
        constant = -Fraction(problem.weights.load_balance * 1000 * sum(cap[k] for k in saturated), free)
        cuts[key] = _LoadCut(subset, free, constant)
    return cuts


# -- capacity --------------------------------------------------------------------------------------


def _runs(mask: int) -> list[int]:
    """Lengths of the maximal runs of set bits."""
    out: list[int] = []
    while mask:
        low = mask & -mask
        shifted = mask // low  # run now starts at bit 0
        length = (~shifted & (shifted + 1)).bit_length() - 1
        out.append(length)
        mask &= ~(((1 << length) - 1) * low)
    return out


class _Capacity:
    """Consultant sets K, the least minutes each placeable task needs from them, and the minutes
    K can give: contracted or available, whichever is less, counting only free stretches long
    enough for the shortest of the tasks concerned."""

    def __init__(self, cs: CandidateSet, minima: _Minima) -> None:
        problem = cs.problem
        self.slot_minutes = problem.slot_minutes
        self.runs = {c.id: _runs(cs.index.consultant_avail[c.id]) for c in problem.consultants}
        self.contract = {c.id: c.contracted_minutes_per_week for c in problem.consultants}
        self.contract_only = cs.contract_only
        # task -> (eligible consultants, least minutes) per staff requirement
        self.needs: dict[int, list[tuple[frozenset[int], int]]] = {}
        for ti in minima.miss:
            cands = [cs.candidates[i] for i in cs.by_task[ti]]
            self.needs[ti] = [
                (_eligible(cs, ti, j), min(c.load[j][1] for c in cands))
                for j in range(len(problem.tasks[ti].staff_requirements))
            ]

    def options(self) -> set[frozenset[int]]:
        return {e for lst in self.needs.values() for e, _ in lst if e}

    def usable(self, k_set: frozenset[int], shortest: int) -> int:
        """Minutes K can give to tasks of at least `shortest` minutes."""
        size = -(-shortest // self.slot_minutes)
        return sum(
            self.contract[k]
            if k in self.contract_only
            else min(self.contract[k], sum(r for r in self.runs[k] if r >= size) * self.slot_minutes)
            for k in k_set
        )

    def demand_on(self, k_set: frozenset[int], tasks: Iterable[int]) -> dict[int, int]:
        out: dict[int, int] = {}
        for ti in tasks:
            d = sum(m for e, m in self.needs[ti] if e <= k_set)
            if d:
                out[ti] = d
        return out

    def shortest(self, k_set: frozenset[int], tasks: Iterable[int]) -> int:
        return min((m for ti in tasks for e, m in self.needs[ti] if e <= k_set), default=0)


def _capacity_bound(cs: CandidateSet, minima: _Minima) -> tuple[set[int], Fraction]:
    """(tasks grouped, their joint cost bound). A set K of consultants cannot work more than it
    can give, and tasks whose every candidate consultant (for a requirement) lies in K must be
    carried by K. Where they ask for more (e.g. the two health consultants of one site and all its
    home visits), a fractional knapsack — drop the tasks that are cheapest to drop per minute —
    bounds their joint cost. K ranges over the tasks' own consultant sets, most overloaded first;
    each task joins at most one such group."""
    capacity = _Capacity(cs, minima)
    miss, best_any = minima.miss, minima.best_any
    wanted = [ti for ti in miss if best_any[ti] < miss[ti]]
    overload = {}
    for k_set in capacity.options():
        demand = capacity.demand_on(k_set, wanted)
        usable = capacity.usable(k_set, capacity.shortest(k_set, demand))
        d = sum(demand.values())
        if d > usable:
            overload[k_set] = Fraction(d, max(1, usable))
    assigned: set[int] = set()
    total = Fraction(0)
    for k_set in sorted(overload, key=lambda k: (-overload[k], len(k), sorted(k))):
        group = capacity.demand_on(k_set, (ti for ti in miss if ti not in assigned))
        active = [(ti, d) for ti, d in group.items() if best_any[ti] < miss[ti]]
        usable = capacity.usable(k_set, capacity.shortest(k_set, (ti for ti, _ in active)))
        if sum(d for _, d in active) <= usable:
            continue  # no longer binding once earlier groups took their tasks
        total += sum((miss[ti] for ti in group), Fraction(0)) - _knapsack_saved(minima, active, usable)
        assigned |= set(group)
    return assigned, total


def _knapsack_saved(minima: _Minima, active: list[tuple[int, int]], capacity: int) -> Fraction:
    """Most unplaced cost that placing (fractions of) the `active` (task, minutes) can save within
    `capacity` minutes: best saving per minute first."""
    miss, best_any = minima.miss, minima.best_any
    left = Fraction(capacity)
    saved = Fraction(0)
    for ti, d in sorted(active, key=lambda it: (-(miss[it[0]] - best_any[it[0]]) / it[1], it[0])):
        share = min(Fraction(1), left / d)
        saved += share * (miss[ti] - best_any[ti])
        left -= share * d
        if left <= 0:
            break
    return saved


# -- clashing pairs --------------------------------------------------------------------------------


def _conflicting_pairs(cs: CandidateSet, tasks: list[int]) -> list[tuple[int, int]]:
    """Pairs of tasks that can never both be placed: every start of one clashes with every start
    of the other for a shared citizen (overlap, or together over the citizen's daily cap). Only
    tasks with few distinct starts (fixed group sessions, pins) are compared."""
    problem, idx = cs.problem, cs.index
    starts = {ti: sorted({cs.candidates[i].start for i in cs.by_task[ti]}) for ti in tasks}
    few = [ti for ti in tasks if 0 < len(starts[ti]) <= _FEW_STARTS]
    by_citizen: dict[int, list[int]] = {}
    for ti in few:
        for zid in problem.tasks[ti].citizen_ids:
            by_citizen.setdefault(zid, []).append(ti)
    pairs: set[tuple[int, int]] = set()
    for zid, group in by_citizen.items():
        cap = idx.citizens[zid].max_minutes_per_day
        for i, a in enumerate(group):
            da = problem.tasks[a].duration_slots
            for b in group[i + 1 :]:
                db = problem.tasks[b].duration_slots
                over_cap = cap is not None and (da + db) * problem.slot_minutes > cap

                def clash(sa: int, sb: int, da: int = da, db: int = db, over_cap: bool = over_cap) -> bool:
                    overlap = sa < sb + db and sb < sa + da
                    return overlap or (over_cap and problem.day_of(sa) == problem.day_of(sb))

                if all(clash(sa, sb) for sa in starts[a] for sb in starts[b]):
                    pairs.add((min(a, b), max(a, b)))
    return sorted(pairs)


def _pairs_bound(cs: CandidateSet, minima: _Minima, assigned: set[int]) -> tuple[set[int], Fraction]:
    """(tasks matched, their joint cost bound). Of two tasks that cannot both be placed, one pays
    its unplaced cost. A greedy matching keeps the pairs disjoint, so their bounds add up."""
    miss, best_any, alone = minima.miss, minima.best_any, minima.alone
    pair_gain: list[tuple[Fraction, int, int]] = []
    for a, b in _conflicting_pairs(cs, [ti for ti in miss if ti not in assigned]):
        together = min(miss[a] + best_any[b], best_any[a] + miss[b], miss[a] + miss[b])
        gain = together - alone(a) - alone(b)
        if gain > 0:
            pair_gain.append((gain, a, b))
    matched: set[int] = set()
    total = Fraction(0)
    for gain, a, b in sorted(pair_gain, key=lambda g: (-g[0], g[1], g[2])):
        if a in matched or b in matched:
            continue
        matched |= {a, b}
        total += alone(a) + alone(b) + gain
    return matched, total


# -- citizen trips ---------------------------------------------------------------------------------


def _trips_bound(cs: CandidateSet, minima: _Minima, taken: set[int]) -> Fraction:
    """The remaining tasks alone; a citizen's own (single-citizen) tasks together: either none is
    placed on a trip day (cost >= A) or at least one is (cost >= B + one trip)."""
    per_citizen: dict[int, list[int]] = {}
    total = Fraction(0)
    for ti in minima.miss:
        if ti in taken:
            continue
        if ti in minima.best_no_trip:
            per_citizen.setdefault(cs.problem.tasks[ti].citizen_ids[0], []).append(ti)
        else:
            total += minima.alone(ti)
    for items in per_citizen.values():
        a = sum((_without_trip(minima, t) for t in items), Fraction(0))
        b = sum((minima.alone(t) for t in items), Fraction(0))
        total += a if a <= b else min(a, b + cs.problem.weights.citizen_trip)
    return total


def _without_trip(minima: _Minima, ti: int) -> Fraction:
    best = minima.best_no_trip[ti]
    return minima.miss[ti] if best is None else min(minima.miss[ti], best)
