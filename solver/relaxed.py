"""A lower bound for the real problem: no consultant cap, every 15-minute start, every room.

`bounds.combinatorial_bound` and CP-SAT bound the objective over the *candidate set* (at most
`max_consultants_per_requirement` consultants per requirement, `max_consultant_combos`
combinations, starts on the `start_step_slots` grid, the smallest adequate room class, visits
with both home trips inside one working window). A plan outside that set could be cheaper. This
module bounds every plan `verify()` accepts.

It does not enumerate combinations. Per task it relaxes the rules *per resource*:

* a start is possible when the task's own rules hold there (window, one day, fixed start,
  external presence, every citizen present at some allowed site that is open and has a room big
  enough with the features);
* requirement j can be met at a start by consultant k when k has the staff type, may take the
  task, serves one of those sites and is free for the appointment (without travel in the day:
  with the trips to the visit and back, as the verifier checks); the requirements are
  independent of each other (distinctness and the chain of a consultant's day are dropped);
* the cost of a placement at start s is at least the start's own terms (citizen days, gaps) plus,
  per requirement, the cheapest consultant free at s (preferred times, caseload), with the
  contact term 0 only if some requirement can be met by a preferred consultant at s, and the
  moved term 0 only at the published start with the published consultants.

These per-start bounds become *pseudo-candidates* (one per possible start, plus one per
consultant that can meet a requirement somewhere, so every eligible consultant is seen), and the
ordinary `combinatorial_bound` runs on them. Its arguments (per-task minima, load-balance cuts
over the consultants that must carry a set of tasks, capacity knapsacks, clashing fixed sessions,
citizen trips) only ever use minima over the candidates, the sets of consultants that appear and
the starts, so with these pseudo-candidates they hold for every real plan. With travel in the day
a consultant's minutes are counted without trips (chained visits share them; the verifier's
contracted minutes count more, so this only weakens the bound).

The same relaxation also feeds the linear relaxation of `solver.lp_bound.real_lp_bound` (a task's
start and its consultants as separate columns); `real_bound` is the larger of the two.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from solver.bounds import combinatorial_bound
from solver.candidates import Candidate, CandidateSet, eligible_consultants
from solver.lookup import Index, mask_of
from solver.lp_bound import Relaxed, RelaxedOption, real_lp_bound
from solver.objective import citizen_gap_cost, placement_cost, preference_cost, unplaced_cost
from solver.problem import Consultant, Place, Problem, Task


@dataclass(frozen=True, slots=True)
class RealBound:
    bound: int  # lower bound on the objective of every plan that passes verify()
    unavoidable: int  # unplaced costs of tasks that no plan at all can place

    def gap(self, objective: int) -> float | None:
        """(objective - bound) / (objective - unavoidable): how far a plan may be from the best
        possible one, on what any plan can influence."""
        avoidable = objective - self.unavoidable
        if avoidable <= 0:
            return 0.0 if objective <= self.bound else None
        return max(0.0, (objective - self.bound) / avoidable)


def real_bound(
    problem: Problem, index: Index | None = None, stop: Callable[[], bool] | None = None
) -> RealBound | None:
    """A lower bound on `objective.evaluate()` of every plan that passes `verify()`: the larger of
    the combinatorial bound and the LP bound (solver.lp_bound) over the relaxation; None when
    `stop()` turned true on the way (checked every few tasks, so a cancel is not held up)."""
    found = relaxed_candidates(problem, index, stop)
    if found is None:
        return None
    cs, relaxed = found
    unavoidable = sum(unplaced_cost(cs.index, problem.tasks[ti]) for ti, rel in enumerate(relaxed) if rel is None)
    bound = combinatorial_bound(cs)
    if stop is None or not stop():
        bound = max(bound, real_lp_bound(cs, relaxed) or bound)
    return RealBound(bound, unavoidable)


def real_gap_of(stats: Mapping[str, object], objective: float | None) -> tuple[int | None, float | None]:
    """(real bound, real gap) of a solved plan from its `Solution.stats`: the real-problem bound of
    one search, or the sum over the parts of a decomposed solve (`merge`: the parts are independent,
    so their bounds and unavoidable costs add up). (None, None) when any part has no real bound
    (a cancel, or a plan that was settled without a search)."""
    parts = stats.get("parts")
    runs = parts if isinstance(parts, list) and parts else [stats]
    if objective is None or not all(isinstance(r, Mapping) and "real_bound" in r for r in runs):
        return None, None
    bound = sum(int(r["real_bound"]) for r in runs)  # type: ignore[call-overload]
    unavoidable = sum(int(r["real_unavoidable"]) for r in runs)  # type: ignore[call-overload]
    return bound, RealBound(bound, unavoidable).gap(int(round(objective)))


def _startable(mask: int, length: int) -> int:
    """Bits s such that slots s .. s+length-1 are all in `mask`."""
    m = mask
    for k in range(1, length):
        m &= mask >> k
        if not m:
            break
    return m


def _bits(mask: int) -> list[int]:
    out = []
    while mask:
        low = mask & -mask
        out.append(low.bit_length() - 1)
        mask ^= low
    return out


@dataclass(slots=True)
class _Option:
    """One consultant for one requirement of a task: where they can start, and at what cost."""

    consultant: Consultant
    starts: int  # bit mask of starts
    pref_ok: int  # starts inside the consultant's preferred time (all ones without a preference)
    caseload: int  # caseload cost of this consultant for this task
    minutes: int  # minutes counted against load balance and capacity


class _Relaxer:
    def __init__(self, problem: Problem, index: Index) -> None:
        self.problem, self.idx = problem, index
        self.consultants = sorted(problem.consultants, key=lambda c: c.id)
        self.all_ones = (1 << problem.num_slots) - 1
        spd = problem.slots_per_day
        # starts whose appointment of `length` slots stays within one day
        self._same_day: dict[int, int] = {}
        self._day_bits = [((1 << spd) - 1) << (d * spd) for d in range(problem.num_slots // spd)]
        self.contract_only: set[int] = set()
        self.home_dist = _home_distances(problem, index) if index.travel_on else {}

    def same_day(self, length: int) -> int:
        found = self._same_day.get(length)
        if found is None:
            found = 0
            for bits in self._day_bits:
                found |= _startable(bits, length)
            self._same_day[length] = found
        return found

    def base_starts(self, task: Task) -> int:
        """Starts allowed by the task's own rules, before sites and consultants."""
        dur = task.duration_slots
        m = _startable(mask_of((task.window,)), dur) & self.same_day(dur)
        if task.fixed_start is not None:
            m &= 1 << task.fixed_start
        if task.pinned is not None:
            m &= 1 << task.pinned.start_slot
        if task.external_windows is not None:
            m &= _startable(mask_of(task.external_windows), dur)
        for zid in task.citizen_ids:  # longer than a citizen may be in appointments in a row
            limit = self.idx.citizens[zid].max_run_minutes
            if limit is not None and dur > self.problem.run_slots(limit):
                return 0
        return m

    def site_starts(self, task: Task) -> dict[int | None, int]:
        """Per allowed site (None for tasks away from the site): starts at which the citizens are
        present there, the site is open and some room fits."""
        idx, dur = self.idx, task.duration_slots
        if task.place != Place.SITE:
            m = self.all_ones
            for zid in task.citizen_ids:
                m &= idx.citizen_presence(zid, task.place, task.location_id)
            return {None: _startable(m, dur)}
        need = task.needed_capacity()
        pin_room = task.pinned.room_id if task.pinned is not None else None
        out: dict[int | None, int] = {}
        for sid in sorted(task.site_ids):
            rooms = [r for r in self.problem.rooms if r.site_id == sid and (pin_room is None or r.id == pin_room)]
            if not any(r.capacity >= need and task.room_features <= r.features for r in rooms):
                continue
            m = idx.site_open.get(sid, 0)
            for zid in task.citizen_ids:
                m &= idx.citizen_presence(zid, Place.SITE, idx.sites[sid].location_id)
            out[sid] = _startable(m, dur)
        return out

    def options(self, task: Task, j: int, sites: dict[int | None, int], starts: int) -> list[_Option]:
        problem, idx, dur = self.problem, self.idx, task.duration_slots
        req = task.staff_requirements[j]
        pool = eligible_consultants(problem, task, req, self.consultants)
        if task.pinned is not None:
            pool = [c for c in pool if c.id == task.pinned.consultant_ids[j]]
        w = problem.weights
        new_citizen = len(task.citizen_ids) == 1 and idx.citizens[task.citizen_ids[0]].contact_consultant_id is None
        out: list[_Option] = []
        for c in pool:
            served = 0
            for sid, m in sites.items():
                if sid is None or sid in c.site_ids:
                    served |= m
            m = served & starts & self.free_starts(c, task, sites)
            if not m:
                continue
            pref = idx.consultant_pref[c.id]
            minutes = idx.load_minutes(c, task)
            if minutes > dur * problem.slot_minutes and idx.travel_on:
                self.contract_only.add(c.id)
            out.append(
                _Option(
                    consultant=c,
                    starts=m,
                    pref_ok=_startable(pref, dur) if pref else self.all_ones,
                    caseload=w.caseload if new_citizen and c.caseload >= c.max_caseload else 0,
                    minutes=minutes,
                )
            )
        return out


    def free_starts(self, c: Consultant, task: Task, sites: dict[int | None, int]) -> int:
        """Starts at which consultant c is free for the task. Without travel in the day: the visit
        with its trips inside free working time (as the verifier checks). With it: the appointment
        inside free working time, and the shortest chain of trips from the home site before it and
        back after it inside the same working window (`_home_distances`)."""
        idx, dur = self.idx, task.duration_slots
        if not idx.travel_on:
            travel = idx.travel_slots(c, task)
            return (_startable(idx.consultant_avail[c.id], dur + 2 * travel) << travel) & self.run_days(c, dur)
        free = _startable(idx.consultant_avail[c.id], dur)
        dist = self.home_dist[idx.sites[c.home_site_id].location_id]
        shift = idx.consultant_shift[c.id]
        out = 0
        for sid in sites:
            if sid is not None and sid not in c.site_ids:
                continue
            loc = idx.location(c, task, sid)
            trip = dist.get(loc, 0)
            out |= _startable(shift, trip + dur + trip) << trip
        return free & out & self.run_days(c, dur)

    def run_days(self, c: Consultant, dur: int) -> int:
        """Days on which c may hold an appointment of `dur` slots: every day, unless it alone is
        longer than the consultants' longest run; then only days with bookings in other plans (the
        verifier leaves a day alone whose bookings already break the limit)."""
        problem = self.problem
        limit = problem.rules.max_run_minutes
        if limit is None or dur <= problem.run_slots(limit):
            return -1
        spd = problem.slots_per_day
        out = 0
        for day in {problem.day_of(b.start) for b in c.bookings}:
            out |= ((1 << spd) - 1) << (day * spd)
        return out


def _home_distances(problem: Problem, idx: Index) -> dict[str | None, dict[str | None, int]]:
    """Per home site location: the shortest chain of trips (in whole slots, as the verifier counts
    them) to every place a consultant can stop at. Any day that reaches a place from the home
    site, or gets back from it, spends at least that long travelling (trips are symmetric)."""
    places: set[str | None] = {s.location_id for s in problem.sites}
    places |= {t.location_id for t in problem.tasks if t.location_id is not None}
    places |= {b.location_id for c in problem.consultants for b in c.bookings}
    nodes = sorted(places, key=lambda p: (p is not None, p or ""))
    out: dict[str | None, dict[str | None, int]] = {}
    for h in {idx.sites[c.home_site_id].location_id for c in problem.consultants}:
        dist = {p: idx.trip(h, p) for p in nodes}
        dist[h] = 0
        todo = set(nodes)
        while todo:  # Dijkstra on the complete graph of places
            y = min(todo, key=lambda p: dist[p])
            todo.discard(y)
            for z in todo:
                via = dist[y] + idx.trip(y, z)
                if via < dist[z]:
                    dist[z] = via
        out[h] = dist
    return out


def _option_cost(problem: Problem, opt: _Option, s: int) -> int:
    return opt.caseload + (0 if opt.pref_ok >> s & 1 else problem.weights.preference)


def _start_terms(idx: Index, task: Task, s: int) -> int:
    """The terms of a placement at s that do not depend on its consultants: citizen days and gaps."""
    return preference_cost(idx, task, s, ()) + citizen_gap_cost(idx, task, s, ())


def _own_cost(problem: Problem, idx: Index, task: Task, s: int) -> int:
    """At least what a placement at s costs before its consultants are chosen: the start's own
    terms, and the moved term unless s is the published start."""
    prev = task.previous
    moved = prev is not None and prev.start_slot != s
    return _start_terms(idx, task, s) + (problem.weights.moved_from_published if moved else 0)


def _least_cost(
    problem: Problem, idx: Index, task: Task, s: int, per_req: list[list[_Option]]
) -> tuple[int, tuple[int, ...]]:
    """(a lower bound on the cost of any placement at s, one consultant per requirement free at s)."""
    preferred = set(task.preferred_consultant_ids)
    best: list[int] = []
    best_pref: list[int | None] = []
    ids: list[int] = []
    for opts in per_req:
        here = [o for o in opts if o.starts >> s & 1]
        costs = [(_option_cost(problem, o, s), o.consultant.id) for o in here]
        low = min(costs)
        best.append(low[0])
        ids.append(low[1])
        pref = [c for c, kid in costs if kid in preferred]
        best_pref.append(min(pref) if pref else None)
    own = _start_terms(idx, task, s)
    total = sum(best)
    if preferred:
        with_pref = [total - best[j] + p for j, p in enumerate(best_pref) if p is not None]
        total = min([total + problem.weights.not_contact_consultant, *with_pref])
    cost = own + total
    prev = task.previous
    if prev is not None:
        moved = cost + problem.weights.moved_from_published
        stay = prev.start_slot == s and all(
            any(o.consultant.id == kid and o.starts >> s & 1 for o in opts)
            for kid, opts in zip(prev.consultant_ids, per_req, strict=False)
        )
        if stay and len(prev.consultant_ids) == len(per_req):
            cost = min(moved, placement_cost(idx, task, s, tuple(prev.consultant_ids)))
        else:
            cost = moved
    return cost, tuple(ids)


def _pseudo(ti: int, s: int, ids: tuple[int, ...], cost: int, minutes: list[int]) -> Candidate:
    return Candidate(
        task_index=ti,
        start=s,
        consultant_ids=ids,
        busy=(),
        site_id=None,
        room_class=None,
        room_id=None,
        cost=cost,
        costs=(cost,),
        load=tuple(zip(ids, minutes, strict=True)),
    )


def _task_pseudo_candidates(rx: _Relaxer, ti: int, task: Task) -> tuple[list[Candidate], Relaxed | None]:
    """The task's pseudo-candidates, and the same relaxation for the LP (solver.lp_bound)."""
    problem, idx = rx.problem, rx.idx
    sites = rx.site_starts(task)
    starts = rx.base_starts(task)
    any_site = 0
    for m in sites.values():
        any_site |= m
    starts &= any_site
    if not starts:
        return [], None
    per_req = [rx.options(task, j, sites, starts) for j in range(len(task.staff_requirements))]
    for opts in per_req:
        covered = 0
        for o in opts:
            covered |= o.starts
        starts &= covered
    if not starts:
        return [], None
    per_req = [[o for o in opts if o.starts & starts] for opts in per_req]
    minutes = [min(o.minutes for o in opts) for opts in per_req]
    out: list[Candidate] = []
    cost_at: dict[int, tuple[int, tuple[int, ...]]] = {}
    for s in _bits(starts):
        cost_at[s] = _least_cost(problem, idx, task, s, per_req)
        out.append(_pseudo(ti, s, cost_at[s][1], cost_at[s][0], minutes))
    # Every consultant who can meet a requirement somewhere appears once (the bound's load and
    # capacity arguments use the set of consultants that appear).
    for j, opts in enumerate(per_req):
        seen = {cand.consultant_ids[j] for cand in out}
        for o in opts:
            if o.consultant.id in seen:
                continue
            s = (o.starts & starts).bit_length() - 1
            cost, ids = cost_at[s]
            out.append(_pseudo(ti, s, ids[:j] + (o.consultant.id,) + ids[j + 1 :], cost, minutes))
    relaxed = Relaxed(
        own_at={s: _own_cost(problem, idx, task, s) for s in cost_at},
        requirements=[
            [RelaxedOption(o.consultant.id, o.minutes, o.starts & starts, o.caseload, o.pref_ok) for o in opts]
            for opts in per_req
        ],
        preferred=frozenset(task.preferred_consultant_ids),
    )
    return out, relaxed


def relaxed_candidates(
    problem: Problem, index: Index | None = None, stop: Callable[[], bool] | None = None
) -> tuple[CandidateSet, list[Relaxed | None]] | None:
    """A CandidateSet of pseudo-candidates whose minima bound every real placement (module doc),
    and per task the same relaxation for the LP (None: no plan can place it); None when `stop()`
    turned true."""
    idx = index or Index(problem)
    rx = _Relaxer(problem, idx)
    cs = CandidateSet(problem, idx)
    relaxed: list[Relaxed | None] = []
    for ti, task in enumerate(problem.tasks):
        if stop is not None and ti % 20 == 0 and stop():
            return None
        found, rel = _task_pseudo_candidates(rx, ti, task)
        relaxed.append(rel)
        first = len(cs.candidates)
        cs.candidates.extend(found)
        cs.by_task.append(list(range(first, len(cs.candidates))))
        if not found:
            cs.reasons[task.id] = ""
    cs.contract_only = frozenset(rx.contract_only)
    return cs, relaxed

