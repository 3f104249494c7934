"""Input (Problem) and output (Solution) of the weekly planner.

This module is the contract between the Django side (which builds a Problem from the
database) and the solver. It depends on the standard library only, so it can be imported
anywhere, including background workers that never load OR-Tools.

Time model: a grid of ``slot_minutes`` over Monday-Friday of one week. A time point is a
slot index over the whole week: ``slot = day * slots_per_day + offset`` where ``offset`` counts
slots since ``day_start_minute``. Intervals are half-open ``Window(start, end)`` in slots.
Closed days and holidays are expressed by leaving them out of the relevant windows.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum

DAYS_PER_WEEK = 5  # Monday-Friday; weekends are never planned.

STAFF_TYPES = frozenset({"social", "job", "health"})


class Place(StrEnum):
    """Where a task happens. String-valued: serialised problems and plans keep the plain values."""

    SITE = "site"  # a room at one of the task's sites
    COMPANY = "company"  # at the citizen's internship company (Task.location_id)
    HOME = "home"  # at the citizen's home (Task.location_id)
    PHONE = "phone"  # phone or video: no room, no travel


PLACES = frozenset(Place)
# Places that keep the consultant away from the office: they travel there and back.
VISIT_PLACES = frozenset({Place.COMPANY, Place.HOME})


class SolveStatus(StrEnum):
    """How a Solution was obtained. String-valued: stored plans and the API keep the plain values."""

    OPTIMAL = "OPTIMAL"  # CP-SAT proved it optimal
    FEASIBLE = "FEASIBLE"  # CP-SAT's best plan when the time ran out
    GREEDY = "GREEDY"  # CP-SAT found nothing better in time (or was cancelled): the verified greedy plan
    EMPTY = "EMPTY"  # no tasks

DANISH_DAYS = ("mandag", "tirsdag", "onsdag", "torsdag", "fredag")


class ProblemError(ValueError):
    """Raised by Problem.validate() for malformed input; the message names the bad item."""


@dataclass(frozen=True, slots=True, order=True)
class Window:
    """Half-open interval of week slots [start, end)."""

    start: int
    end: int

    def __len__(self) -> int:
        return max(0, self.end - self.start)

    def contains(self, start: int, end: int) -> bool:
        return self.start <= start and end <= self.end


@dataclass(frozen=True, slots=True)
class Lunch:
    """A consultant's lunch break: `minutes` free of appointments and travel, inside
    earliest_minute..latest_minute (minutes since midnight) of every working day."""

    earliest_minute: int = 11 * 60
    latest_minute: int = 13 * 60 + 30
    minutes: int = 30


@dataclass(frozen=True, slots=True)
class DayRules:
    """Rules about the shape of a consultant's day. All off by default, so problems written
    before they existed solve exactly as before (docs/solver.md, "Day rules")."""

    # Travel between every two consecutive appointments of a consultant's day, whatever the
    # places (sites, companies, homes; phone talks are held at the home site), so visits can
    # chain (site -> company A -> company B -> site). Off: only visits carry travel, from the
    # home site and back, and appointments at different sites need none between them.
    travel: bool = False
    lunch: Lunch | None = None  # every consultant's lunch break; Site.lunch overrides it per home site
    max_run_minutes: int | None = None  # consultants: longest stretch of appointments (and travel) without a free slot


@dataclass(frozen=True, slots=True)
class Site:
    id: int
    name: str  # shown in Danish reasons, e.g. "Vejle"
    open_windows: tuple[Window, ...]  # opening hours for the week; holidays/closed days absent
    location_id: str  # key into Problem.travel_minutes, e.g. "site:3"
    lunch: Lunch | None = None  # lunch of the consultants based here; None = Problem.rules.lunch


@dataclass(frozen=True, slots=True)
class Room:
    id: int
    site_id: int
    capacity: int  # number of people, consultants included
    features: frozenset[str] = frozenset()  # e.g. {"group", "accessible", "projector"}
    name: str = ""  # used in reasons only


@dataclass(frozen=True, slots=True)
class Consultant:
    id: int
    name: str  # used in Danish reasons ("Mette Hansen er fraværende ...")
    staff_types: frozenset[str]  # subset of STAFF_TYPES
    site_ids: frozenset[int]  # sites this consultant serves
    home_site_id: int  # office they travel from/to for visits
    contracted_minutes_per_week: int  # hard cap on planned appointment minutes incl. travel
    available: tuple[Window, ...]  # working pattern minus absences and existing bookings
    preferred: tuple[Window, ...] = ()  # preferred working times; empty = no preference
    max_caseload: int = 25  # soft limit when new citizens get a contact consultant
    caseload: int = 0  # current number of citizens with this contact consultant
    # Absences (already left out of `available`); only reasons use them, to tell absence from hours.
    absent: tuple[Window, ...] = ()
    # Appointments already in other plans (other sites' weeks): nothing is planned over them, and
    # with DayRules.travel the trip to and from their place is kept free too. Inside `available`.
    bookings: tuple[Booking, ...] = ()


@dataclass(frozen=True, slots=True)
class Booking:
    start: int  # week slot
    end: int  # exclusive
    location_id: str | None = None  # where it happens (a site's/company's location id); None = unknown, no travel


@dataclass(frozen=True, slots=True)
class Workplace:
    """Where and when a citizen works (internship / partial return) this week."""

    location_id: str  # "company:12"
    windows: tuple[Window, ...]  # the citizen's hours at that company


@dataclass(frozen=True, slots=True)
class Citizen:
    id: int
    label: str  # initials/reference for humans only; never used by the logic
    site_id: int  # the citizen's own site
    available: tuple[Window, ...]  # minus internship/partial-return hours and accommodations
    max_minutes_per_day: int | None = None  # accommodation, e.g. 120 minutes; None = no limit
    preferred_days: frozenset[int] = frozenset()  # 0=Monday; empty = no preference
    contact_consultant_id: int | None = None  # None = new citizen without a contact yet
    busy_days: frozenset[int] = frozenset()  # days they come to the site anyway (no extra trip)
    # Internship / partial-return hours at the company. Company visits happen inside them
    # (the citizen is at the company then); everything else must use `available`.
    internship: tuple[Window, ...] = ()
    # Presence per place (used when `free` is set; `available` is then not used): `free` = times the
    # citizen has nothing else (accommodations, fixed unavailability, not at work), without any
    # commute. A phone talk needs `free`; a site or home appointment `free` minus the trip from
    # each workplace (Problem.travel_minutes); a company visit the citizen's hours at that company
    # (`workplaces`), or `free` minus the trip when they do not work there.
    free: tuple[Window, ...] | None = None
    workplaces: tuple[Workplace, ...] = ()
    max_run_minutes: int | None = None  # accommodation: longest stretch of appointments without a free slot
    # Already left out of `available`; only reasons use them, to name the one cause that applies:
    # fixed unavailability (fast fravær) and the hours outside the accommodated day (aftalte hensyn).
    unavailable: tuple[Window, ...] = ()
    outside_hours: tuple[Window, ...] = ()


@dataclass(frozen=True, slots=True)
class Ref:
    """Something a reason points at, for the UI to link to: a course, room, site, company, rule ..."""

    kind: str
    id: int
    name: str


@dataclass(frozen=True, slots=True)
class Cause:
    """The one blocker of an unplaced task, structured (codes: docs/plan-format.md)."""

    code: str
    person: Ref | None = None  # kind "citizen" or "consultant"
    at_slot: int | None = None  # the moment the cause is about
    object: Ref | None = None
    params: Mapping[str, object] = field(default_factory=dict)
    at_is_end: bool = False  # at_slot is an exclusive end (a deadline): the end of the slot before it


@dataclass(frozen=True, slots=True)
class Placement:
    task_id: str
    start_slot: int
    consultant_ids: tuple[int, ...]  # one per Task.staff_requirements entry, same order
    room_id: int | None = None  # set for Place.SITE
    site_id: int | None = None  # site held at (Place.SITE); None off-site (visits travel from home site)


@dataclass(frozen=True, slots=True)
class Task:
    id: str  # stable across re-plans, e.g. "talk:123:2025-W10"
    kind: str  # "talk", "roundtable", "followup_visit", "group_session", "stepup", ...
    citizen_ids: tuple[int, ...]  # all must attend (group participants included)
    staff_requirements: tuple[frozenset[str], ...]  # one distinct consultant per entry
    duration_slots: int
    place: Place
    site_ids: frozenset[int]  # allowed sites (Place.SITE); consultant must serve one
    window: Window  # earliest start .. must end by (the deadline)
    reason_rule: str  # Danish: why this is due, e.g. "Individuel samtale mindst hver 28. dag"
    room_min_capacity: int = 0  # 0 = citizens + consultants
    room_features: frozenset[str] = frozenset()
    location_id: str | None = None  # "company:12" / "home:45" for visits
    external_windows: tuple[Window, ...] | None = None  # e.g. employer present; None = any time
    preferred_consultant_ids: tuple[int, ...] = ()  # continuity: contact consultant(s)
    allowed_consultant_ids: frozenset[int] | None = None  # None = anyone of the right type
    fixed_start: int | None = None  # group sessions at a fixed time
    penalty_unplaced: int = 10  # multiplied by Weights.unplaced
    pinned: Placement | None = None  # must stay exactly here (coordinator decision)
    previous: Placement | None = None  # published placement; moving it costs
    min_participants: int = 0  # group sessions: allowed size of citizen_ids
    max_participants: int | None = None
    rule_id: int | None = None  # the caller's rule this task comes from (opaque to the solver); None = none
    course: Ref | None = None  # group sessions: the course, so reasons can name it

    def needed_capacity(self) -> int:
        return max(self.room_min_capacity, len(self.citizen_ids) + len(self.staff_requirements))


@dataclass(frozen=True, slots=True)
class Weights:
    """Objective weights (integers: CP-SAT needs them and comparisons stay exact)."""

    unplaced: int = 1000  # per unit of Task.penalty_unplaced
    not_contact_consultant: int = 300  # talk held by someone else than a preferred consultant
    load_balance: int = 5  # per permille of the largest relative load per staff type and group
    citizen_trip: int = 100  # per (citizen, day) at the site that is not a busy day
    citizen_gap: int = 10  # per slot between a flexible appointment and the citizen's group session that day
    moved_from_published: int = 500  # per task whose published time/consultants change
    preference: int = 20  # per consultant outside preferred time / citizen on non-preferred day
    caseload: int = 200  # new citizen's first talk with a consultant at/over max caseload


@dataclass(frozen=True, slots=True)
class SolverParams:
    num_workers: int  # always explicit: CP-SAT's default uses every core
    random_seed: int = 0
    max_time_seconds: float = 60.0  # keep below the background task timeout
    start_step_slots: int = 2  # candidate starts every 30 min (fixed/pinned starts exempt)
    # also every start where the citizens' or the consultants' free time begins or ends off that grid
    # (a talk after an internship ending at 15:15); solver.candidates._edge_starts
    edge_starts: bool = True
    max_consultants_per_requirement: int = 4  # preferred consultants always included (6 measured worse on L)
    max_consultant_combos: int = 6  # for tasks needing several consultants (feasible combinations only)
    use_hint: bool = True  # greedy plan as a complete hint
    probing_level: int = 0  # cp_model_probing_level; 0 halved presolve in measurements
    symmetry_level: int = 0
    linearization_level: int | None = None  # CP-SAT's linearization_level; None = its default (1)
    log_search: bool = False
    # Share of the search time given to large-neighbourhood search (solver.lns) before CP-SAT searches
    # the whole model from its plan; 1 = neighbourhoods only (no CP-SAT bound), 0 = whole model only,
    # None = chosen per part by solver.lns.auto_share (large parts with day rules: neighbourhoods).
    lns_share: float | None = None


@dataclass(frozen=True, slots=True)
class Problem:
    week_start: date  # a Monday
    sites: tuple[Site, ...]
    rooms: tuple[Room, ...]
    consultants: tuple[Consultant, ...]
    citizens: tuple[Citizen, ...]
    tasks: tuple[Task, ...]
    params: SolverParams
    weights: Weights = Weights()
    # Symmetric travel times between location ids; missing pair = 0 (same place).
    travel_minutes: Mapping[tuple[str, str], int] = field(default_factory=dict)
    day_start_minute: int = 7 * 60
    day_end_minute: int = 18 * 60
    slot_minutes: int = 15
    rules: DayRules = DayRules()

    # -- time helpers -------------------------------------------------------------------

    @property
    def slots_per_day(self) -> int:
        return (self.day_end_minute - self.day_start_minute) // self.slot_minutes

    @property
    def num_slots(self) -> int:
        return DAYS_PER_WEEK * self.slots_per_day

    def slot_of(self, day: int, hh: int, mm: int = 0) -> int:
        minute = hh * 60 + mm - self.day_start_minute
        return day * self.slots_per_day + minute // self.slot_minutes

    def day_of(self, slot: int) -> int:
        return slot // self.slots_per_day

    def slot_to_datetime(self, slot: int) -> datetime:
        """Naive local time of the start of `slot` (end of a window: pass window.end)."""
        day, offset = divmod(slot, self.slots_per_day)
        minute = self.day_start_minute + offset * self.slot_minutes
        return datetime.combine(self.week_start + timedelta(days=day), datetime.min.time()) + timedelta(minutes=minute)

    def day_window(self, day: int, start_hh: int, end_hh: int, start_mm: int = 0, end_mm: int = 0) -> Window:
        return Window(self.slot_of(day, start_hh, start_mm), self.slot_of(day, end_hh, end_mm))

    def travel(self, a: str, b: str) -> int:
        if a == b:
            return 0
        return self.travel_minutes.get((a, b), self.travel_minutes.get((b, a), 0))

    def travel_slots(self, a: str | None, b: str | None) -> int:
        if a is None or b is None:
            return 0  # an unknown place (a booking without location): no travel known
        return -(-self.travel(a, b) // self.slot_minutes)  # round up: never arrive late

    def lunch_of(self, consultant: Consultant) -> Lunch | None:
        """The consultant's lunch rule: their home site's, else the problem's (None = no rule)."""
        site = next((s for s in self.sites if s.id == consultant.home_site_id), None)
        if site is not None and site.lunch is not None:
            return site.lunch
        return self.rules.lunch

    def lunch_slots(self, lunch: Lunch, day: int) -> tuple[int, int, int]:
        """(first slot, end slot, length in slots) of a lunch rule on `day`; the window is
        rounded inwards to the grid, the length upwards."""
        spd = self.slots_per_day
        first = day * spd + max(0, -(-(lunch.earliest_minute - self.day_start_minute) // self.slot_minutes))
        end = day * spd + min(spd, max(0, (lunch.latest_minute - self.day_start_minute) // self.slot_minutes))
        return first, end, -(-lunch.minutes // self.slot_minutes)

    def run_slots(self, minutes: int) -> int:
        """A run limit in whole slots (rounded down: never longer than allowed)."""
        return minutes // self.slot_minutes

    def format_slot(self, slot: int) -> str:
        """Danish day and time, e.g. "torsdag 10:30", for reasons."""
        when = self.slot_to_datetime(slot)
        return f"{DANISH_DAYS[self.day_of(slot)]} {when:%H:%M}"

    def format_end(self, slot: int) -> str:
        """Danish day and time of an exclusive end slot (a deadline), e.g. "fredag 18:00"."""
        day = self.day_of(max(0, slot - 1))
        minute = self.day_start_minute + (slot - day * self.slots_per_day) * self.slot_minutes
        return f"{DANISH_DAYS[day]} {minute // 60:02d}:{minute % 60:02d}"

    # -- lookups ------------------------------------------------------------------------

    def site_by_id(self) -> dict[int, Site]:
        return {s.id: s for s in self.sites}

    def room_by_id(self) -> dict[int, Room]:
        return {r.id: r for r in self.rooms}

    def consultant_by_id(self) -> dict[int, Consultant]:
        return {c.id: c for c in self.consultants}

    def citizen_by_id(self) -> dict[int, Citizen]:
        return {c.id: c for c in self.citizens}

    def task_by_id(self) -> dict[str, Task]:
        return {t.id: t for t in self.tasks}

    # -- validation ---------------------------------------------------------------------

    def validate(self) -> None:
        """Raise ProblemError naming the first malformed item; return None when fine."""
        self._validate_grid()
        sites = _unique("site", (s.id for s in self.sites))
        _unique("room", (r.id for r in self.rooms))
        consultants = _unique("consultant", (c.id for c in self.consultants))
        citizens = _unique("citizen", (c.id for c in self.citizens))
        _unique("task", (t.id for t in self.tasks))
        self._validate_rules()
        for s in self.sites:
            self._check_windows(f"site {s.id}", s.open_windows)
            if s.lunch is not None:
                _validate_lunch(f"site {s.id}", s.lunch)
        for r in self.rooms:
            _validate_room(r, sites)
        for c in self.consultants:
            self._validate_consultant(c, sites)
        for z in self.citizens:
            self._validate_citizen(z, sites, consultants)
        for t in self.tasks:
            self._validate_task(t, sites, consultants, citizens)

    def _validate_grid(self) -> None:
        if self.week_start.weekday() != 0:
            raise ProblemError(f"week_start {self.week_start} is not a Monday")
        if self.slot_minutes <= 0 or (self.day_end_minute - self.day_start_minute) % self.slot_minutes:
            raise ProblemError("day_start_minute..day_end_minute must be a whole number of slots")
        if self.slots_per_day <= 0:
            raise ProblemError("day_end_minute must be after day_start_minute")
        if self.params.num_workers < 1:
            raise ProblemError("params.num_workers must be >= 1")
        if self.params.start_step_slots < 1:
            raise ProblemError("params.start_step_slots must be >= 1")

    def _validate_rules(self) -> None:
        if self.rules.lunch is not None:
            _validate_lunch("rules", self.rules.lunch)
        if self.rules.max_run_minutes is not None and self.rules.max_run_minutes < self.slot_minutes:
            raise ProblemError(f"rules: max_run_minutes must be >= {self.slot_minutes}")

    def _validate_consultant(self, c: Consultant, sites: set[int]) -> None:
        name = f"consultant {c.id} ({c.name})"
        if not c.staff_types or not c.staff_types <= STAFF_TYPES:
            raise ProblemError(f"{name}: staff_types {sorted(c.staff_types)} not in {sorted(STAFF_TYPES)}")
        for sid in c.site_ids | {c.home_site_id}:
            if sid not in sites:
                raise ProblemError(f"{name}: unknown site id {sid}")
        if c.contracted_minutes_per_week < 0:
            raise ProblemError(f"{name}: negative contracted_minutes_per_week")
        self._check_windows(name, c.available)
        self._check_windows(name, c.preferred)
        self._check_windows(f"{name} bookings", (Window(b.start, b.end) for b in c.bookings))

    def _validate_citizen(self, z: Citizen, sites: set[int], consultants: set[int]) -> None:
        name = f"citizen {z.id}"
        if z.site_id not in sites:
            raise ProblemError(f"{name}: unknown site id {z.site_id}")
        if z.contact_consultant_id is not None and z.contact_consultant_id not in consultants:
            raise ProblemError(f"{name}: unknown contact consultant id {z.contact_consultant_id}")
        if z.max_minutes_per_day is not None and z.max_minutes_per_day < 0:
            raise ProblemError(f"{name}: negative max_minutes_per_day")
        for d in z.preferred_days | z.busy_days:
            if not 0 <= d < DAYS_PER_WEEK:
                raise ProblemError(f"{name}: day {d} outside Monday-Friday (0-4)")
        self._check_windows(name, z.available)
        self._check_windows(name, z.internship)
        if z.workplaces and z.free is None:
            raise ProblemError(f"{name}: workplaces need free (presence per place)")
        self._check_windows(name, z.free or ())
        for wp in z.workplaces:
            if not wp.location_id:
                raise ProblemError(f"{name}: workplace without location_id")
            self._check_windows(f"{name} at {wp.location_id}", wp.windows)
        if z.max_run_minutes is not None and z.max_run_minutes < self.slot_minutes:
            raise ProblemError(f"{name}: max_run_minutes must be >= {self.slot_minutes}")

    def _validate_task(self, t: Task, sites: set[int], consultants: set[int], citizens: set[int]) -> None:
        name = f"task {t.id}"
        _validate_task_shape(name, t)
        _validate_task_references(name, t, sites, consultants, citizens)
        self._validate_task_time(name, t)
        for label, p in (("pinned", t.pinned), ("previous", t.previous)):
            if p is not None:
                self._validate_placement(name, label, t, p, consultants)

    def _validate_task_time(self, name: str, t: Task) -> None:
        self._check_windows(name, (t.window,))
        if t.window.end - t.window.start < t.duration_slots:
            raise ProblemError(f"{name}: window {t.window} shorter than duration {t.duration_slots}")
        if t.external_windows is not None:
            self._check_windows(name, t.external_windows)
        if t.place in VISIT_PLACES and not t.location_id:
            raise ProblemError(f"{name}: {t.place} visit needs location_id")
        if t.fixed_start is not None and not t.window.contains(t.fixed_start, t.fixed_start + t.duration_slots):
            raise ProblemError(f"{name}: fixed_start {t.fixed_start} outside window {t.window}")
        if t.penalty_unplaced < 0:
            raise ProblemError(f"{name}: negative penalty_unplaced")
        n = len(t.citizen_ids)
        if n < t.min_participants or (t.max_participants is not None and n > t.max_participants):
            raise ProblemError(f"{name}: {n} participants outside {t.min_participants}..{t.max_participants}")

    def _validate_placement(self, name: str, label: str, t: Task, p: Placement, consultants: set[int]) -> None:
        if p.task_id != t.id:
            raise ProblemError(f"{name}: {label} placement belongs to task {p.task_id}")
        if len(p.consultant_ids) != len(t.staff_requirements):
            raise ProblemError(f"{name}: {label} placement needs {len(t.staff_requirements)} consultants")
        for kid in p.consultant_ids:
            if kid not in consultants:
                raise ProblemError(f"{name}: {label} placement has unknown consultant id {kid}")
        if not 0 <= p.start_slot < self.num_slots:
            raise ProblemError(f"{name}: {label} placement start {p.start_slot} outside the week")

    def _check_windows(self, owner: str, windows: Iterable[Window]) -> None:
        for w in windows:
            if w.end < w.start:
                raise ProblemError(f"{owner}: window end before start ({w.start}..{w.end})")
            if w.start < 0 or w.end > self.num_slots:
                raise ProblemError(f"{owner}: window {w.start}..{w.end} outside the week (0..{self.num_slots})")


def _validate_lunch(owner: str, lunch: Lunch) -> None:
    if lunch.minutes <= 0 or lunch.latest_minute - lunch.earliest_minute < lunch.minutes:
        raise ProblemError(
            f"{owner}: lunch of {lunch.minutes} min does not fit {lunch.earliest_minute}..{lunch.latest_minute}"
        )


def _validate_room(r: Room, sites: set[int]) -> None:
    if r.site_id not in sites:
        raise ProblemError(f"room {r.id}: unknown site id {r.site_id}")
    if r.capacity < 1:
        raise ProblemError(f"room {r.id}: capacity must be >= 1")


def _validate_task_shape(name: str, t: Task) -> None:
    if t.duration_slots <= 0:
        raise ProblemError(f"{name}: duration_slots must be >= 1 (got {t.duration_slots})")
    if t.place not in PLACES:
        raise ProblemError(f"{name}: place {str(t.place)!r} not in {sorted(p.value for p in Place)}")
    if not t.staff_requirements:
        raise ProblemError(f"{name}: needs at least one staff requirement")
    for req in t.staff_requirements:
        if not req or not req <= STAFF_TYPES:
            raise ProblemError(f"{name}: staff requirement {sorted(req)} not in {sorted(STAFF_TYPES)}")


def _validate_task_references(
    name: str, t: Task, sites: set[int], consultants: set[int], citizens: set[int]
) -> None:
    if not t.site_ids:
        raise ProblemError(f"{name}: site_ids is empty")
    for sid in t.site_ids:
        if sid not in sites:
            raise ProblemError(f"{name}: unknown site id {sid}")
    if len(set(t.citizen_ids)) != len(t.citizen_ids):
        raise ProblemError(f"{name}: duplicate citizen ids")
    for cid in t.citizen_ids:
        if cid not in citizens:
            raise ProblemError(f"{name}: unknown citizen id {cid}")
    for kid in (*t.preferred_consultant_ids, *(t.allowed_consultant_ids or ())):
        if kid not in consultants:
            raise ProblemError(f"{name}: unknown consultant id {kid}")


def _unique(kind: str, ids: Iterable[int] | Iterable[str]) -> set:
    seen: set = set()
    for i in ids:
        if i in seen:
            raise ProblemError(f"duplicate {kind} id {i!r}")
        seen.add(i)
    return seen


@dataclass(frozen=True, slots=True)
class Unplaced:
    task_id: str
    reason: str  # Danish, actionable; names the person/site/day
    cause: Cause | None = None  # the same reason, structured


@dataclass(frozen=True, slots=True)
class Solution:
    placements: tuple[Placement, ...]
    unplaced: tuple[Unplaced, ...]
    status: SolveStatus
    objective: int  # objective.evaluate() of this solution
    best_bound: int | None  # lower bound on the objective (None when unknown)
    gap: float | None  # (avoidable objective - avoidable bound) / avoidable objective
    avoidable_objective: int  # objective minus penalties of tasks without any candidate
    stats: dict[str, object] = field(default_factory=dict)  # wall time, counts, versions, params
    moved_task_ids: tuple[str, ...] = ()  # tasks whose published placement changed
    cancelled: bool = False  # the caller asked to stop: the best plan found until then
