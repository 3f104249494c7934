"""Proposals for new group courses (holdforløb): when, led by whom and where a new course of one theme
should run so that citizens waiting for a place can join it. Pure Python + CP-SAT, no Django.

The caller (scheduler.courses) gives the weeks the new course would run, the session pattern asked for
(sessions a week, minutes each, min/max participants), the waiting citizens with what keeps them busy in
each of those weeks (internship, partial return, fixed unavailability, other courses), the possible
facilitators (working hours, absences, other commitments, minutes a week left of their contracted
hours) and the possible rooms (capacity, other bookings). All times are minutes since midnight per
weekday (0 = Monday … 4 = Friday), weeks are indexes 0..weeks-1.

A *pattern* is the same start time on `sessions_per_week` different weekdays. The model chooses up to
`max_courses` (pattern, facilitator, room) triples — one Boolean per feasible triple only — and seats
each citizen on at most one of them:

* a citizen sits on a course only when every session of the pattern fits their free time in every week
  they are enrolled (their accommodations included);
* a facilitator is free for every session of every week (inside working hours, not absent, not busy),
  has the session minutes left each week and keeps their lunch break free;
* a room is free at every session and big enough;
* two proposed courses never share a facilitator or a room at the same time;
* a course that runs has at most max participants (and no more than the room holds) and at least min
  participants in every week (a citizen who needs the theme from a later week counts from then).

Objective (maximised): seats, weighted so that the longest-waiting are seated first
(`SEAT + priority`), minus a cost per course (fewer, fuller courses), plus small tie-breaks (at most
100 + 72, far below a seat) for the facilitator with the most minutes left and for earlier starts.
The result says, for every citizen left out, why: the first thing that keeps them from the best
course's times, or that it is full.
"""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

SEAT = 1000
COURSE_COST = 300

# Why a citizen was left out (LeftOut.code) or was busy (Busy.code).
WORKS = "works"  # internship, partial return or job hours (with the trip)
UNAVAILABLE = "unavailable"  # a fixed weekly time the citizen cannot come
COURSE = "course"  # a session of another course the citizen is on
ACCOMMODATION = "accommodation"  # not before / not after / most hours a day
FULL = "full"  # fits the times, but the course is full
NO_COURSE = "no_course"  # no course could be proposed (see ProposalResult.why_none)


@dataclass(frozen=True, slots=True)
class Busy:
    """A time someone is not free in one week of the course (or every week when `week` is None)."""

    day: int
    start: int
    end: int
    code: str
    week: int | None = None


@dataclass(frozen=True, slots=True)
class WaitingCitizen:
    id: int
    weeks: tuple[int, ...]  # the weeks the citizen would attend (enrolled, from when they need the theme)
    busy: tuple[Busy, ...] = ()
    not_before: int | None = None
    not_after: int | None = None
    max_minutes_per_day: int | None = None
    priority: int = 0  # days waited; the longest-waiting are seated first (0..SEAT-1)


@dataclass(frozen=True, slots=True)
class Facilitator:
    id: int
    work: dict[int, tuple[int, int]]  # weekday -> working hours
    busy: tuple[Busy, ...] = ()  # absences, other courses, planned appointments
    minutes_left: tuple[int, ...] = ()  # per week: contracted minutes not yet committed (empty: no limit)
    lunch: tuple[int, int, int] | None = None  # (earliest, latest, minutes): the session leaves the lunch free


@dataclass(frozen=True, slots=True)
class RoomOption:
    id: int
    capacity: int
    busy: tuple[Busy, ...] = ()


@dataclass(frozen=True, slots=True)
class ProposalRequest:
    weeks: int
    open_hours: tuple[dict[int, tuple[int, int]], ...]  # per week: weekday -> opening hours (closed: absent)
    sessions_per_week: int
    duration: int
    min_participants: int
    max_participants: int
    citizens: tuple[WaitingCitizen, ...]
    facilitators: tuple[Facilitator, ...]
    rooms: tuple[RoomOption, ...]
    max_courses: int | None = None  # default: enough for every citizen at max participants
    grid: int = 15
    time_limit: float = 10.0
    num_workers: int = 8
    random_seed: int = 0
    # CP-SAT's deterministic time limit (None: none). With one worker and a fixed seed the search then
    # stops at the same point on every machine and under any load, so the same facts give the same
    # proposal; `time_limit` (wall clock) is only a safety net then.
    deterministic_time: float | None = None


@dataclass(frozen=True, slots=True)
class ProposedCourse:
    days: tuple[int, ...]
    start: int
    duration: int
    facilitator_id: int
    room_id: int
    citizen_ids: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class LeftOut:
    citizen_id: int
    code: str
    week: int | None = None
    day: int | None = None
    start: int | None = None
    end: int | None = None


@dataclass(slots=True)
class ProposalResult:
    courses: list[ProposedCourse] = field(default_factory=list)
    left_out: list[LeftOut] = field(default_factory=list)
    # When no course: "too_few", "too_few_at_once" (not at the same times from the first week),
    # "no_facilitator", "no_room", "no_time".
    why_none: str = ""
    status: str = ""
    objective: float | None = None
    best_bound: float | None = None
    seconds: float = 0.0
    patterns: int = 0
    variables: int = 0


Pattern = tuple[tuple[int, ...], int]  # (days, start)


# -- fitting ---------------------------------------------------------------------------------------


def overlaps(busy: Busy, week: int, day: int, start: int, end: int) -> bool:
    return (busy.week is None or busy.week == week) and busy.day == day and busy.start < end and start < busy.end


def citizen_conflict(citizen: WaitingCitizen, pattern: Pattern, duration: int,
                     open_hours: tuple[dict[int, tuple[int, int]], ...]) -> LeftOut | None:
    """What keeps the citizen from this pattern's sessions (the first week and day it happens), or None."""
    days, start = pattern
    end = start + duration
    if citizen.max_minutes_per_day is not None and duration > citizen.max_minutes_per_day:
        return LeftOut(citizen.id, ACCOMMODATION, None, days[0], start, end)
    if (citizen.not_before is not None and start < citizen.not_before) or (
            citizen.not_after is not None and end > citizen.not_after):
        return LeftOut(citizen.id, ACCOMMODATION, None, days[0], start, end)
    for week in citizen.weeks:
        for day in days:
            if day not in open_hours[week]:
                continue  # the centre is closed: that session is cancelled, for everyone
            for busy in citizen.busy:
                if overlaps(busy, week, day, start, end):
                    return LeftOut(citizen.id, busy.code, week, day, busy.start, busy.end)
    return None


def _leaves_lunch(lunch: tuple[int, int, int] | None, start: int, end: int) -> bool:
    if lunch is None:
        return True
    earliest, latest, minutes = lunch
    return min(latest, start) - earliest >= minutes or latest - max(end, earliest) >= minutes


def _facilitator_fits(f: Facilitator, pattern: Pattern, request: ProposalRequest) -> bool:
    days, start = pattern
    end = start + request.duration
    if not _leaves_lunch(f.lunch, start, end):
        return False
    for day in days:
        window = f.work.get(day)
        if window is None or start < window[0] or end > window[1]:
            return False
    for week in range(request.weeks):
        held = [d for d in days if d in request.open_hours[week]]
        if f.minutes_left and f.minutes_left[week] < len(held) * request.duration:
            return False
        if any(overlaps(b, week, d, start, end) for b in f.busy for d in held):
            return False
    return True


def _room_fits(room: RoomOption, pattern: Pattern, request: ProposalRequest) -> bool:
    days, start = pattern
    end = start + request.duration
    return room.capacity >= request.min_participants and not any(
        overlaps(b, week, d, start, end)
        for week in range(request.weeks)
        for d in days
        if d in request.open_hours[week]
        for b in room.busy
    )


def patterns(request: ProposalRequest) -> list[Pattern]:
    """Every start on the grid and every set of weekdays open in at least one week, inside opening hours
    in every week the day is open."""
    n = request.sessions_per_week
    days_open = sorted({d for week in request.open_hours for d in week})
    out: list[Pattern] = []
    for days in itertools.combinations(days_open, n):
        if n > 1 and any(b - a < 2 for a, b in itertools.pairwise(days)) and len(days_open) >= 2 * n - 1:
            continue  # sessions of one week on days with a day between them, where the week allows it
        lo = max(week[d][0] for week in request.open_hours for d in days if d in week)
        hi = min(week[d][1] for week in request.open_hours for d in days if d in week)
        first = -(-lo // request.grid) * request.grid
        for start in range(first, hi - request.duration + 1, request.grid):
            out.append((days, start))
    return out


# -- the model -------------------------------------------------------------------------------------


def propose_courses(request: ProposalRequest) -> ProposalResult:  # noqa: C901 - one model, read top to bottom
    t0 = time.perf_counter()
    result = ProposalResult()
    citizens = list(request.citizens)
    all_patterns = patterns(request)
    fits: dict[Pattern, list[int]] = {}
    triples: dict[Pattern, list[tuple[int, int]]] = {}
    seen_citizens = seen_facilitator = seen_room = False
    for p in all_patterns:
        who = [i for i, z in enumerate(citizens)
               if citizen_conflict(z, p, request.duration, request.open_hours) is None]
        if len(who) < request.min_participants:
            continue
        seen_citizens = True
        fs = [f.id for f in request.facilitators if _facilitator_fits(f, p, request)]
        rs = [r.id for r in request.rooms if _room_fits(r, p, request)]
        seen_facilitator |= bool(fs)
        seen_room |= bool(rs)
        if fs and rs:
            fits[p] = who
            triples[p] = [(f, r) for f in fs for r in rs]
    result.patterns = len(fits)
    if not fits:
        # Why, in the order a coordinator would act on it.
        result.why_none = (
            "too_few" if len(citizens) < request.min_participants
            else "no_time" if not seen_citizens  # never enough citizens free at the same time
            else "no_facilitator" if not seen_facilitator
            else "no_room" if not seen_room
            else "no_time"  # a facilitator and a room, but never together
        )
        result.left_out = [LeftOut(z.id, NO_COURSE) for z in citizens]
        result.status = "no_course"
        result.seconds = time.perf_counter() - t0
        return result

    capacity = {r.id: r.capacity for r in request.rooms}
    left = {f.id: min(f.minutes_left) if f.minutes_left else 0 for f in request.facilitators}
    k_max = request.max_courses or max(1, -(-len(citizens) // max(1, request.max_participants)))
    k_max = min(k_max, max(1, len(citizens) // max(1, request.min_participants)))
    m = cp_model.CpModel()
    x: dict[tuple[int, Pattern, int, int], cp_model.IntVar] = {}
    for k in range(k_max):
        for p, pairs in triples.items():
            for f, r in pairs:
                x[k, p, f, r] = m.new_bool_var(f"x{k}_{p[0]}_{p[1]}_{f}_{r}")
    used = [m.new_bool_var(f"used{k}") for k in range(k_max)]
    seat = {(k, i): m.new_bool_var(f"seat{k}_{i}") for k in range(k_max) for i in range(len(citizens))}
    by_course: dict[int, list[tuple[Pattern, int, int]]] = {k: [] for k in range(k_max)}
    for k, p, f, r in x:
        by_course[k].append((p, f, r))
    for k in range(k_max):
        m.add(sum(x[k, p, f, r] for p, f, r in by_course[k]) == used[k])
        if k:
            m.add(used[k] <= used[k - 1])  # courses in order: no symmetric copies
        fitting: dict[int, list[cp_model.IntVar]] = {i: [] for i in range(len(citizens))}
        for p, f, r in by_course[k]:
            for i in fits[p]:
                fitting[i].append(x[k, p, f, r])
        for i in range(len(citizens)):
            if fitting[i]:
                m.add(seat[k, i] <= sum(fitting[i]))
            else:
                m.add(seat[k, i] == 0)
        seats = sum(seat[k, i] for i in range(len(citizens)))
        room_limit = sum(min(request.max_participants, capacity[r]) * x[k, p, f, r] for p, f, r in by_course[k])
        m.add(seats <= room_limit)
        # The minimum holds in every week: citizens who join later do not fill the first weeks.
        for week in range(request.weeks):
            present = [seat[k, i] for i, z in enumerate(citizens) if week in z.weeks]
            m.add(sum(present) >= request.min_participants * used[k])
    for i in range(len(citizens)):
        m.add_at_most_one(seat[k, i] for k in range(k_max))
    if k_max > 1:
        # Two proposed courses never share a facilitator or a room at the same time.
        slots: dict[tuple[str, int, int, int], list[cp_model.IntVar]] = {}
        for (_k, p, f, r), var in x.items():
            days, start = p
            for d in days:
                for t in range(start, start + request.duration, request.grid):
                    slots.setdefault(("f", f, d, t), []).append(var)
                    slots.setdefault(("r", r, d, t), []).append(var)
        for vars_ in slots.values():
            if len(vars_) > 1:
                m.add_at_most_one(vars_)
    top = max(1, max(left.values(), default=1))
    m.maximize(
        sum((SEAT + min(SEAT - 1, max(0, z.priority))) * seat[k, i]
            for k in range(k_max) for i, z in enumerate(citizens))
        - COURSE_COST * sum(used)
        + sum((100 * left[f] // top + max(0, 18 * 60 - p[1]) // 15) * var for (k, p, f, r), var in x.items())
    )
    result.variables = len(x) + len(seat) + len(used)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = request.time_limit
    solver.parameters.num_workers = request.num_workers
    solver.parameters.random_seed = request.random_seed
    if request.deterministic_time is not None:
        solver.parameters.max_deterministic_time = request.deterministic_time
    status = solver.solve(m)
    result.status = solver.status_name(status).lower()
    result.seconds = time.perf_counter() - t0
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        result.left_out = [LeftOut(z.id, NO_COURSE) for z in citizens]
        result.why_none = "no_time"
        return result
    result.objective = solver.objective_value
    result.best_bound = solver.best_objective_bound
    seated: set[int] = set()
    for k in range(k_max):
        chosen = next(((p, f, r) for p, f, r in by_course[k] if solver.value(x[k, p, f, r])), None)
        if chosen is None:
            continue
        p, f, r = chosen
        ids = tuple(sorted(z.id for i, z in enumerate(citizens) if solver.value(seat[k, i])))
        seated.update(ids)
        result.courses.append(ProposedCourse(p[0], p[1], request.duration, f, r, ids))
    result.courses.sort(key=lambda c: (-len(c.citizen_ids), c.days, c.start))
    result.left_out = [_why_left_out(z, result.courses, request) for z in citizens if z.id not in seated]
    if not result.courses:
        result.why_none = "too_few_at_once"
    return result


def _why_left_out(citizen: WaitingCitizen, courses: list[ProposedCourse], request: ProposalRequest) -> LeftOut:
    if not courses:
        return LeftOut(citizen.id, NO_COURSE)
    for course in courses:
        if citizen_conflict(citizen, (course.days, course.start), course.duration, request.open_hours) is None:
            return LeftOut(citizen.id, FULL)
    best = courses[0]
    conflict = citizen_conflict(citizen, (best.days, best.start), best.duration, request.open_hours)
    return conflict or LeftOut(citizen.id, FULL)
