"""Enumerate feasible placements ("candidates") per task, and explain tasks that have none.

Only candidates that respect every per-task hard rule are created (availability incl. travel,
opening hours, windows, external presence, staff types, room size/features), so the CP-SAT
model only has to deal with resource sharing. Identical rooms of a site are pooled into a room
class with a count; actual rooms are assigned after solving (interval colouring).
"""

from __future__ import annotations

import hashlib
import itertools
from dataclasses import dataclass, field

from solver.explain import no_candidates
from solver.lookup import Index, covers, eligible_consultants, mask_of, staff_label
from solver.objective import placement_costs
from solver.problem import Cause, Consultant, Place, Placement, Problem, Ref, Task


@dataclass(frozen=True, slots=True)
class RoomClass:
    """Identical rooms of one site (same capacity and features), used as a counted pool."""

    index: int
    site_id: int
    capacity: int
    features: frozenset[str]
    room_ids: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Candidate:
    task_index: int
    start: int
    consultant_ids: tuple[int, ...]
    busy: tuple[tuple[int, int, int], ...]  # (consultant id, first slot, end slot) incl. travel
    site_id: int | None
    room_class: int | None
    room_id: int | None  # only for pinned placements: that exact room
    cost: int  # sum of `costs`
    costs: tuple[int, ...]  # each placement term's cost (objective.placement_costs, PLACEMENT_TERMS order)
    load: tuple[tuple[int, int], ...]  # (consultant id, minutes) incl. travel
    places: tuple[str | None, ...] = ()  # where each consultant is (Index.location), in consultant order


@dataclass(slots=True)
class CandidateSet:
    problem: Problem
    index: Index
    candidates: list[Candidate] = field(default_factory=list)
    by_task: list[list[int]] = field(default_factory=list)
    reasons: dict[str, str] = field(default_factory=dict)  # task id -> Danish reason (no candidates)
    causes: dict[str, Cause] = field(default_factory=dict)  # task id -> the same reason, structured
    room_classes: list[RoomClass] = field(default_factory=list)
    class_of_room: dict[int, int] = field(default_factory=dict)
    breaks: object | None = None  # solver.breaks.Breaks, built on first use (False: no break rules)
    # Consultants whose minutes (incl. trips) the bounds may cap by their contract only, not by
    # their free working time (solver.relaxed: chained visits share trips).
    contract_only: frozenset[int] = frozenset()

    def no_candidate_task_ids(self) -> frozenset[str]:
        return frozenset(self.reasons)


def _room_classes(problem: Problem) -> tuple[list[RoomClass], dict[int, int]]:
    groups: dict[tuple[int, int, frozenset[str]], list[int]] = {}
    for r in sorted(problem.rooms, key=lambda r: r.id):
        groups.setdefault((r.site_id, r.capacity, r.features), []).append(r.id)
    classes = [
        RoomClass(i, site, cap, feats, tuple(ids))
        for i, ((site, cap, feats), ids) in enumerate(sorted(groups.items(), key=lambda kv: (kv[0][0], kv[0][1])))
    ]
    return classes, {rid: rc.index for rc in classes for rid in rc.room_ids}


def _stable_hash(*parts: object) -> int:
    """Deterministic across processes (Python's hash() is salted)."""
    return int.from_bytes(hashlib.blake2b(repr(parts).encode(), digest_size=8).digest(), "big")


def _start_slots(problem: Problem, task: Task, step: int) -> list[int]:
    if task.fixed_start is not None:
        return [task.fixed_start]
    spd = problem.slots_per_day
    dur = task.duration_slots
    starts = [
        s
        for s in range(task.window.start, task.window.end - dur + 1)
        if (s % spd) % step == 0 and s // spd == (s + dur - 1) // spd
    ]
    prev = task.previous
    if (
        prev is not None
        and prev.start_slot not in starts
        and task.window.contains(prev.start_slot, prev.start_slot + dur)
    ):
        # Staying put must always be possible, even off the coarse start grid.
        starts.append(prev.start_slot)
        starts.sort()
    return starts


def build(problem: Problem, index: Index | None = None) -> CandidateSet:
    idx = index or Index(problem)
    cs = CandidateSet(problem, idx)
    cs.room_classes, cs.class_of_room = _room_classes(problem)
    consultants = sorted(problem.consultants, key=lambda c: c.id)
    for ti, task in enumerate(problem.tasks):
        found = (
            _pinned_candidates(cs, ti, task)
            if task.pinned is not None
            else _without_overlong(cs, task, _task_candidates(cs, ti, task, consultants))
        )
        first = len(cs.candidates)
        cs.candidates.extend(found)
        cs.by_task.append(list(range(first, len(cs.candidates))))
        if not found and task.id not in cs.reasons:
            def fits(t: Task, ti: int = ti) -> bool:
                return bool(_task_candidates(cs, ti, t, consultants))

            cs.reasons[task.id], cs.causes[task.id] = no_candidates(idx, task, consultants, fits)
    return cs


def _without_overlong(cs: CandidateSet, task: Task, found: list[Candidate]) -> list[Candidate]:
    """An appointment longer than a run limit on its own can never be planned (the verifier's run
    checks): a citizen's limit (accommodation) rules out every candidate, the consultants' limit
    (day rules) every candidate except on a consultant's day already broken by bookings in other
    plans (a day the verifier leaves alone; any booking that day keeps the candidate, to be safe)."""
    problem = cs.problem
    dur = task.duration_slots
    for zid in task.citizen_ids:
        limit = cs.index.citizens[zid].max_run_minutes
        if limit is not None and dur > problem.run_slots(limit):
            return []
    limit = problem.rules.max_run_minutes
    if not found or limit is None or dur <= problem.run_slots(limit):
        return found
    booked = {(c.id, problem.day_of(b.start)) for c in problem.consultants for b in c.bookings}
    return [c for c in found if all((kid, problem.day_of(c.start)) in booked for kid in c.consultant_ids)]


def _citizen_mask(idx: Index, task: Task, site_id: int | None = None) -> int:
    """Slots all the task's citizens can attend it; for a site task at `site_id`, or (None) at
    any of its sites."""
    if task.place != Place.SITE:
        m = -1  # all ones
        for zid in task.citizen_ids:
            m &= idx.citizen_presence(zid, task.place, task.location_id)
        return m
    out = 0
    for sid in [site_id] if site_id is not None else sorted(task.site_ids):
        m = -1
        for zid in task.citizen_ids:
            m &= idx.citizen_presence(zid, Place.SITE, idx.sites[sid].location_id)
        out |= m
    return out


def _suitable_class(cs: CandidateSet, task: Task, site_id: int) -> int | None:
    need = task.needed_capacity()
    fits = [
        rc
        for rc in cs.room_classes
        if rc.site_id == site_id and rc.capacity >= need and task.room_features <= rc.features
    ]
    if not fits:
        return None
    # Smallest adequate class keeps big group rooms free and candidates few.
    return min(fits, key=lambda rc: (rc.capacity, len(rc.features), rc.index)).index


def _rank_consultants(problem: Problem, idx: Index, task: Task, pool: list[Consultant]) -> list[Consultant]:
    window_bits = mask_of((task.window,))

    def key(c: Consultant) -> tuple[int, int, int, int]:
        free = bin(idx.consultant_avail[c.id] & window_bits).count("1")
        return (
            0 if c.id in task.preferred_consultant_ids else 1,
            0 if c.home_site_id in task.site_ids else 1,
            -(free // 8),  # coarse, so the hash below spreads work among similar consultants
            _stable_hash(task.id, c.id),
        )

    ranked = sorted(pool, key=key)
    keep = ranked[: problem.params.max_consultants_per_requirement]
    for c in ranked[problem.params.max_consultants_per_requirement :]:
        if c.id in task.preferred_consultant_ids:
            keep.append(c)
    return keep


def _combos(problem: Problem, idx: Index, task: Task, consultants: list[Consultant]) -> list[tuple[Consultant, ...]]:
    """Distinct consultant combinations, best first (preferred consultants, then rank). Not
    capped here: `_task_candidates` keeps the first `max_consultant_combos` that have at least
    one feasible start, so a multi-consultant task never loses all its options to the cap."""
    per_req = [
        _rank_consultants(problem, idx, task, eligible_consultants(problem, task, req, consultants))
        for req in task.staff_requirements
    ]
    combos = [combo for combo in itertools.product(*per_req) if len({c.id for c in combo}) == len(combo)]
    pos = [{c.id: i for i, c in enumerate(lst)} for lst in per_req]
    preferred = set(task.preferred_consultant_ids)
    combos.sort(
        key=lambda combo: (
            -sum(c.id in preferred for c in combo),
            sum(pos[i][c.id] for i, c in enumerate(combo)),
        )
    )
    return combos


def _make(
    cs: CandidateSet,
    ti: int,
    task: Task,
    start: int,
    combo: tuple[Consultant, ...],
    site_id: int | None,
    room_class: int | None,
    room_id: int | None = None,
) -> Candidate:
    idx = cs.index
    ids = tuple(c.id for c in combo)
    busy = tuple((c.id, *idx.busy_interval(c, task, start)) for c in combo)
    costs = placement_costs(idx, task, start, ids)
    places = tuple(idx.location(c, task, site_id) for c in combo) if idx.travel_on else ()
    return Candidate(
        task_index=ti,
        start=start,
        consultant_ids=ids,
        busy=busy,
        site_id=site_id,
        room_class=room_class,
        room_id=room_id,
        cost=sum(costs),
        costs=costs,
        load=tuple((c.id, idx.load_minutes(c, task)) for c in combo),
        places=places,
    )


def _reachable(
    idx: Index, combo: tuple[Consultant, ...], task: Task, site_id: int | None, starts: list[int]
) -> list[int]:
    """Starts at which every consultant of `combo` can get to the task and back to their home site
    within their working time (and, with travel in the day, keep clear of their bookings)."""
    dur = task.duration_slots
    trips = [idx.home_trip_slots(c, task, site_id) for c in combo]
    ok = [
        s
        for s in starts
        # Travel before the first slot of the week is impossible; check it first, because
        # covers() cannot shift by a negative amount.
        if all(s - t >= 0 for t in trips)
        and all(covers(idx.consultant_shift[c.id], s - t, s + dur + t) for c, t in zip(combo, trips, strict=True))
    ]
    if idx.travel_on and any(c.bookings for c in combo):
        places = [idx.location(c, task, site_id) for c in combo]
        ok = [
            s
            for s in ok
            if all(idx.clear_of_bookings(c.id, loc, s, s + dur) for c, loc in zip(combo, places, strict=True))
        ]
    return ok


def _task_candidates(cs: CandidateSet, ti: int, task: Task, consultants: list[Consultant]) -> list[Candidate]:
    problem, idx = cs.problem, cs.index
    dur = task.duration_slots
    starts = _start_slots(problem, task, problem.params.start_step_slots)
    base = _citizen_mask(idx, task)
    if task.external_windows is not None:
        base &= mask_of(task.external_windows)
    if problem.params.edge_starts and problem.params.start_step_slots > 1 and task.fixed_start is None:
        starts = sorted(set(starts) | _edge_starts(cs, task, base, consultants))
    starts = [s for s in starts if covers(base, s, s + dur)]
    if not starts:
        return []
    out: list[Candidate] = []
    kept = 0
    prev = tuple(task.previous.consultant_ids) if task.previous is not None else None
    for combo in _combos(problem, idx, task, consultants):
        is_prev = prev is not None and tuple(c.id for c in combo) == prev
        if kept >= problem.params.max_consultant_combos and not is_prev:
            continue  # the previous (published) combination is always kept
        found = (
            _site_candidates(cs, ti, task, combo, starts)
            if task.place == Place.SITE
            else _off_site_candidates(cs, ti, task, combo, starts)
        )
        if found is None:
            continue
        if len(task.staff_requirements) > 1:
            kept += 1
        out.extend(found)
    return out


def _edge_starts(cs: CandidateSet, task: Task, base: int, consultants: list[Consultant]) -> set[int]:
    """Starts off the coarse grid where the data need them: the task begins where the citizens'
    (or an eligible consultant's) free time begins, or ends where it ends — e.g. a talk right after
    an internship ending at 15:15. Only inside the task's window and one day."""
    problem, idx = cs.problem, cs.index
    dur, spd = task.duration_slots, problem.slots_per_day
    masks = [base & mask_of((task.window,))]
    for req in task.staff_requirements:
        masks += [idx.consultant_avail[c.id] for c in eligible_consultants(problem, task, req, consultants)]
    found: set[int] = set()
    for m in masks:
        begins = m & ~(m << 1)
        ends = m & ~(m >> 1)  # last slot of each run
        while begins:
            low = begins & -begins
            found.add(low.bit_length() - 1)
            begins ^= low
        while ends:
            low = ends & -ends
            found.add(low.bit_length() - dur)
            ends ^= low
    return {
        s
        for s in found
        if task.window.start <= s and s + dur <= task.window.end and s // spd == (s + dur - 1) // spd
    }


def _off_site_candidates(
    cs: CandidateSet, ti: int, task: Task, combo: tuple[Consultant, ...], starts: list[int]
) -> list[Candidate] | None:
    """Phone and visits; None when the consultants cannot make any start."""
    ok_starts = _reachable(cs.index, combo, task, None, starts)
    if not ok_starts:
        return None
    return [_make(cs, ti, task, s, combo, None, None) for s in ok_starts]


def _site_candidates(
    cs: CandidateSet, ti: int, task: Task, combo: tuple[Consultant, ...], starts: list[int]
) -> list[Candidate] | None:
    """At every site the consultants serve, in the smallest adequate room class; None when the
    consultants cannot make any start."""
    idx = cs.index
    dur = task.duration_slots
    served = set(task.site_ids)
    for c in combo:
        served &= c.site_ids
    # Without travel in the day the trips (none for site tasks) do not depend on the site.
    shared = None if idx.travel_on else _reachable(idx, combo, task, None, starts)
    per_site = [
        (sid, shared if shared is not None else _reachable(idx, combo, task, sid, starts)) for sid in sorted(served)
    ]
    if not (shared if shared is not None else any(ok for _, ok in per_site)):
        return None
    out: list[Candidate] = []
    for site_id, ok_starts in per_site:
        rc = _suitable_class(cs, task, site_id)
        if rc is None:
            continue
        open_mask = idx.site_open[site_id] & _citizen_mask(idx, task, site_id)
        for s in ok_starts:
            if covers(open_mask, s, s + dur):
                out.append(_make(cs, ti, task, s, combo, site_id, rc))
    return out


def _pinned_candidates(cs: CandidateSet, ti: int, task: Task) -> list[Candidate]:
    """A pin has exactly one candidate; if it cannot be held, say why in Danish."""
    problem, idx = cs.problem, cs.index
    pin = task.pinned
    assert pin is not None
    when = problem.format_slot(pin.start_slot)
    start, end = pin.start_slot, pin.start_slot + task.duration_slots
    prefix = f"Fastlåst tid {when} kan ikke holdes: "
    room = idx.rooms.get(pin.room_id) if task.place == Place.SITE and pin.room_id is not None else None
    site_id = room.site_id if room is not None else pin.site_id

    def refuse(text: str, person: Ref | None = None, obj: Ref | None = None, why: str = "") -> list[Candidate]:
        cs.reasons[task.id] = prefix + text
        cs.causes[task.id] = Cause("pin_broken", person, pin.start_slot, obj, {"blocker": why} if why else {})
        return []

    combo: list[Consultant] = []
    for kid, req in zip(pin.consultant_ids, task.staff_requirements, strict=True):
        c = idx.consultants[kid]
        who = Ref("consultant", c.id, c.name)
        if not c.staff_types & req:
            return refuse(f"{c.name} er ikke {staff_label(req)}", who, why="staff_type")
        if not _reachable(idx, (c,), task, site_id, [start]):
            text, why = _pin_consultant_blocker(idx, c, task, site_id, start)
            return refuse(text, who, why=why)
        combo.append(c)
    where = task.location_id
    if task.place == Place.SITE:
        where = idx.sites[site_id].location_id if site_id in idx.sites else None
    for zid in task.citizen_ids:
        if not covers(idx.citizen_presence(zid, task.place, where), start, end):
            z = idx.citizens[zid]
            return refuse(f"{z.label} er ikke til rådighed", Ref("citizen", zid, z.label), why="citizen")
    room_class: int | None = None
    if task.place == Place.SITE:
        if room is None:
            return refuse("der er ikke angivet et kendt lokale", why="room_none")
        site_id = room.site_id
        if not covers(idx.site_open[site_id], start, end):
            site = idx.sites[site_id]
            return refuse(f"{site.name} er lukket", obj=Ref("site", site.id, site.name), why="site_closed")
        if room.capacity < task.needed_capacity() or not task.room_features <= room.features:
            name = room.name or str(room.id)
            return refuse(f"lokale {name} passer ikke til aftalen", obj=Ref("room", room.id, name), why="room_none")
        room_class = cs.class_of_room[room.id]
    else:
        site_id = None
    room_id = pin.room_id if task.place == Place.SITE else None
    return [_make(cs, ti, task, start, tuple(combo), site_id, room_class, room_id)]


def _pin_consultant_blocker(idx: Index, c: Consultant, task: Task, site_id: int | None, start: int) -> tuple[str, str]:
    """Why a pinned consultant cannot make their pinned time: absent, not working then, or (working)
    booked elsewhere or unable to get there and back."""
    trip = idx.home_trip_slots(c, task, site_id)
    s0, s1 = start - trip, start + task.duration_slots + trip
    if s0 >= 0 and covers(idx.consultant_shift[c.id], s0, s1):
        return f"{c.name} har en anden aftale eller kan ikke nå frem og tilbage", "consultant_full"
    if s0 >= 0 and covers(mask_of(c.available) | mask_of(c.absent), s0, s1):
        return f"{c.name} er fraværende", "consultant_absent"
    return f"{c.name} arbejder ikke på det tidspunkt", "consultant_hours"


def explain_no_candidates(cs: CandidateSet, task: Task, consultants: list[Consultant]) -> str:
    """Danish, actionable reason why a task has no feasible placement at all (solver.explain)."""
    return no_candidates(cs.index, task, consultants)[0]


def placement_of(cs: CandidateSet, cand: Candidate, room_id: int | None) -> Placement:
    task = cs.problem.tasks[cand.task_index]
    return Placement(task.id, cand.start, cand.consultant_ids, room_id, cand.site_id)
