"""Independent checker of a Solution against a Problem.

Deliberately re-derives every rule from the Problem alone (no candidates, no solver
variables, no shared helpers beyond the data classes), so a bug in candidate generation or
in the model shows up here instead of in a published plan.

Each broken rule is a `Violation`: a stable `Code`, the task, the part of the placement that
would have to change (`Field`) and the numbers and names involved (`params`). `str()` gives a
sentence in English for developers and logs; the interfaces word it for people from the code.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from solver.problem import (
    VISIT_PLACES,
    Citizen,
    Consultant,
    Lunch,
    Place,
    Placement,
    Problem,
    Room,
    Site,
    Solution,
    Task,
    Window,
)


class Code(StrEnum):
    """What rule a plan breaks. The values are stable: interfaces map them to their own wording."""

    # The task itself
    UNKNOWN_TASK = "unknown_task"  # a placement of a task the problem does not have
    PLACED_TWICE = "placed_twice"
    OUTSIDE_WINDOW = "outside_window"  # not inside the task's earliest start .. deadline
    NOT_WITHIN_ONE_DAY = "not_within_one_day"
    FIXED_START_MOVED = "fixed_start_moved"
    PINNED_MOVED = "pinned_moved"
    EXTERNAL_ABSENT = "external_absent"  # the employer / external participant is not present
    GROUP_SIZE = "group_size"
    # Consultants
    CONSULTANT_COUNT = "consultant_count"  # not one consultant per staff requirement
    CONSULTANT_TWICE = "consultant_twice"
    UNKNOWN_CONSULTANT = "unknown_consultant"
    CONSULTANT_STAFF_TYPE = "consultant_staff_type"
    CONSULTANT_NOT_ALLOWED = "consultant_not_allowed"
    CONSULTANT_NO_TASK_SITE = "consultant_no_task_site"  # serves none of the task's sites
    CONSULTANT_NOT_AT_SITE = "consultant_not_at_site"  # does not serve the site the task is held at
    CONSULTANT_UNAVAILABLE = "consultant_unavailable"  # incl. travel to and from a visit
    # Citizens
    CITIZEN_UNAVAILABLE = "citizen_unavailable"
    # Place
    SITE_NOT_ALLOWED = "site_not_allowed"
    SITE_CLOSED = "site_closed"
    NO_ROOM = "no_room"
    ROOM_WRONG_SITE = "room_wrong_site"
    ROOM_TOO_SMALL = "room_too_small"
    ROOM_LACKS_FEATURES = "room_lacks_features"
    ROOM_OFF_SITE = "room_off_site"  # a room booked for a task that is not held at a site
    # Shared resources across the plan
    CONSULTANT_DOUBLE_BOOKED = "consultant_double_booked"
    CITIZEN_DOUBLE_BOOKED = "citizen_double_booked"
    ROOM_DOUBLE_BOOKED = "room_double_booked"
    CITIZEN_DAY_LIMIT = "citizen_day_limit"
    CONSULTANT_CONTRACT = "consultant_contract"
    CONSULTANT_TRAVEL = "consultant_travel"  # no time for the trip between two consecutive stops of the day
    CONSULTANT_LUNCH = "consultant_lunch"  # no lunch break inside the lunch window
    CONSULTANT_RUN = "consultant_run"  # longer in appointments without a break than DayRules.max_run_minutes
    CITIZEN_RUN = "citizen_run"  # longer in appointments in a row than the citizen's accommodation allows
    # The list of unplaced tasks
    UNPLACED_TWICE = "unplaced_twice"
    PLACED_AND_UNPLACED = "placed_and_unplaced"
    UNPLACED_WITHOUT_REASON = "unplaced_without_reason"
    TASK_MISSING = "task_missing"  # neither placed nor listed as unplaced


class Field(StrEnum):
    """The choice of a placement that would have to change to resolve a violation."""

    START = "start"  # when
    CONSULTANTS = "consultants"  # who
    ROOM = "room"  # where (room, and with it the site)


# Codes about resources several tasks share: a change to one task can cause them elsewhere.
SHARED_RESOURCE_CODES = frozenset(
    {
        Code.CONSULTANT_DOUBLE_BOOKED,
        Code.CITIZEN_DOUBLE_BOOKED,
        Code.ROOM_DOUBLE_BOOKED,
        Code.CITIZEN_DAY_LIMIT,
        Code.CONSULTANT_CONTRACT,
        Code.CONSULTANT_TRAVEL,
        Code.CONSULTANT_LUNCH,
        Code.CONSULTANT_RUN,
        Code.CITIZEN_RUN,
    }
)

_AT = "task {task} at slot {slot}: "
_ENGLISH: Mapping[Code, str] = {
    Code.UNKNOWN_TASK: "placement of unknown task {task}",
    Code.PLACED_TWICE: "task {task} placed twice",
    Code.OUTSIDE_WINDOW: _AT + "outside its window {window_start}..{window_end}",
    Code.NOT_WITHIN_ONE_DAY: _AT + "not within one day of the week",
    Code.FIXED_START_MOVED: _AT + "fixed start {fixed_start} not respected",
    Code.PINNED_MOVED: _AT + "pinned task moved",
    Code.EXTERNAL_ABSENT: _AT + "external participant not present",
    Code.GROUP_SIZE: _AT + "group size {size} outside {min_participants}..{max_participants}",
    Code.CONSULTANT_COUNT: _AT + "{count} consultants for {required} requirements",
    Code.CONSULTANT_TWICE: _AT + "same consultant used twice",
    Code.UNKNOWN_CONSULTANT: _AT + "unknown consultant {consultant_id}",
    Code.CONSULTANT_STAFF_TYPE: _AT + "consultant {name} has none of {staff_types}",
    Code.CONSULTANT_NOT_ALLOWED: _AT + "consultant {name} not allowed",
    Code.CONSULTANT_NO_TASK_SITE: _AT + "consultant {name} serves none of the task's sites",
    Code.CONSULTANT_NOT_AT_SITE: _AT + "consultant {name} does not serve site {site_id}",
    Code.CONSULTANT_UNAVAILABLE: _AT + "consultant {name} not available {busy_start}..{busy_end} (incl. travel)",
    Code.CITIZEN_UNAVAILABLE: _AT + "citizen {label} not available",
    Code.SITE_NOT_ALLOWED: _AT + "site {site_id} not allowed",
    Code.SITE_CLOSED: _AT + "site {site_name} closed",
    Code.NO_ROOM: _AT + "no room assigned",
    Code.ROOM_WRONG_SITE: _AT + "room {room_id} is not at site {site_id}",
    Code.ROOM_TOO_SMALL: _AT + "room {room_id} holds {capacity} < {needed}",
    Code.ROOM_LACKS_FEATURES: _AT + "room {room_id} lacks {missing}",
    Code.ROOM_OFF_SITE: _AT + "room booked for an off-site task",
    Code.CONSULTANT_DOUBLE_BOOKED: "consultant {consultant_id} double-booked: {other_task} and {task} (slot {slot})",
    Code.CITIZEN_DOUBLE_BOOKED: "citizen {citizen_id} double-booked: {other_task} and {task} (slot {slot})",
    Code.ROOM_DOUBLE_BOOKED: "room {room_id} double-booked: {other_task} and {task} (slot {slot})",
    Code.CITIZEN_DAY_LIMIT: "citizen {label} booked {minutes} min on day {day} > {limit}",
    Code.CONSULTANT_CONTRACT: "consultant {name} booked {minutes} min > contract",
    Code.CONSULTANT_TRAVEL: "consultant {name} has no {minutes} min to travel from {origin} to {destination} "
    "before {task} (slot {slot}) after {other_task}",
    Code.CONSULTANT_LUNCH: _AT + "consultant {name} gets no {minutes} min lunch break on day {day}",
    Code.CONSULTANT_RUN: "consultant {name} in appointments {minutes} min in a row > {limit} "
    "(slot {slot}, until {task})",
    Code.CITIZEN_RUN: "citizen {label} in appointments {minutes} min in a row > {limit} (slot {slot}, until {task})",
    Code.UNPLACED_TWICE: "a task is listed as unplaced twice",
    Code.PLACED_AND_UNPLACED: "task {task} both placed and unplaced",
    Code.UNPLACED_WITHOUT_REASON: "task {task} unplaced without a reason",
    Code.TASK_MISSING: "task {task} neither placed nor listed as unplaced",
}


@dataclass(frozen=True, slots=True)
class Violation:
    """One broken hard rule. `params` hold plain values (ints, strings, tuples of them)."""

    code: Code
    task_id: str | None  # the task whose placement breaks the rule; None for plan-wide totals
    field: Field | None  # what to change; None when no choice of this placement resolves it
    params: Mapping[str, object] = field(default_factory=dict)

    def __str__(self) -> str:
        shown = {k: list(v) if isinstance(v, tuple) else v for k, v in self.params.items()}
        return _ENGLISH[self.code].format(task=self.task_id, **shown)

    def __hash__(self) -> int:
        return hash((self.code, self.task_id, self.field, tuple(sorted(self.params.items()))))


def _inside(windows: tuple[Window, ...], start: int, end: int) -> bool:
    """[start, end) covered by the union of windows (windows may touch)."""
    pos = start
    for w in sorted(windows):
        if w.start <= pos < w.end:
            pos = w.end
            if pos >= end:
                return True
    return pos >= end


# (start, end, task id) intervals per resource id
Intervals = dict[int, list[tuple[int, int, str]]]
# A stop of a consultant's day: (start, end, place, task id; None for a booking elsewhere)
Stop = tuple[int, int, str | None, str | None]


@dataclass
class _Context:
    """The problem's lookups, and the resources the placements use (filled while checking)."""

    problem: Problem
    tasks: dict[str, Task]
    consultants: dict[int, Consultant]
    citizens: dict[int, Citizen]
    sites: dict[int, Site]
    rooms: dict[int, Room]
    consultant_busy: Intervals = field(default_factory=lambda: defaultdict(list))
    citizen_busy: Intervals = field(default_factory=lambda: defaultdict(list))
    room_busy: Intervals = field(default_factory=lambda: defaultdict(list))
    citizen_day: dict[tuple[int, int], int] = field(default_factory=lambda: defaultdict(int))
    consultant_minutes: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    stops: dict[tuple[int, int], list[Stop]] = field(default_factory=lambda: defaultdict(list))  # (consultant, day)

    @classmethod
    def of(cls, problem: Problem) -> _Context:
        return cls(
            problem,
            tasks={t.id: t for t in problem.tasks},
            consultants={c.id: c for c in problem.consultants},
            citizens={z.id: z for z in problem.citizens},
            sites={s.id: s for s in problem.sites},
            rooms={r.id: r for r in problem.rooms},
        )


class _Placed:
    """One placement being checked: builds its violations."""

    def __init__(self, task: Task, placement: Placement) -> None:
        self.task = task
        self.p = placement
        self.start = placement.start_slot
        self.end = placement.start_slot + task.duration_slots

    def violation(self, code: Code, fld: Field | None, **params: object) -> Violation:
        return Violation(code, self.task.id, fld, {"slot": self.start, **params})


def verify(problem: Problem, solution: Solution) -> list[Violation]:
    """Hard-rule violations; empty list = valid plan."""
    ctx = _Context.of(problem)
    out: list[Violation] = []
    seen: set[str] = set()
    for p in solution.placements:
        t = ctx.tasks.get(p.task_id)
        if t is None:
            out.append(Violation(Code.UNKNOWN_TASK, p.task_id, None))
            continue
        if p.task_id in seen:
            out.append(Violation(Code.PLACED_TWICE, t.id, None))
            continue
        seen.add(p.task_id)
        placed = _Placed(t, p)
        out += _check_time(problem, placed)
        out += _check_consultants(ctx, placed)
        out += _check_citizens(ctx, placed)
        out += _check_place(ctx, placed)
    out += _check_overlaps(ctx)
    out += _check_limits(ctx)
    out += _check_days(ctx)
    out += _check_citizen_runs(ctx)
    out += _check_unplaced(ctx, solution, seen)
    return out


def _check_time(problem: Problem, placed: _Placed) -> list[Violation]:
    t, p, start, end = placed.task, placed.p, placed.start, placed.end
    spd = problem.slots_per_day
    out: list[Violation] = []
    if not t.window.contains(start, end):
        out.append(placed.violation(Code.OUTSIDE_WINDOW, Field.START, window_start=t.window.start,
                                    window_end=t.window.end))
    if start < 0 or end > problem.num_slots or start // spd != (end - 1) // spd:
        out.append(placed.violation(Code.NOT_WITHIN_ONE_DAY, Field.START))
    if t.fixed_start is not None and start != t.fixed_start:
        out.append(placed.violation(Code.FIXED_START_MOVED, Field.START, fixed_start=t.fixed_start))
    if t.pinned is not None and (
        t.pinned.start_slot != start
        or tuple(t.pinned.consultant_ids) != tuple(p.consultant_ids)
        or (t.place == Place.SITE and t.pinned.room_id != p.room_id)
    ):
        out.append(placed.violation(Code.PINNED_MOVED, Field.START))
    if t.external_windows is not None and not any(w.contains(start, end) for w in t.external_windows):
        out.append(placed.violation(Code.EXTERNAL_ABSENT, Field.START))
    n = len(t.citizen_ids)
    if n < t.min_participants or (t.max_participants is not None and n > t.max_participants):
        out.append(placed.violation(Code.GROUP_SIZE, None, size=n, min_participants=t.min_participants,
                                    max_participants=t.max_participants))
    return out


def _check_consultants(ctx: _Context, placed: _Placed) -> list[Violation]:
    """Count, distinct, and for each consultant: type, permission, site, availability incl. travel."""
    t, p = placed.task, placed.p
    out: list[Violation] = []
    if len(p.consultant_ids) != len(t.staff_requirements):
        out.append(placed.violation(Code.CONSULTANT_COUNT, Field.CONSULTANTS, count=len(p.consultant_ids),
                                    required=len(t.staff_requirements)))
    if len(set(p.consultant_ids)) != len(p.consultant_ids):
        out.append(placed.violation(Code.CONSULTANT_TWICE, Field.CONSULTANTS))
    for kid, req in zip(p.consultant_ids, t.staff_requirements, strict=False):
        c = ctx.consultants.get(kid)
        if c is None:
            out.append(placed.violation(Code.UNKNOWN_CONSULTANT, Field.CONSULTANTS, consultant_id=kid))
            continue
        out += _check_consultant(ctx, placed, c, req)
    return out


def _check_consultant(ctx: _Context, placed: _Placed, c: Consultant, req: frozenset[str]) -> list[Violation]:
    t, p = placed.task, placed.p
    out: list[Violation] = []
    who = {"consultant_id": c.id, "name": c.name}
    if not c.staff_types & req:
        out.append(placed.violation(Code.CONSULTANT_STAFF_TYPE, Field.CONSULTANTS, **who,
                                    staff_types=tuple(sorted(req))))
    if t.allowed_consultant_ids is not None and c.id not in t.allowed_consultant_ids:
        out.append(placed.violation(Code.CONSULTANT_NOT_ALLOWED, Field.CONSULTANTS, **who))
    if not c.site_ids & t.site_ids:
        out.append(placed.violation(Code.CONSULTANT_NO_TASK_SITE, Field.CONSULTANTS, **who))
    if t.place == Place.SITE and p.site_id not in c.site_ids:
        out.append(placed.violation(Code.CONSULTANT_NOT_AT_SITE, Field.CONSULTANTS, **who, site_id=p.site_id))
    travel = 0
    home = ctx.sites[c.home_site_id].location_id
    if t.place in VISIT_PLACES and t.location_id is not None:
        travel = _trip(ctx.problem, home, t.location_id)
    # Contracted minutes count a visit with the trip from the home site and back in both modes.
    ctx.consultant_minutes[c.id] += (placed.end - placed.start + 2 * travel) * ctx.problem.slot_minutes
    if ctx.problem.rules.travel:
        # Travel in the day: the appointment itself; its trips are checked day by day (_check_days).
        b0, b1 = placed.start, placed.end
        ctx.stops[(c.id, placed.start // ctx.problem.slots_per_day)].append(
            (b0, b1, _place_of(ctx, t, p, c), t.id))
        free = c.available
    else:
        b0, b1 = placed.start - travel, placed.end + travel
        free = _subtract(c.available, [Window(b.start, b.end) for b in c.bookings])
        # Lunch and runs see a visit with its trips, as its busy time (within its day).
        spd = ctx.problem.slots_per_day
        day = placed.start // spd
        ctx.stops[(c.id, day)].append(
            (max(b0, day * spd), min(b1, day * spd + spd), _place_of(ctx, t, p, c), t.id))
    if b0 < 0 or not _inside(free, b0, b1):
        out.append(placed.violation(Code.CONSULTANT_UNAVAILABLE, Field.START, **who, busy_start=b0, busy_end=b1))
    ctx.consultant_busy[c.id].append((b0, b1, t.id))
    return out


def _place_of(ctx: _Context, t: Task, p: Placement, c: Consultant) -> str | None:
    """Where the consultant is: the site held at, the company/home visited, or (phone) their home site."""
    if t.place == Place.SITE:
        site = ctx.sites.get(p.site_id) if p.site_id is not None else None
        return site.location_id if site is not None else None
    if t.place in VISIT_PLACES:
        return t.location_id
    return ctx.sites[c.home_site_id].location_id


def _shifts(windows: tuple[Window, ...]) -> list[Window]:
    """Working windows with touching ones merged."""
    out: list[Window] = []
    for w in sorted(windows):
        if out and w.start <= out[-1].end:
            out[-1] = Window(out[-1].start, max(out[-1].end, w.end))
        elif w.end > w.start:
            out.append(w)
    return out


def _day_sequence(ctx: _Context, c: Consultant, day: int) -> list[Stop]:
    """The consultant's planned appointments and bookings elsewhere that day, by start."""
    spd = ctx.problem.slots_per_day
    booked = [(b.start, b.end, b.location_id, None) for b in c.bookings if b.start // spd == day]
    return sorted(ctx.stops.get((c.id, day), []) + booked, key=lambda st: (st[0], st[1]))


def _check_days(ctx: _Context) -> list[Violation]:
    """Travel in the day (DayRules.travel): every two consecutive stops of a consultant's day,
    whatever the places, leave time for the trip between them; the first stop of a working
    window leaves time for the trip from the home site, the last for the trip back."""
    out: list[Violation] = []
    slot = ctx.problem.slot_minutes
    for kid, day in sorted({k for k in ctx.stops}):
        c = ctx.consultants[kid]
        who = {"consultant_id": kid, "name": c.name}
        seq = _day_sequence(ctx, c, day)
        out += _check_breaks(ctx, c, day, seq)
        if not ctx.problem.rules.travel:
            continue
        for a, b in zip(seq, seq[1:], strict=False):
            need = _trip(ctx.problem, a[2], b[2])
            if a[1] + need > b[0] and (a[3] or b[3]):  # two bookings elsewhere are not this plan's doing
                out.append(Violation(Code.CONSULTANT_TRAVEL, b[3] or a[3], Field.START, {
                    **who, "other_task": (a[3] if b[3] else b[3]) or "", "slot": b[0],
                    "minutes": need * slot, "origin": a[2] or "", "destination": b[2] or ""}))
        out += _check_home_trips(ctx, c, seq)
    return out


def _lunch_free(problem: Problem, lunch: Lunch, day: int, seq: list[Stop]) -> bool:
    """Some lunch start leaves `lunch.minutes` free of every stop (busy time with the visits' trips,
    or with travel in the day the appointments, and then the gap it sits in still holds its trip)."""
    first, end, length = problem.lunch_slots(lunch, day)
    for p in range(first, end - length + 1):
        if any(s < p + length and p < e for s, e, _, _ in seq):
            continue
        if not problem.rules.travel:
            return True
        before = [x for x in seq if x[1] <= p]
        after = [x for x in seq if x[0] >= p + length]
        if not before or not after:
            return True
        a, b = max(before, key=lambda x: x[1]), min(after, key=lambda x: x[0])
        if b[0] - a[1] - length >= _trip(problem, a[2], b[2]):
            return True
    return False


def _runs(problem: Problem, seq: list[Stop], travel: bool) -> list[tuple[int, int, str | None]]:
    """(start, end, last task) of each run: stops join while no free slot is left between them
    (with travel in the day: besides the trip)."""
    runs: list[tuple[int, int, str | None]] = []
    prev: Stop | None = None
    for s, e, loc, tid in seq:
        if travel:
            joined = prev is not None and s - prev[1] - _trip(problem, prev[2], loc) < 1
        else:
            joined = bool(runs) and s <= runs[-1][1]
        if joined:
            r0, r1, last = runs[-1]
            runs[-1] = (r0, max(r1, e), tid or last)
        else:
            runs.append((s, e, tid))
        prev = (s, e, loc, tid)
    return runs


def _check_breaks(ctx: _Context, c: Consultant, day: int, seq: list[Stop]) -> list[Violation]:
    """Lunch and the longest run on a day with planned appointments; days the bookings in other
    plans alone already break are not ours to judge."""
    problem = ctx.problem
    out: list[Violation] = []
    who = {"consultant_id": c.id, "name": c.name}
    booked = [x for x in seq if x[3] is None]
    lunch = problem.lunch_of(c)
    if lunch is not None and not _lunch_free(problem, lunch, day, seq) and _lunch_free(
        problem, lunch, day, booked
    ):
        first, end, _ = problem.lunch_slots(lunch, day)
        mine = [x for x in seq if x[3] is not None]
        inside = [x for x in mine if x[0] < end and first < x[1]] or mine
        out.append(Violation(Code.CONSULTANT_LUNCH, inside[0][3], Field.START, {
            **who, "slot": inside[0][0], "day": day, "minutes": lunch.minutes}))
    limit = problem.rules.max_run_minutes
    booked_run = max((e - s for s, e, _ in _runs(problem, booked, problem.rules.travel)), default=0)
    if limit is not None and booked_run <= problem.run_slots(limit):
        for s, e, last in _runs(problem, seq, problem.rules.travel):
            if e - s > problem.run_slots(limit):
                out.append(Violation(Code.CONSULTANT_RUN, last, Field.START, {
                    **who, "slot": s, "minutes": (e - s) * problem.slot_minutes, "limit": limit}))
    return out


def _check_citizen_runs(ctx: _Context) -> list[Violation]:
    """Accommodations: no citizen longer in appointments in a row than their limit."""
    problem = ctx.problem
    out: list[Violation] = []
    for zid, items in ctx.citizen_busy.items():
        z = ctx.citizens[zid]
        if z.max_run_minutes is None:
            continue
        seq = sorted((s, e, None, tid) for s, e, tid in items)
        for s, e, last in _runs(problem, seq, travel=False):
            if e - s > problem.run_slots(z.max_run_minutes):
                out.append(Violation(Code.CITIZEN_RUN, last, Field.START, {
                    "citizen_id": zid, "label": z.label, "slot": s, "minutes": (e - s) * problem.slot_minutes,
                    "limit": z.max_run_minutes}))
    return out


def _check_home_trips(ctx: _Context, c: Consultant, seq: list[Stop]) -> list[Violation]:
    home = ctx.sites[c.home_site_id].location_id
    out: list[Violation] = []
    shifts = _shifts(c.available)
    for k, (start, end, loc, tid) in enumerate(seq):
        shift = next((w for w in shifts if w.start <= start and end <= w.end), None)
        if tid is None or shift is None:
            continue  # a booking, or outside working time (reported as unavailable)
        first = start - (0 if k and seq[k - 1][1] > shift.start else _trip(ctx.problem, home, loc))
        last = end + (0 if k + 1 < len(seq) and seq[k + 1][0] < shift.end else _trip(ctx.problem, loc, home))
        if first < shift.start or last > shift.end:
            out.append(Violation(Code.CONSULTANT_UNAVAILABLE, tid, Field.START, {
                "consultant_id": c.id, "name": c.name, "slot": start, "busy_start": first, "busy_end": last}))
    return out


def _subtract(windows: tuple[Window, ...], cuts: list[Window]) -> tuple[Window, ...]:
    """The parts of `windows` outside every cut."""
    pieces = list(windows)
    for cut in cuts:
        nxt: list[Window] = []
        for w in pieces:
            if cut.end <= w.start or w.end <= cut.start:
                nxt.append(w)
                continue
            if w.start < cut.start:
                nxt.append(Window(w.start, cut.start))
            if cut.end < w.end:
                nxt.append(Window(cut.end, w.end))
        pieces = nxt
    return tuple(pieces)


def _trip(problem: Problem, a: str | None, b: str | None) -> int:
    """Travel in whole slots (rounded up); nothing to or from an unknown place."""
    if a is None or b is None or a == b:
        return 0
    minutes = problem.travel_minutes.get((a, b), problem.travel_minutes.get((b, a), 0))
    return -(-minutes // problem.slot_minutes)


def citizen_presence(ctx: _Context, z: Citizen, t: Task, site_id: int | None) -> tuple[Window, ...]:
    """Where the citizen can attend `t` (held at `site_id` for a site task), per place: without
    `free` the legacy `available` (a company visit: the internship hours when there are any);
    with it, phone = free, company = their hours there (else free minus the trip from work),
    site and home = free minus the trip from each workplace."""
    if z.free is None:
        return z.internship if t.place == Place.COMPANY and z.internship else z.available
    if t.place == Place.PHONE:
        return z.free
    where = t.location_id
    if t.place == Place.SITE:
        site = ctx.sites.get(site_id) if site_id is not None else None
        where = site.location_id if site is not None else None
    if t.place == Place.COMPANY:
        there = tuple(w for wp in z.workplaces if wp.location_id == where for w in wp.windows)
        if there:
            return there
    spd = ctx.problem.slots_per_day
    cuts = []
    for wp in z.workplaces:
        trip = _trip(ctx.problem, wp.location_id, where)
        for w in wp.windows:
            day0 = w.start // spd * spd
            cuts.append(Window(max(day0, w.start - trip), min(day0 + spd, w.end + trip)))
    return _subtract(z.free, cuts)


def _check_citizens(ctx: _Context, placed: _Placed) -> list[Violation]:
    """Presence per place (docs/solver.md); day totals and runs are checked later."""
    t = placed.task
    out: list[Violation] = []
    spd = ctx.problem.slots_per_day
    for zid in t.citizen_ids:
        z = ctx.citizens[zid]
        if not _inside(citizen_presence(ctx, z, t, placed.p.site_id), placed.start, placed.end):
            out.append(placed.violation(Code.CITIZEN_UNAVAILABLE, Field.START, citizen_id=zid, label=z.label))
        ctx.citizen_busy[zid].append((placed.start, placed.end, t.id))
        ctx.citizen_day[(zid, placed.start // spd)] += t.duration_slots * ctx.problem.slot_minutes
    return out


def _check_place(ctx: _Context, placed: _Placed) -> list[Violation]:
    """Site tasks: an allowed site that is open, and a suitable room there; no room otherwise."""
    t, p = placed.task, placed.p
    if t.place != Place.SITE:
        return [placed.violation(Code.ROOM_OFF_SITE, Field.ROOM, room_id=p.room_id)] if p.room_id is not None else []
    out: list[Violation] = []
    if p.site_id not in t.site_ids:
        out.append(placed.violation(Code.SITE_NOT_ALLOWED, Field.ROOM, site_id=p.site_id))
    elif not _inside(ctx.sites[p.site_id].open_windows, placed.start, placed.end):
        out.append(placed.violation(Code.SITE_CLOSED, Field.START, site_id=p.site_id,
                                    site_name=ctx.sites[p.site_id].name))
    room = ctx.rooms.get(p.room_id) if p.room_id is not None else None
    if room is None:
        out.append(placed.violation(Code.NO_ROOM, Field.ROOM))
        return out
    if room.site_id != p.site_id:
        out.append(placed.violation(Code.ROOM_WRONG_SITE, Field.ROOM, room_id=room.id, site_id=p.site_id))
    need = max(t.room_min_capacity, len(t.citizen_ids) + len(t.staff_requirements))
    if room.capacity < need:
        out.append(placed.violation(Code.ROOM_TOO_SMALL, Field.ROOM, room_id=room.id, capacity=room.capacity,
                                    needed=need))
    if not t.room_features <= room.features:
        out.append(placed.violation(Code.ROOM_LACKS_FEATURES, Field.ROOM, room_id=room.id,
                                    missing=tuple(sorted(t.room_features - room.features))))
    ctx.room_busy[room.id].append((placed.start, placed.end, t.id))
    return out


def _check_overlaps(ctx: _Context) -> list[Violation]:
    """No consultant, citizen or room in two places at once (consultants incl. travel)."""
    tables = (
        (Code.CONSULTANT_DOUBLE_BOOKED, Field.START, ctx.consultant_busy,
         lambda k: {"consultant_id": k, "name": ctx.consultants[k].name}),
        (Code.CITIZEN_DOUBLE_BOOKED, Field.START, ctx.citizen_busy,
         lambda k: {"citizen_id": k, "label": ctx.citizens[k].label}),
        (Code.ROOM_DOUBLE_BOOKED, Field.ROOM, ctx.room_busy, lambda k: {"room_id": k, "name": ctx.rooms[k].name}),
    )
    out: list[Violation] = []
    for code, fld, table, who in tables:
        for key, items in table.items():
            items.sort()
            # Sorted by start, an item overlaps an earlier one iff it starts before the
            # latest end seen so far.
            run_end, run_task = -1, ""
            for s, e, tid in items:
                if s < run_end:
                    out.append(Violation(code, tid, fld, {**who(key), "other_task": run_task, "slot": s}))
                if e > run_end:
                    run_end, run_task = e, tid
    return out


def _check_limits(ctx: _Context) -> list[Violation]:
    """Citizens' daily maximum (accommodations) and consultants' contracted minutes."""
    out: list[Violation] = []
    for (zid, day), minutes in ctx.citizen_day.items():
        z = ctx.citizens[zid]
        if z.max_minutes_per_day is not None and minutes > z.max_minutes_per_day:
            out.append(Violation(Code.CITIZEN_DAY_LIMIT, None, Field.START, {
                "citizen_id": zid, "label": z.label, "minutes": minutes, "day": day, "limit": z.max_minutes_per_day,
            }))
    for kid, minutes in ctx.consultant_minutes.items():
        c = ctx.consultants[kid]
        if minutes > c.contracted_minutes_per_week:
            out.append(Violation(Code.CONSULTANT_CONTRACT, None, Field.CONSULTANTS, {
                "consultant_id": kid, "name": c.name, "minutes": minutes, "limit": c.contracted_minutes_per_week,
            }))
    return out


def _check_unplaced(ctx: _Context, solution: Solution, seen: set[str]) -> list[Violation]:
    """Every task is placed or listed as unplaced with a reason, exactly once."""
    out: list[Violation] = []
    unplaced_ids = [u.task_id for u in solution.unplaced]
    twice = sorted(tid for tid, n in Counter(unplaced_ids).items() if n > 1)
    if twice:
        out.append(Violation(Code.UNPLACED_TWICE, twice[0], None))
    for u in solution.unplaced:
        if u.task_id in seen:
            out.append(Violation(Code.PLACED_AND_UNPLACED, u.task_id, None))
        if not u.reason.strip():
            out.append(Violation(Code.UNPLACED_WITHOUT_REASON, u.task_id, None))
    missing = set(ctx.tasks) - seen - set(unplaced_ids)
    for tid in sorted(missing):
        out.append(Violation(Code.TASK_MISSING, tid, None))
    return out
