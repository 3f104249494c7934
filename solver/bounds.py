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
from dataclasses import dataclass
from fractions import Fraction

from solver.candidates import CandidateSet

_FEW_STARTS = 8  # pairs are only checked between tasks with this few distinct starts (fixed times)


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


@dataclass(frozen=True, slots=True)
class _LoadCut:
    """``M * denominator >= 1000 * (minutes of placed tasks whose consultants all lie in
    `members`) - rounding + constant * denominator / w`` for one (group, staff type)."""

    members: frozenset[int]
    denominator: int  # contracted minutes of the unsaturated members
    constant: Fraction  # already multiplied by the weight; <= 0


def _eligible(cs: CandidateSet, ti: int, j: int) -> frozenset[int]:
    return frozenset(cs.candidates[i].consultant_ids[j] for i in cs.by_task[ti])


def _load_cuts(cs: CandidateSet) -> dict[tuple[object, str], _LoadCut]:
    """One valid inequality per (group, staff type) on its largest relative load M.

    For any subset K of the key's consultants, tasks whose every candidate consultant (for a
    requirement of exactly that type) lies in K must be carried by K. Consultants S in K who
    cannot carry their contract share (L_k <= cap_k = available or contracted minutes, whichever
    is less) are taken out with their whole capacity: M * C(K - S) >= 1000 * (D_K - cap(S)) -
    rounding. K is chosen among the whole key and the tasks' own consultant sets, and S by
    water-filling, so that the bound is largest at the demand of all placeable tasks."""
    problem, idx = cs.problem, cs.index
    w = problem.weights
    contract = {c.id: c.contracted_minutes_per_week for c in problem.consultants}
    cap = {
        c.id: min(c.contracted_minutes_per_week, bin(idx.consultant_avail[c.id]).count("1") * problem.slot_minutes)
        for c in problem.consultants
    }
    members: dict[tuple[object, str], set[int]] = {}
    for c in problem.consultants:
        for st in c.staff_types:
            members.setdefault((idx.group_of[c.id], st), set()).add(c.id)
    demand: dict[tuple[object, str], list[tuple[frozenset[int], int]]] = {}  # key -> (eligible, minutes)
    for ti, task in enumerate(problem.tasks):
        cands = [cs.candidates[i] for i in cs.by_task[ti]]
        if not cands:
            continue
        for j, req in enumerate(task.staff_requirements):
            if len(req) == 1:
                (st,) = req
                key = (idx.group_of[cands[0].consultant_ids[j]], st)
                demand.setdefault(key, []).append((_eligible(cs, ti, j), min(c.load[j][1] for c in cands)))

    def evaluate(subset: frozenset[int], d: int) -> tuple[Fraction, set[int], int]:
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

    cuts: dict[tuple[object, str], _LoadCut] = {}
    for key, everyone in members.items():
        items = demand.get(key, [])
        options = {frozenset(everyone)} | {e for e, _ in items if e}
        best: tuple[Fraction, frozenset[int], set[int], int] | None = None
        for subset in sorted(options, key=lambda o: (len(o), sorted(o))):
            d = sum(m for e, m in items if e <= subset)
            value, saturated, free = evaluate(subset, d)
            if free and (best is None or value > best[0]):
                best = (value, subset, saturated, free)
        if best is None or best[0] <= 0:
            continue  # nothing to gain over M >= 0 (or everyone saturated: see the capacity knapsack)
        _, subset, saturated, free = best
        constant = -Fraction(w.load_balance * 1000 * sum(cap[k] for k in saturated), free)
        cuts[key] = _LoadCut(subset, free, constant)
    return cuts


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


def combinatorial_bound(cs: CandidateSet) -> int:
    problem, idx = cs.problem, cs.index
    w = problem.weights
    key_max: dict[tuple[object, str], int] = {}
    for c in problem.consultants:
        for st in c.staff_types:
            key = (idx.group_of[c.id], st)
            key_max[key] = max(key_max.get(key, 0), c.contracted_minutes_per_week)
    cuts = _load_cuts(cs) if w.load_balance else {}
    total = sum((cut.constant for cut in cuts.values()), Fraction(0))
    miss: dict[int, Fraction] = {}
    best_any: dict[int, Fraction] = {}
    best_no_trip: dict[int, Fraction | None] = {}
    for ti, task in enumerate(problem.tasks):
        cands = [cs.candidates[i] for i in cs.by_task[ti]]
        if not cands:
            total += idx.unplaced_cost(task)
            continue
        miss[ti] = Fraction(idx.unplaced_cost(task))
        load_add = Fraction(0)
        for j, req in enumerate(task.staff_requirements):
            if len(req) != 1:
                continue
            (st,) = req
            key = (idx.group_of[cands[0].consultant_ids[j]], st)
            cut = cuts.get(key)
            if cut is None or not _eligible(cs, ti, j) <= cut.members:
                continue
            minutes = min(c.load[j][1] for c in cands)
            permille_sum = max(Fraction(0), minutes * 1000 - Fraction(key_max[key], 2))
            load_add += w.load_balance * permille_sum / cut.denominator
        best_any[ti] = min(c.cost for c in cands) + load_add
        if len(task.citizen_ids) == 1 and w.citizen_trip:
            z = idx.citizens[task.citizen_ids[0]]
            no_trip = [c.cost for c in cands if not idx.citizen_trip(task) or problem.day_of(c.start) in z.busy_days]
            best_no_trip[ti] = min(no_trip) + load_add if no_trip else None

    def alone(ti: int) -> Fraction:
        return min(miss[ti], best_any[ti])

    # Capacity: a set K of consultants cannot work more than their contracted or available
    # minutes, whichever is less, and tasks whose every candidate consultant (for a requirement)
    # lies in K must be carried by K. Where they ask for more (e.g. the two health consultants
    # of one site and all its home visits), a fractional knapsack — drop the tasks that are
    # cheapest to drop per minute — bounds their joint cost. K ranges over the tasks' own
    # consultant sets, most overloaded first; each task joins at most one such group.
    assigned: set[int] = set()
    runs = {c.id: _runs(idx.consultant_avail[c.id]) for c in problem.consultants}
    contract = {c.id: c.contracted_minutes_per_week for c in problem.consultants}

    def usable(k_set: frozenset[int], shortest: int) -> int:
        """Minutes K can give to tasks of at least `shortest` minutes: stretches of free time
        shorter than that cannot hold any of them."""
        size = -(-shortest // problem.slot_minutes)
        return sum(min(contract[k], sum(r for r in runs[k] if r >= size) * problem.slot_minutes) for k in k_set)

    needs: dict[int, list[tuple[frozenset[int], int]]] = {}  # task -> (eligible consultants, least minutes)
    for ti in miss:
        cands = [cs.candidates[i] for i in cs.by_task[ti]]
        needs[ti] = [
            (_eligible(cs, ti, j), min(c.load[j][1] for c in cands))
            for j in range(len(problem.tasks[ti].staff_requirements))
        ]

    def demand_on(k_set: frozenset[int], tasks: Iterable[int]) -> dict[int, int]:
        out: dict[int, int] = {}
        for ti in tasks:
            d = sum(m for e, m in needs[ti] if e <= k_set)
            if d:
                out[ti] = d
        return out

    wanted = [ti for ti in miss if best_any[ti] < miss[ti]]
    options = {e for lst in needs.values() for e, _ in lst if e}
    overload = {}

    def shortest(k_set: frozenset[int], tasks: Iterable[int]) -> int:
        return min((m for ti in tasks for e, m in needs[ti] if e <= k_set), default=0)

    for k_set in options:
        demand = demand_on(k_set, wanted)
        capacity = usable(k_set, shortest(k_set, demand))
        d = sum(demand.values())
        if d > capacity:
            overload[k_set] = Fraction(d, max(1, capacity))
    for k_set in sorted(overload, key=lambda k: (-overload[k], len(k), sorted(k))):
        group = demand_on(k_set, (ti for ti in miss if ti not in assigned))
        active = [(ti, d) for ti, d in group.items() if best_any[ti] < miss[ti]]
        capacity = usable(k_set, shortest(k_set, (ti for ti, _ in active)))
        if sum(d for _, d in active) <= capacity:
            continue  # no longer binding once earlier groups took their tasks
        left = Fraction(capacity)
        saved = Fraction(0)
        for ti, d in sorted(active, key=lambda it: (-(miss[it[0]] - best_any[it[0]]) / it[1], it[0])):
            share = min(Fraction(1), left / d)
            saved += share * (miss[ti] - best_any[ti])
            left -= share * d
            if left <= 0:
                break
        total += sum((miss[ti] for ti in group), Fraction(0)) - saved
        assigned |= set(group)

    # Pairs that cannot both be placed: one of them pays its unplaced cost. A greedy matching
    # keeps the pairs disjoint, so their bounds add up.
    matched: set[int] = set()
    pair_gain: list[tuple[Fraction, int, int]] = []
    for a, b in _conflicting_pairs(cs, [ti for ti in miss if ti not in assigned]):
        together = min(miss[a] + best_any[b], best_any[a] + miss[b], miss[a] + miss[b])
        gain = together - alone(a) - alone(b)
        if gain > 0:
            pair_gain.append((gain, a, b))
    for gain, a, b in sorted(pair_gain, key=lambda g: (-g[0], g[1], g[2])):
        if a in matched or b in matched:
            continue
        matched |= {a, b}
        total += alone(a) + alone(b) + gain

    per_citizen: dict[int, list[int]] = {}
    for ti in miss:
        if ti in matched or ti in assigned:
            continue
        if ti in best_no_trip:
            per_citizen.setdefault(problem.tasks[ti].citizen_ids[0], []).append(ti)
        else:
            total += alone(ti)
    for items in per_citizen.values():
        a = sum((min(miss[t], best_no_trip[t]) if best_no_trip[t] is not None else miss[t] for t in items), Fraction(0))  # type: ignore[type-var]
        b = sum((alone(t) for t in items), Fraction(0))
        total += a if a <= b else min(a, b + w.citizen_trip)
    return math.floor(total)
