"""Lunch breaks and run limits as data the model and greedy share (`breaks_of(cs)`).

Rules (off unless the Problem sets them; the verifier re-derives them exactly):

* Lunch (`Problem.lunch_of(consultant)`): on every day with a planned appointment, some
  `length` slots inside the lunch window are free of appointments, and (with travel in the day)
  the gap they sit in still holds the trip between its two appointments. Days on which the
  bookings in other plans alone leave no lunch are exempt (nothing we plan can fix them).
* Runs (`DayRules.max_run_minutes` for consultants, `Citizen.max_run_minutes`): no stretch of
  appointments longer than the limit without one free slot. Without travel in the day a
  consultant's visits take their trips along (as their busy time does); with it, two
  appointments belong to one run unless a free slot is left besides the trip between them.

Both are posed on one "padded span" per (candidate, consultant): without travel in the day the
busy interval (visits with their trips), with it the appointment plus the longest trip from its
place to any place of that consultant's day. A lunch position is free when no chosen padded span
touches it; then the appointment before it is at least its longest trip away from the one after.
A run is too long when a window of limit + 1 slots is fully covered; with padding, covered time
is at least the real run, so the model never allows what the verifier refuses (it may refuse a
little more when trips are long). Windows start only where a span starts: a fully covered stretch
starts at one.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from solver.candidates import Candidate, CandidateSet
from solver.problem import Booking, Consultant, Problem

Span = tuple[int, int, int]  # (consultant or citizen id, first slot, end slot)


@dataclass(frozen=True, slots=True)
class LunchDay:
    first: int  # first slot of the lunch window
    length: int  # slots
    positions: tuple[int, ...]  # lunch starts not blocked by (padded) bookings; none: plan nothing that day


@dataclass(slots=True)
class Breaks:
    problem: Problem
    travel_on: bool
    pad: dict[tuple[int, int, str | None], int]  # (consultant, day, place) -> longest trip (travel in the day)
    lunch: dict[tuple[int, int], LunchDay] = field(default_factory=dict)  # (consultant, day) with a lunch rule
    run_slots: int | None = None  # consultants' limit
    booked: dict[tuple[int, int], list[tuple[int, int]]] = field(default_factory=dict)  # padded bookings
    run_exempt: set[tuple[int, int]] = field(default_factory=set)  # (consultant, day) already over by bookings
    citizen_runs: dict[int, int] = field(default_factory=dict)  # citizen -> limit in slots

    def spans(self, cand: Candidate) -> tuple[Span, ...]:
        """The candidate's padded span per consultant, inside its day."""
        spd = self.problem.slots_per_day
        day = cand.start // spd
        out = []
        for k, (kid, s0, s1) in enumerate(cand.busy):
            extra = self.pad.get((kid, day, cand.places[k]), 0) if self.travel_on else 0
            out.append((kid, max(s0, day * spd), min(s1 + extra, (day + 1) * spd)))
        return tuple(out)

    def cores(self, cand: Candidate) -> tuple[Span, ...]:
        """The candidate's busy interval per consultant (with travel in the day: the appointment),
        inside its day."""
        spd = self.problem.slots_per_day
        day = cand.start // spd
        return tuple((kid, max(s0, day * spd), min(s1, (day + 1) * spd)) for kid, s0, s1 in cand.busy)

    def blocked(self, ld: LunchDay, a: int, b: int) -> frozenset[int]:
        """Lunch positions a padded span [a, b) touches."""
        return frozenset(p for p in ld.positions if a < p + ld.length and p < b)


def breaks_of(cs: CandidateSet) -> Breaks | None:
    """The break rules of `cs.problem` (cached on the candidate set); None when none is set."""
    if cs.breaks is None:
        cs.breaks = _build(cs) or False
    return cs.breaks or None  # type: ignore[return-value]


def _any_rule(problem: Problem) -> bool:
    return (
        problem.rules.lunch is not None
        or problem.rules.max_run_minutes is not None
        or any(s.lunch is not None for s in problem.sites)
        or any(z.max_run_minutes is not None for z in problem.citizens)
    )


def _build(cs: CandidateSet) -> Breaks | None:
    problem, idx = cs.problem, cs.index
    if not _any_rule(problem):
        return None
    pad = _padding(cs)
    spd = problem.slots_per_day
    br = Breaks(problem, idx.travel_on, pad)
    for c in problem.consultants:
        for day in range(5):
            booked = [(b.start, min(b.end + pad.get((c.id, day, b.location_id), 0), (day + 1) * spd))
                      for b in c.bookings if problem.day_of(b.start) == day]
            br.booked[(c.id, day)] = booked
            _add_lunch(problem, br, c, day)
    if problem.rules.max_run_minutes is not None:
        br.run_slots = problem.run_slots(problem.rules.max_run_minutes)
        for c in problem.consultants:
            for day in range(5):
                if _bookings_run(problem, c, day) > br.run_slots:
                    br.run_exempt.add((c.id, day))
    br.citizen_runs = {
        z.id: problem.run_slots(z.max_run_minutes) for z in problem.citizens if z.max_run_minutes is not None
    }
    return br


def _padding(cs: CandidateSet) -> dict[tuple[int, int, str | None], int]:
    """With travel in the day: per (consultant, day, place) the longest trip to any place of that
    consultant's day (candidates and bookings)."""
    problem, idx = cs.problem, cs.index
    if not idx.travel_on:
        return {}
    places: dict[tuple[int, int], set[str | None]] = {}
    for cand in cs.candidates:
        day = problem.day_of(cand.start)
        for (kid, _, _), loc in zip(cand.busy, cand.places, strict=True):
            places.setdefault((kid, day), set()).add(loc)
    for c in problem.consultants:
        for b in c.bookings:
            places.setdefault((c.id, problem.day_of(b.start)), set()).add(b.location_id)
    return {
        (kid, day, a): max(idx.trip(a, b) for b in there) for (kid, day), there in places.items() for a in there
    }


def _add_lunch(problem: Problem, br: Breaks, c: Consultant, day: int) -> None:
    lunch = problem.lunch_of(c)
    if lunch is None:
        return
    first, end, length = problem.lunch_slots(lunch, day)
    bookings = [b for b in c.bookings if problem.day_of(b.start) == day]
    if not _bookings_leave_lunch(problem, bookings, first, end, length):
        return  # exempt: the other plans already took it
    booked = br.booked[(c.id, day)]
    positions = tuple(
        p for p in range(first, end - length + 1) if not any(a < p + length and p < b for a, b in booked)
    )
    br.lunch[(c.id, day)] = LunchDay(first, length, positions)


def _bookings_leave_lunch(problem: Problem, bookings: list[Booking], first: int, end: int, length: int) -> bool:
    """Whether the bookings alone leave the lunch (as the verifier judges it)."""
    for p in range(first, end - length + 1):
        if any(b.start < p + length and p < b.end for b in bookings):
            continue
        if not problem.rules.travel:
            return True
        before = [b for b in bookings if b.end <= p]
        after = [b for b in bookings if b.start >= p + length]
        if not before or not after:
            return True
        a, b = max(before, key=lambda x: x.end), min(after, key=lambda x: x.start)
        if b.start - a.end - length >= problem.travel_slots(a.location_id, b.location_id):
            return True
    return False


def _bookings_run(problem: Problem, c: Consultant, day: int) -> int:
    """Longest run of the bookings alone that day (as the verifier measures it)."""
    seq = sorted((b for b in c.bookings if problem.day_of(b.start) == day), key=lambda b: (b.start, b.end))
    longest, run_start, run_end, prev = 0, 0, 0, None
    for b in seq:
        if problem.rules.travel:  # one run unless a free slot is left besides the trip
            joined = prev is not None and b.start - prev.end - problem.travel_slots(prev.location_id, b.location_id) < 1
        else:  # one run while the busy time is contiguous
            joined = prev is not None and b.start <= run_end
        if joined:
            run_end = max(run_end, b.end)
        else:
            run_start, run_end = b.start, b.end
        longest = max(longest, run_end - run_start)
        prev = b
    return longest
