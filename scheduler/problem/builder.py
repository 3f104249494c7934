"""Database → solver.Problem (plain dataclasses, no ORM objects cross the line).

`problem_build` reads one week for a set of sites: the demand (scheduler.demand.demand), who is free when
(opening hours minus holidays and closed days; working hours minus absences and bookings in other
sites' plans; citizens' site hours minus fixed unavailability, internship hours and accommodations),
travel times, employer presence, the coordinator's pins and cancellations (the draft's, else the published
plan's) and the published plan's placements.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db.models import Count, Q

from activities.models import ActivityKind, Company, EmployerAvailability, GroupCourse, Place
from rooms.models import Room, Site, TravelTimeOverride
from rooms.travel import estimate_minutes
from scheduler.availability import (
    TZ,
    DayIntervals,
    Interval,
    SiteWeek,
    active_internships,
    all_sites_closed_days,
    intersect,
    minutes,
    normalise,
    site_weeks,
    subtract,
    week_dates,
    work_hours,
)
from scheduler.causes import cause_json, citizen_json, ref_json
from scheduler.demand import demand as demand_mod
from scheduler.demand.demand import Demand, Note, WeekDemand
from scheduler.errors import PlanningError
from scheduler.models import (
    Absence,
    Appointment,
    AppointmentStatus,
    Citizen,
    Consultant,
    Enrolment,
    EnrolmentStatus,
    Plan,
    PlanStatus,
    PreferredTime,
    WorkingHours,
)
from scheduler.planning.selectors import planning_weights, week_plans
from solver import problem as sp

SLOT = 15
VISIT_KINDS = (ActivityKind.ROUNDTABLE, ActivityKind.FOLLOWUP_VISIT)


@dataclass(slots=True)
class BuiltProblem:
    """The Problem plus what the storing step needs to turn placements back into rows."""

    problem: sp.Problem
    site_ids: frozenset[int]  # the sites planned (the Problem may hold consultants' other home sites)
    demands: dict[str, Demand]  # task id -> demand
    notes: list[Note]
    build_seconds: float = 0.0
    # A coordinator's cancellations that still hold: kept out of the solver, carried into the new draft.
    held_cancelled: list[Appointment] = field(default_factory=list)
    # Contact consultants and course places chosen for this draft (scheduler.planning.proposals).
    proposals: dict = field(default_factory=dict)


# -- plans of the week ------------------------------------------------------------------------------


def _appointments(plans: Iterable[Plan], **filters: object) -> list[Appointment]:
    return list(
        Appointment.objects.filter(plan__in=list(plans), **filters)
        .select_related("plan")
        .prefetch_related("consultants__staff_types", "citizens")
        .order_by("plan_id", "id")
    )


def _draft_word(drafts: list[Plan]) -> tuple[list[Appointment], set[str]]:
    """The drafts' word on each task: their first row per task key (by plan, then id), as full rows only
    where a coordinator pinned it (only those become pins or held cancellations), and the task keys of
    all of them (an unpinned draft row releases a published pin). A draft holds hundreds of rows; loading
    them all with their people cost a fifth of a `problem_build`."""
    if not drafts:
        return [], set()
    first: dict[str, int] = {}
    for pk, task_key in (Appointment.objects.filter(plan__in=drafts).order_by("plan_id", "id")
                         .values_list("pk", "task_key")):
        first.setdefault(task_key, pk)
    chosen = set(first.values())
    return [a for a in _appointments(drafts, pinned=True) if a.pk in chosen], set(first)


def coordinator_decisions(
    draft_rows: list[Appointment], published_rows: list[Appointment], draft_keys: Iterable[str] = (),
) -> tuple[dict[str, Appointment], dict[str, Appointment]]:
    """(pins, cancellations) a coordinator made that re-planning must keep, by task key.

    What a coordinator pinned, moved, placed or cancelled by hand is pinned. The newest word on a task
    counts: the draft's appointment if the draft has the task, else the published one — so a published
    pin carries over into every next draft, and unpinning in the draft releases it. `draft_keys`: task
    keys the drafts hold besides `draft_rows` (when only their pinned rows were loaded)."""
    latest: dict[str, Appointment] = {}
    for a in published_rows:
        latest.setdefault(a.task_key, a)
    for task_key in draft_keys:
        latest.pop(task_key, None)
    in_drafts: dict[str, Appointment] = {}
    for a in draft_rows:
        in_drafts.setdefault(a.task_key, a)
    latest.update(in_drafts)
    pins = {k: a for k, a in latest.items() if a.pinned and a.status == AppointmentStatus.PLANNED}
    cancelled = {k: a for k, a in latest.items() if a.pinned and a.status == AppointmentStatus.CANCELLED}
    return pins, cancelled


# -- time grid --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Grid:
    week_start: date
    day_start: int
    day_end: int

    @property
    def spd(self) -> int:
        return (self.day_end - self.day_start) // SLOT

    def windows(self, per_day: DayIntervals) -> tuple[sp.Window, ...]:
        """Available minutes → slot windows, shrunk inwards to whole slots (never more than is free)."""
        out = []
        for d in sorted(per_day):
            for s, e in per_day[d]:
                s0 = max(0, math.ceil((s - self.day_start) / SLOT))
                e0 = min(self.spd, (e - self.day_start) // SLOT)
                if e0 > s0:
                    out.append(sp.Window(d * self.spd + s0, d * self.spd + e0))
        return tuple(out)

    def slot(self, day: int, minute: int) -> int:
        return day * self.spd + (minute - self.day_start) // SLOT

    def datetime_of(self, slot: int) -> datetime:
        day, offset = divmod(slot, self.spd)
        naive = datetime.combine(self.week_start + timedelta(days=day), datetime.min.time()) + timedelta(
            minutes=self.day_start + offset * SLOT
        )
        return naive.replace(tzinfo=TZ)

    def slot_of_datetime(self, moment: datetime) -> int | None:
        local = moment.astimezone(TZ)
        day = (local.date() - self.week_start).days
        minute = local.hour * 60 + local.minute
        if not 0 <= day < 5 or not self.day_start <= minute < self.day_end or (minute - self.day_start) % SLOT:
            return None
        return self.slot(day, minute)


def _grid(week_start: date, site_ids: Iterable[int], consultant_ids: Iterable[int], demands: Iterable[Demand]) -> Grid:
    from rooms.models import OpeningHours

    starts, ends = [7 * 60], [18 * 60]
    for oh in OpeningHours.objects.filter(site_id__in=list(site_ids), weekday__lt=5):
        starts.append(minutes(oh.opens))
        ends.append(minutes(oh.closes))
    for wh in WorkingHours.objects.filter(consultant_id__in=list(consultant_ids)):
        starts.append(minutes(wh.start_time))
        ends.append(minutes(wh.end_time))
    for d in demands:
        if d.fixed_minute is not None:
            starts.append(d.fixed_minute)
            ends.append(d.fixed_minute + d.duration_minutes)
    start = max(0, min(starts) // SLOT * SLOT)
    end = min(24 * 60, -(-max(ends) // SLOT) * SLOT)
    return Grid(week_start, start, end)


# -- the builder ------------------------------------------------------------------------------------


def problem_build(
    *,
    week_start: date,
    site_ids: Iterable[int],
    time_limit: float | None = None,
    num_workers: int | None = None,
    random_seed: int = 0,
    weights: sp.Weights | None = None,
    week_demand: WeekDemand | None = None,
) -> BuiltProblem:
    import time as _time

    t0 = _time.perf_counter()
    if week_start.weekday() != 0:
        raise PlanningError("Ugen skal angives ved sin mandag.", code="invalid_week")
    site_ids = frozenset(site_ids)
    sites = {s.id: s for s in Site.objects.filter(id__in=site_ids)}
    if not sites or set(sites) != site_ids:
        raise PlanningError("Vælg mindst ét kendt center at planlægge.", code="unknown_site")
    wd = week_demand or demand_mod.week_demand(week_start=week_start, site_ids=site_ids)
    drafts, published = week_plans(week_start=week_start, site_ids=site_ids)
    published_rows = _appointments(published)
    draft_rows, draft_keys = _draft_word(list(drafts))
    pins, held_cancelled = coordinator_decisions(draft_rows, published_rows, draft_keys)
    previous = {a.task_key: a for a in published_rows if a.status == AppointmentStatus.PLANNED}

    # Consultants: those serving the sites, and anyone a pin or the published plan names.
    named = {c.id for a in (*pins.values(), *previous.values()) for c in a.consultants.all()}
    consultants = list(
        Consultant.objects.filter(
            Q(active=True) & (Q(sites__in=site_ids) | Q(home_site_id__in=site_ids)) | Q(id__in=named)
        )
        .distinct()
        .select_related("home_site")
        .prefetch_related("staff_types", "sites")
        .order_by("id")
    )
    consultant_ids = [c.id for c in consultants]
    grid = _grid(week_start, set(site_ids) | {c.home_site_id for c in consultants}, consultant_ids, wd.demands)
    all_sites = dict(sites)
    for c in consultants:
        all_sites.setdefault(c.home_site_id, c.home_site)
    weeks = site_weeks(sites=all_sites.values(), week_start=week_start)

    day_rules = bool(getattr(settings, "PLANNER_DAY_RULES", True))
    problem_sites = tuple(
        sp.Site(s.id, s.name, grid.windows(weeks[s.id].open), s.location_key, _site_lunch(s) if day_rules else None)
        for s in sorted(all_sites.values(), key=lambda s: s.id)
    )
    rooms = tuple(
        sp.Room(r.id, r.site_id, r.capacity, frozenset(f.code for f in r.features.all()), r.name)
        for r in Room.objects.filter(site_id__in=site_ids, active=True).prefetch_related("features").order_by("id")
    )

    elsewhere = _bookings_elsewhere(week_start, site_ids)
    problem_consultants = _consultants(consultants, grid, week_start, site_ids, elsewhere, day_rules)
    known_consultants = {c.id for c in problem_consultants}

    # Citizens: everyone a demand or a pin names, if they belong to a planned site.
    citizen_ids = {z for d in wd.demands for z in d.citizen_ids} | {
        z.id for a in pins.values() for z in a.citizens.all()
    }
    citizens = {
        z.id: z
        for z in Citizen.objects.filter(id__in=citizen_ids, site_id__in=site_ids).prefetch_related("unavailability")
    }
    enrolments, internships = _enrolments_by_citizen(citizens, week_start, wd)
    hours_at_work = {
        zid: work_hours([i for e in enrolments.get(zid, []) for i in internships.get(e.id, [])], week_start)
        for zid in citizens
    }

    # Travel: the consultants' home sites to every place a task goes to, and citizens' sites to their workplaces.
    notes = list(wd.notes)
    demands = wd.demands
    locations = {s.location_key: (s.latitude, s.longitude) for s in all_sites.values()}
    company_ids = (
        {d.company_id for d in demands if d.company_id}
        | {w.company_id for ws in hours_at_work.values() for w in ws}
        | {a.company_id for a in pins.values() if a.company_id}
    )
    for company in Company.objects.filter(id__in=company_ids):
        locations[company.location_key] = (company.latitude, company.longitude)
    for d in demands:
        if d.place == Place.HOME:
            z = citizens.get(d.citizen_ids[0])
            if z is not None and z.latitude is not None and z.longitude is not None:
                locations[f"home:{z.id}"] = (z.latitude, z.longitude)
    if day_rules:
        # Bookings in other sites' plans are stops of the consultant's day too.
        locations.update(_booking_locations(elsewhere["places"]))
        origins = set(locations)  # every pair: chained visits and trips between any two stops
    else:
        origins = {s.location_key for s in all_sites.values()}
    travel = _travel_matrix(locations, origins)
    if day_rules:
        places = elsewhere["places"]
        problem_consultants = [_with_booking_places(c, places, grid, locations) for c in problem_consultants]
    # Who can attend a session is judged as the solver will see it: with the trip from the workplace.
    demands = _attendable_group_sessions(demands, citizens, weeks, hours_at_work, notes, travel)

    problem_citizens = tuple(
        _citizen(
            z,
            grid,
            weeks[z.site_id],
            hours_at_work.get(z.id, []),
            demands,
            travel,
            known_consultants,
            enrolments.get(z.id, []),
            day_rules,
        )
        for z in sorted(citizens.values(), key=lambda z: z.id)
    )
    employer = _employer_windows(grid, {d.company_id for d in demands if d.company_id})

    tasks: list[sp.Task] = []
    by_key: dict[str, Demand] = {}
    course_names = dict(
        GroupCourse.objects.filter(id__in={d.group_course_id for d in demands if d.group_course_id}).values_list(
            "id", "name"
        )
    )
    consultant_types = {c.id: c.staff_types for c in problem_consultants}
    for d in demands:
        if d.key in held_cancelled:
            continue  # cancelled by a coordinator: stays cancelled until someone unpins it
        if not set(d.citizen_ids) <= set(citizens):
            notes.append(
                Note(
                    d.key,
                    d.kind,
                    "Borgeren hører ikke til et af de valgte centre",
                    d.reason_rule,
                    d.citizen_ids,
                    d.enrolment_id,
                    d.request_id,
                    d.group_course_id,
                    d.due_by,
                )
            )
            continue
        task = _task(d, grid, employer, known_consultants)
        task = _with_course(task, d, course_names)
        task = _after_first_trip(task, travel, problem_sites)
        pin = pins.pop(d.key, None)
        prev = previous.get(d.key)
        task = _with_placements(task, grid, pin, prev, consultant_types)
        tasks.append(task)
        by_key[task.id] = d
    # Pins whose demand is gone (a coordinator's own appointment, or no longer due) are kept as they are.
    for appt in pins.values():
        built = _orphan_pin(appt, grid, citizens, consultant_types)
        if built is None:
            continue
        task, d = built
        tasks.append(task)
        by_key[task.id] = d

    params = sp.SolverParams(
        num_workers=num_workers or settings.PLANNER_NUM_WORKERS,
        random_seed=random_seed,
        max_time_seconds=float(time_limit or settings.PLANNER_TIME_LIMIT_SECONDS),
    )
    problem = sp.Problem(
        week_start=week_start,
        sites=problem_sites,
        rooms=rooms,
        consultants=tuple(problem_consultants),
        citizens=problem_citizens,
        tasks=tuple(tasks),
        params=params,
        weights=weights or planning_weights(),
        travel_minutes=travel,
        day_start_minute=grid.day_start,
        day_end_minute=grid.day_end,
        slot_minutes=SLOT,
        rules=_day_rules() if day_rules else sp.DayRules(),
    )
    problem.validate()
    return BuiltProblem(
        problem=problem,
        site_ids=site_ids,
        demands=by_key,
        notes=notes,
        build_seconds=_time.perf_counter() - t0,
        held_cancelled=list(held_cancelled.values()),
    )


def _with_course(task: sp.Task, d: Demand, course_names: dict[int, str]) -> sp.Task:
    """A group session names its course, so reasons can say which course keeps a citizen busy
    ("er på sit hold »…«")."""
    if d.kind == ActivityKind.GROUP_SESSION and d.group_course_id in course_names:
        return replace(task, course=sp.Ref("course", d.group_course_id, course_names[d.group_course_id]))
    return task


def grid_of(problem: sp.Problem) -> Grid:
    return Grid(problem.week_start, problem.day_start_minute, problem.day_end_minute)


# -- consultants ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BookingElsewhere:
    """A consultant's appointment in another site's plan: when, and where (for the trips around it)."""

    day: int
    start: int  # minutes since midnight
    end: int
    location_id: str | None  # "site:3", "company:12", "home:45"; None = phone/video or unknown
    coords: tuple[float, float] | None


def _booking_place(a: Appointment) -> tuple[str | None, tuple[float, float] | None]:
    if a.place == Place.SITE and a.site_id is not None:
        return a.site.location_key, (a.site.latitude, a.site.longitude)
    if a.place == Place.COMPANY and a.company_id is not None:
        return a.company.location_key, (a.company.latitude, a.company.longitude)
    if a.place == Place.HOME:
        z = next(iter(a.citizens.all()), None)
        if z is not None and z.latitude is not None and z.longitude is not None:
            return f"home:{z.id}", (z.latitude, z.longitude)
    return None, None  # a phone or video talk can be held from wherever the consultant is


def _bookings_elsewhere(week_start: date, site_ids: frozenset[int]) -> dict[str, dict]:
    """Consultants' and citizens' appointments this week in plans for other sites (not replanned here).

    "consultant"/"citizen": spans per weekday; "places": per consultant the bookings with their place.
    """
    out: dict[str, dict] = {"consultant": defaultdict(dict), "citizen": defaultdict(dict), "places": defaultdict(list)}
    others = Plan.objects.filter(week_start=week_start, status__in=[PlanStatus.DRAFT, PlanStatus.PUBLISHED]).exclude(
        sites__in=site_ids
    )
    for a in (
        Appointment.objects.filter(plan__in=others, status=AppointmentStatus.PLANNED)
        .select_related("site", "company")
        .prefetch_related("consultants", "citizens")
    ):
        start, end = a.start.astimezone(TZ), a.end.astimezone(TZ)
        day = (start.date() - week_start).days
        if not 0 <= day < 5:
            continue
        span = (start.hour * 60 + start.minute, end.hour * 60 + end.minute)
        location, coords = _booking_place(a)
        for c in a.consultants.all():
            out["consultant"][c.id].setdefault(day, []).append(span)
            out["places"][c.id].append(BookingElsewhere(day, span[0], span[1], location, coords))
        for z in a.citizens.all():
            out["citizen"][z.id].setdefault(day, []).append(span)
    return out


def _booking_locations(places: dict[int, list[BookingElsewhere]]) -> dict[str, tuple[float, float]]:
    return {b.location_id: b.coords for bs in places.values() for b in bs if b.location_id and b.coords}


def _with_booking_places(
    c: sp.Consultant, places: dict[int, list[BookingElsewhere]], grid: Grid, locations: dict
) -> sp.Consultant:
    """Bookings in other sites' plans as solver bookings with their place (day rules on): the solver keeps
    their span plus the trips to and from them free. Spans are widened outwards to whole slots."""
    from dataclasses import replace

    bookings = []
    for b in sorted(places.get(c.id, []), key=lambda b: (b.day, b.start, b.end)):
        s0 = max(0, (b.start - grid.day_start) // SLOT)
        e0 = min(grid.spd, -(-(b.end - grid.day_start) // SLOT))
        if e0 <= s0:
            continue
        location = b.location_id if b.location_id in locations else None
        bookings.append(sp.Booking(b.day * grid.spd + s0, b.day * grid.spd + e0, location))
    return replace(c, bookings=tuple(bookings)) if bookings else c


def _site_lunch(site: Site) -> sp.Lunch | None:
    """The lunch of the consultants based at `site`; None (no lunch rule) for 0 minutes or a window too short.

    Every consultant's home site is among the Problem's sites, so the Problem-wide lunch stays unset
    and a site's "0 minutes" really means no lunch rule there."""
    earliest, latest = minutes(site.lunch_earliest), minutes(site.lunch_latest)
    if not site.lunch_minutes or latest - earliest < site.lunch_minutes:
        return None
    return sp.Lunch(earliest, latest, site.lunch_minutes)


def _day_rules() -> sp.DayRules:
    """Travel in every consultant's day and the longest run; lunch comes per home site (Site.lunch)."""
    max_run = int(getattr(settings, "PLANNER_MAX_RUN_MINUTES", 180) or 0)
    return sp.DayRules(travel=True, lunch=None, max_run_minutes=max_run or None)


def _consultants(
    consultants: list[Consultant],
    grid: Grid,
    week_start: date,
    site_ids: frozenset[int],
    elsewhere: dict[str, dict],
    day_rules: bool = False,
) -> list[sp.Consultant]:
    ids = [c.id for c in consultants]
    friday = week_start + timedelta(days=4)
    hours: dict[int, DayIntervals] = defaultdict(dict)
    for wh in WorkingHours.objects.filter(consultant_id__in=ids, weekday__lt=5):
        hours[wh.consultant_id][wh.weekday] = [(minutes(wh.start_time), minutes(wh.end_time))]
    closed_everywhere = all_sites_closed_days(week_start)
    days = week_dates(week_start)
    # What the absences take away is kept too: reasons tell "absent" from "not working then".
    absent: dict[int, DayIntervals] = defaultdict(lambda: defaultdict(list))
    for ab in Absence.objects.filter(consultant_id__in=ids, start_date__lte=friday, end_date__gte=week_start):
        for d, day in enumerate(days):
            if not ab.start_date <= day <= ab.end_date or d not in hours[ab.consultant_id]:
                continue
            if ab.start_time is None or ab.end_time is None:
                absent[ab.consultant_id][d] += hours[ab.consultant_id][d]
                del hours[ab.consultant_id][d]
            else:
                cut = (minutes(ab.start_time), minutes(ab.end_time))
                absent[ab.consultant_id][d] += intersect(hours[ab.consultant_id][d], cut)
                hours[ab.consultant_id][d] = subtract(hours[ab.consultant_id][d], cut)
    preferred: dict[int, dict[int, list[tuple[int, int]]]] = defaultdict(lambda: defaultdict(list))
    for pt in PreferredTime.objects.filter(consultant_id__in=ids):
        preferred[pt.consultant_id][pt.weekday].append((minutes(pt.start_time), minutes(pt.end_time)))
    caseload = dict(
        Enrolment.objects.filter(status=EnrolmentStatus.ACTIVE, contact_consultant_id__in=ids)
        .values_list("contact_consultant_id")
        .annotate(n=Count("id"))
    )
    out = []
    for c in consultants:
        per_day = {d: iv for d, iv in hours[c.id].items() if d not in closed_everywhere}
        booked_minutes = 0
        for d, spans in elsewhere["consultant"].get(c.id, {}).items():
            for span in spans:
                booked_minutes += span[1] - span[0]
                # With day rules the solver gets them as Consultant.bookings (span plus trips).
                if d in per_day and not day_rules:
                    per_day[d] = subtract(per_day[d], span)
        served = ({s.id for s in c.sites.all()} | {c.home_site_id}) & site_ids
        types = frozenset(st.code for st in c.staff_types.all()) & sp.STAFF_TYPES
        if not types:
            continue  # a consultant without a staff type can take no task
        out.append(
            sp.Consultant(
                id=c.id,
                name=c.name,
                staff_types=types,
                site_ids=frozenset(served),
                home_site_id=c.home_site_id,
                contracted_minutes_per_week=max(0, int(c.hours_per_week * 60) - booked_minutes),
                available=grid.windows(per_day),
                preferred=grid.windows(preferred[c.id]),
                max_caseload=c.max_caseload,
                caseload=caseload.get(c.id, 0),
                absent=grid.windows({d: normalise(iv) for d, iv in absent[c.id].items() if d not in closed_everywhere}),
            )
        )
    return out


# -- citizens ---------------------------------------------------------------------------------------


def _enrolments_by_citizen(
    citizens: dict[int, Citizen], week_start: date, wd: WeekDemand,
) -> tuple[dict[int, list[Enrolment]], dict[int, list]]:
    """The citizens' active enrolments, and the week's internships per enrolment id. The week's demand
    read both for the planned sites (the citizens' sites): taken from there, not read twice."""
    site_ids = {z.site_id for z in citizens.values()}
    reuse = wd.week_start == week_start and site_ids <= wd.site_ids
    active = (list(wd.enrolments.values()) if reuse
              else demand_mod.active_enrolments(site_ids=site_ids, week_start=week_start))
    out: dict[int, list[Enrolment]] = defaultdict(list)
    for e in active:
        if e.citizen_id in citizens:
            out[e.citizen_id].append(e)
    enrolment_ids = [e.id for es in out.values() for e in es]
    if reuse:
        return out, {e: wd.internships[e] for e in enrolment_ids if e in wd.internships}
    return out, active_internships(enrolment_ids=enrolment_ids, week_start=week_start)


def citizen_free(z: Citizen, site_week: SiteWeek, hours_at_work: list, travel: dict | None = None) -> DayIntervals:
    """Minutes per weekday the citizen can be at the centre: opening hours, accommodations, fixed
    unavailability and internship/partial-return hours (plus the trip between workplace and centre)."""
    free: DayIntervals = {}
    lo = minutes(z.not_before) if z.not_before else 0
    hi = minutes(z.not_after) if z.not_after else 24 * 60
    for d, intervals in site_week.open.items():
        free[d] = intersect(list(intervals), (lo, hi))
    for u in z.unavailability.all():
        if u.weekday in free:
            free[u.weekday] = subtract(free[u.weekday], (minutes(u.start_time), minutes(u.end_time)))
    for w in hours_at_work:
        if w.day in free:
            trip = 0
            if travel is not None:
                key = (f"company:{w.company_id}", f"site:{z.site_id}")
                trip = travel.get(key, travel.get((key[1], key[0]), 0))
            free[w.day] = subtract(free[w.day], (w.start - trip, w.end + trip))
    return {d: normalise(iv) for d, iv in free.items() if iv}


def _citizen(
    z: Citizen,
    grid: Grid,
    site_week: SiteWeek,
    hours_at_work: list,
    demands: list[Demand],
    travel: dict,
    known_consultants: set[int],
    enrolments: list[Enrolment],
    per_place: bool = False,
) -> sp.Citizen:
    free = citizen_free(z, site_week, hours_at_work, travel)
    internship: DayIntervals = defaultdict(list)
    at_company: dict[int, DayIntervals] = defaultdict(lambda: defaultdict(list))
    for w in hours_at_work:
        internship[w.day].append((w.start, w.end))
        at_company[w.company_id][w.day].append((w.start, w.end))
    presence: dict = {}
    if per_place:
        # Presence per place (docs/solver.md): `free` without any commute (a phone talk right after
        # work is fine); the solver adds the trip from each workplace for site and home appointments,
        # and visits a company only inside the citizen's hours there.
        presence["free"] = grid.windows(citizen_free(z, site_week, hours_at_work))
        presence["workplaces"] = tuple(
            sp.Workplace(f"company:{cid}", grid.windows({d: normalise(iv) for d, iv in days.items()}))
            for cid, days in sorted(at_company.items())
        )
    group_days = {d.fixed_day for d in demands if d.fixed_day is not None and z.id in d.citizen_ids}
    contact = next((e.contact_consultant_id for e in enrolments if e.contact_consultant_id), None)
    return sp.Citizen(
        id=z.id,
        label=z.full_name,  # reasons are read by coordinators: full names, never initials
        site_id=z.site_id,
        available=grid.windows(free),
        max_minutes_per_day=int(z.max_hours_per_day * 60) if z.max_hours_per_day else None,
        preferred_days=frozenset(d for d in (z.preferred_weekdays or []) if isinstance(d, int) and 0 <= d < 5),
        contact_consultant_id=contact if contact in known_consultants else None,
        busy_days=frozenset(group_days | {w.day for w in hours_at_work}),
        internship=grid.windows({d: normalise(iv) for d, iv in internship.items()}),
        **presence,
        unavailable=grid.windows(_fixed_unavailability(z, site_week)),
        outside_hours=grid.windows(_outside_hours(z, site_week)),
    )


def _fixed_unavailability(z: Citizen, site_week: SiteWeek) -> DayIntervals:
    out: DayIntervals = defaultdict(list)
    for u in z.unavailability.all():
        for iv in site_week.open.get(u.weekday, []):
            out[u.weekday] += intersect([iv], (minutes(u.start_time), minutes(u.end_time)))
    return {d: normalise(iv) for d, iv in out.items() if iv}


def _outside_hours(z: Citizen, site_week: SiteWeek) -> DayIntervals:
    """Opening hours outside the citizen's accommodated day (not before / not after)."""
    lo = minutes(z.not_before) if z.not_before else 0
    hi = minutes(z.not_after) if z.not_after else 24 * 60
    out: DayIntervals = {}
    for d, intervals in site_week.open.items():
        outside = subtract(list(intervals), (lo, hi))
        if outside:
            out[d] = normalise(outside)
    return out


def _attendable_group_sessions(
    demands: list[Demand],
    citizens: dict[int, Citizen],
    weeks: dict[int, SiteWeek],
    hours_at_work: dict[int, list],
    notes: list[Note],
    travel: dict[tuple[str, str], int] | None = None,
) -> list[Demand]:
    """A group session is all-or-nothing for its participants in the solver, so members who cannot
    come (internship, fixed unavailability, accommodations, another course at the same time) are
    left out of that session, with a note, instead of cancelling it for everyone."""
    out: list[Demand] = []
    taken: dict[int, dict[int, list[Interval]]] = defaultdict(lambda: defaultdict(list))
    for d in sorted(demands, key=lambda d: (d.fixed_day is None, d.fixed_day or 0, d.fixed_minute or 0, d.key)):
        if d.kind != ActivityKind.GROUP_SESSION or d.fixed_day is None or d.fixed_minute is None:
            out.append(d)
            continue
        span = (d.fixed_minute, d.fixed_minute + d.duration_minutes)
        site_week = weeks[min(d.site_ids)]
        if not any(s <= span[0] and span[1] <= e for s, e in site_week.open.get(d.fixed_day, [])):
            hours = (
                ", ".join(
                    f"{s // 60:02d}:{s % 60:02d}–{e // 60:02d}:{e % 60:02d}"
                    for s, e in site_week.open.get(d.fixed_day, [])
                )
                or "lukket"
            )
            notes.append(
                Note(
                    d.key,
                    d.kind,
                    f"Holdgangen {span[0] // 60:02d}:{span[0] % 60:02d}–{span[1] // 60:02d}:{span[1] % 60:02d} ligger "
                    f"uden for {_genitive(site_week.site.name)} åbningstid ({hours})",
                    d.reason_rule,
                    tuple(d.citizen_ids),
                    group_course_id=d.group_course_id,
                    due_by=d.due_by,
                    cause=cause_json(
                        "site_closed",
                        obj=ref_json("site", site_week.site.id, site_week.site.name),
                        params={"course_id": d.group_course_id, "weekday": d.fixed_day, "minute": span[0]},
                    ),
                )
            )
            continue
        keep: list[int] = []
        for zid in d.citizen_ids:
            z = citizens.get(zid)
            if z is None:
                continue
            free = citizen_free(z, weeks[z.site_id], hours_at_work.get(zid, []), travel)
            fits = any(s <= span[0] and span[1] <= e for s, e in free.get(d.fixed_day, []))
            clash = any(s < span[1] and span[0] < e for s, e in taken[zid][d.fixed_day])
            # The day's other sessions count too: together they must fit the citizen's most hours a day.
            that_day = sum(e - s for s, e in taken[zid][d.fixed_day])
            too_long = z.max_hours_per_day is not None and that_day + d.duration_minutes > z.max_hours_per_day * 60
            if fits and not clash and not too_long:
                keep.append(zid)
                continue
            code, why = (
                ("citizen_course", "deltager allerede i et andet hold på det tidspunkt")
                if clash
                else ("citizen_accommodation", "holdgangen er længere end borgerens højeste antal timer pr. dag"
                      if not that_day else "holdgangene den dag er tilsammen flere end borgerens højeste antal timer")
                if too_long
                else _why_not_free(z, d.fixed_day, span, hours_at_work.get(zid, []))
            )
            notes.append(
                Note(
                    f"{d.key}:absent:{zid}",
                    d.kind,
                    f"{z.full_name} kan ikke deltage: {why}",
                    d.reason_rule,
                    (zid,),
                    group_course_id=d.group_course_id,
                    due_by=d.due_by,
                    cause=cause_json(code, person=citizen_json(z), params={"course_id": d.group_course_id}),
                )
            )
        if d.max_participants is not None and len(keep) > d.max_participants:
            for zid in keep[d.max_participants :]:
                notes.append(
                    Note(
                        f"{d.key}:absent:{zid}",
                        d.kind,
                        f"Holdet er fuldt ({d.max_participants} af {d.max_participants})",
                        d.reason_rule,
                        (zid,),
                        group_course_id=d.group_course_id,
                        due_by=d.due_by,
                        cause=cause_json(
                            "course_full",
                            person=citizen_json(citizens[zid]),
                            params={"course_id": d.group_course_id, "max_participants": d.max_participants},
                        ),
                    )
                )
            keep = keep[: d.max_participants]
        if not keep:
            continue
        if len(keep) < d.min_participants:
            notes.append(
                Note(
                    d.key,
                    d.kind,
                    f"For få deltagere: {len(keep)} kan komme, holdet kræver mindst {d.min_participants}",
                    d.reason_rule,
                    tuple(keep),
                    group_course_id=d.group_course_id,
                    due_by=d.due_by,
                )
            )
            continue
        for zid in keep:
            taken[zid][d.fixed_day].append(span)
        d.citizen_ids = tuple(keep)
        d.penalty = demand_mod.PENALTY_DUE + len(keep)
        out.append(d)
    return out


def _why_not_free(z: Citizen, day: int, span: Interval, hours_at_work: list) -> tuple[str, str]:
    """The one commitment of the citizen's own week that the session runs into (code, Danish)."""
    if any(w.day == day and w.start < span[1] and span[0] < w.end for w in hours_at_work):
        return "citizen_internship", "holdgangen ligger i borgerens praktiktid"
    for u in z.unavailability.all():
        if u.weekday == day and minutes(u.start_time) < span[1] and span[0] < minutes(u.end_time):
            return "citizen_absent", "holdgangen ligger i borgerens faste fravær"
    lo = minutes(z.not_before) if z.not_before else 0
    hi = minutes(z.not_after) if z.not_after else 24 * 60
    if span[0] < lo or span[1] > hi:
        return "citizen_accommodation", "holdgangen ligger uden for borgerens aftalte mødetider"
    # What is left is the trip between the workplace and the centre around the internship hours.
    return "citizen_internship", "borgeren kan ikke nå frem fra praktikken"


def _genitive(name: str) -> str:
    """Danish possessive: "Vejles", but "Horsens'"."""
    return f"{name}'" if name.endswith(("s", "x", "z")) else f"{name}s"


# -- travel and employers ---------------------------------------------------------------------------


def _travel_matrix(locations: dict[str, tuple[float, float]], origins: set[str]) -> dict[tuple[str, str], int]:
    """Minutes between each site and every place used; measured overrides replace the estimates."""
    travel: dict[tuple[str, str], int] = {}
    keys = sorted(locations)
    for a in sorted(origins):
        for b in keys:
            if a < b or (b not in origins and a != b):
                pair = (a, b) if a < b else (b, a)
                if pair not in travel:
                    (la, oa), (lb, ob) = locations[a], locations[b]
                    travel[pair] = estimate_minutes(la, oa, lb, ob)
    for o in TravelTimeOverride.objects.filter(origin__in=keys, destination__in=keys):
        pair = (o.origin, o.destination) if o.origin < o.destination else (o.destination, o.origin)
        travel[pair] = o.minutes
    return travel


def workplace_travel(*, sites: Iterable[Site], company_ids: Iterable[int]) -> dict[tuple[str, str], int]:
    """Minutes between the sites and these workplaces: what `citizen_free` needs for the trip
    between an internship and the centre."""
    sites = list(sites)
    locations = {s.location_key: (s.latitude, s.longitude) for s in sites}
    for company in Company.objects.filter(id__in=set(company_ids)):
        locations[company.location_key] = (company.latitude, company.longitude)
    return _travel_matrix(locations, {s.location_key for s in sites})


def _employer_windows(grid: Grid, company_ids: set[int | None]) -> dict[int, tuple[sp.Window, ...]]:
    per: dict[int, DayIntervals] = defaultdict(lambda: defaultdict(list))
    for row in EmployerAvailability.objects.filter(company_id__in=[c for c in company_ids if c]):
        per[row.company_id][row.weekday].append((minutes(row.start_time), minutes(row.end_time)))
    return {cid: grid.windows({d: normalise(iv) for d, iv in days.items()}) for cid, days in per.items()}


# -- tasks ------------------------------------------------------------------------------------------


def _task(d: Demand, grid: Grid, employer: dict[int, tuple[sp.Window, ...]], known: set[int]) -> sp.Task:
    duration = -(-d.duration_minutes // SLOT)
    window = sp.Window(d.first_day * grid.spd, (d.last_day + 1) * grid.spd)
    fixed = None
    if d.fixed_day is not None and d.fixed_minute is not None:
        fixed = grid.slot(d.fixed_day, d.fixed_minute - (d.fixed_minute - grid.day_start) % SLOT)
        duration = -(-(d.fixed_minute + d.duration_minutes - (grid.day_start + (fixed % grid.spd) * SLOT)) // SLOT)
    location = None
    if d.place == Place.COMPANY and d.company_id:
        location = f"company:{d.company_id}"
    elif d.place == Place.HOME:
        location = f"home:{d.citizen_ids[0]}"
    external = None
    if d.company_id and d.kind in VISIT_KINDS and d.company_id in employer:
        external = employer[d.company_id]
    return sp.Task(
        id=d.key,
        kind=d.kind,
        citizen_ids=tuple(d.citizen_ids),
        staff_requirements=tuple(d.staff_types),
        duration_slots=duration,
        place=sp.Place(d.place),
        site_ids=d.site_ids,
        window=window,
        reason_rule=d.reason_rule,
        room_features=d.room_features,
        location_id=location,
        external_windows=external,
        preferred_consultant_ids=tuple(k for k in d.preferred_consultant_ids if k in known),
        fixed_start=fixed,
        penalty_unplaced=d.penalty,
        min_participants=d.min_participants if d.kind == ActivityKind.GROUP_SESSION else 0,
        max_participants=d.max_participants if d.kind == ActivityKind.GROUP_SESSION else None,
        rule_id=d.rule_id,
    )


def _after_first_trip(task: sp.Task, travel: dict[tuple[str, str], int], sites: tuple[sp.Site, ...]) -> sp.Task:
    """A visit cannot start before the consultant has travelled there from the start of the day grid.

    Nobody works before the grid starts, so this loses no real option; it keeps the visit's travel
    interval inside the week (the solver's candidate check assumes that).
    """
    from dataclasses import replace

    if task.place not in sp.VISIT_PLACES or task.location_id is None or task.window.start > 0:
        return task
    lead = max((-(-travel.get(tuple(sorted((s.location_id, task.location_id))), 0) // SLOT) for s in sites), default=0)
    if lead == 0 or task.window.end - lead < task.duration_slots:
        return task
    return replace(task, window=sp.Window(lead, task.window.end))


def _ordered_consultants(appt: Appointment, task: sp.Task, types: dict[int, frozenset[str]]) -> tuple[int, ...] | None:
    """The appointment's consultants in the order of the task's staff requirements (None if they do not fit)."""
    import itertools

    people = sorted(c.id for c in appt.consultants.all())
    if len(people) != len(task.staff_requirements) or not all(p in types for p in people):
        return None
    for perm in itertools.permutations(people):
        if all(types[p] & req for p, req in zip(perm, task.staff_requirements, strict=True)):
            return perm
    return None


def _placement(appt: Appointment, task: sp.Task, grid: Grid, types: dict[int, frozenset[str]]) -> sp.Placement | None:
    start = grid.slot_of_datetime(appt.start)
    people = _ordered_consultants(appt, task, types)
    if start is None or people is None:
        return None
    return sp.Placement(task.id, start, people, appt.room_id if task.place == Place.SITE else None, appt.site_id)


def _with_placements(
    task: sp.Task, grid: Grid, pin: Appointment | None, prev: Appointment | None, types: dict[int, frozenset[str]]
) -> sp.Task:
    from dataclasses import replace

    changes: dict = {}
    if prev is not None:
        placement = _placement(prev, task, grid, types)
        if placement is not None:
            changes["previous"] = placement
    if pin is not None:
        placement = _placement(pin, task, grid, types)
        if placement is not None:
            changes["pinned"] = placement
            end = placement.start_slot + task.duration_slots
            # A coordinator may pin outside the rule's window; the pin wins.
            changes["window"] = sp.Window(min(task.window.start, placement.start_slot), max(task.window.end, end))
            if task.fixed_start is not None:
                changes["fixed_start"] = placement.start_slot
    return replace(task, **changes) if changes else task


def _orphan_pin(
    appt: Appointment, grid: Grid, citizens: dict[int, Citizen], types: dict[int, frozenset[str]]
) -> tuple[sp.Task, Demand] | None:
    """A pinned appointment no rule asks for any more: keep it exactly as the coordinator left it."""
    start = grid.slot_of_datetime(appt.start)
    zids = tuple(sorted(z.id for z in appt.citizens.all()))
    people = sorted(c.id for c in appt.consultants.all())
    if start is None or not people or not all(p in types for p in people) or not set(zids) <= set(citizens):
        return None
    duration = -(-int((appt.end - appt.start).total_seconds() // 60) // SLOT)
    site_ids = frozenset({appt.site_id} if appt.site_id else {citizens[zids[0]].site_id} if zids else set())
    if not site_ids:
        return None
    day = start // grid.spd
    d = Demand(
        key=appt.task_key,
        kind=appt.kind,
        citizen_ids=zids,
        staff_types=tuple(types[p] for p in people),
        duration_minutes=duration * SLOT,
        place=appt.place,
        site_ids=site_ids,
        first_day=day,
        last_day=day,
        due_by=grid.week_start + timedelta(days=day),
        reason_rule=appt.rule or "Fastlåst af koordinator",
        enrolment_id=appt.enrolment_id,
        rule_id=appt.activity_rule_id,
        request_id=appt.request_id,
        group_course_id=appt.group_course_id,
        company_id=appt.company_id,
        penalty=demand_mod.PENALTY_DUE,
    )
    location = None
    if appt.place == Place.COMPANY and appt.company_id:
        location = f"company:{appt.company_id}"
    elif appt.place == Place.HOME and zids:
        location = f"home:{zids[0]}"
    if appt.place in sp.VISIT_PLACES and location is None:
        return None
    task = sp.Task(
        id=appt.task_key,
        kind=appt.kind,
        citizen_ids=zids,
        staff_requirements=d.staff_types,
        duration_slots=duration,
        place=sp.Place(appt.place),
        site_ids=site_ids,
        window=sp.Window(start, start + duration),
        reason_rule=d.reason_rule,
        location_id=location,
        pinned=sp.Placement(appt.task_key, start, tuple(people), appt.room_id, appt.site_id),
        rule_id=appt.activity_rule_id,
    )
    return task, d
