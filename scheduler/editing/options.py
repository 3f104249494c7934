""""Where could one more talk go this week?" — ranked options built on the solver's own machinery.

Every option is a candidate of `solver.candidates` for one new Task on the week's real Problem
(`scheduler.problem.builder.problem_build`), with the plan's current appointments taken out of the
consultants', citizens' and rooms' free time first. The candidate generator guarantees every per-task
rule the verifier checks (staff type, site served, working hours and absences incl. travel to and from
a visit, internship hours, accommodations, opening hours, external presence, room size and features);
the remaining shared-resource rules (no double booking of consultant/citizen/room, the citizen's
minutes per day, the consultant's contracted minutes) are checked here against the occupied time. So an
option the coordinator picks passes the move check (`scheduler.editing.services.move_violations`) unless the plan
changed in between — which bumps `Plan.lock_version` and with it the cache key below.

Two in-process caches. The built Problem is kept per plan (id and creation time) for CACHE_SECONDS:
what bumps a plan's lock version (pin, move, cancel, place, publish) changes its appointments, not the
week's inputs the Problem is made of, so after a change only the occupied time is read again (≈0.05 s
for the M demo instead of a whole `problem_build`, ≈0.2–0.4 s). The occupied time is kept per (plan,
lock version); later calls cost only the candidates of one task (a few ms). Input data edited meanwhile
(a new absence) reaches the options when the Problem expires; the final move/place is always checked by
the verifier on a fresh Problem, so a stale option is refused with the rule it breaks, never stored.

Ranking: the citizen's contact consultant first, days the citizen comes in anyway, the citizen's
preferred weekdays, the consultant's load relative to their hours, earlier first; at most one option
per consultant and day so the list offers a real choice.
"""
from __future__ import annotations

import threading
import time
from collections import OrderedDict, defaultdict
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from activities.models import ActivityKind, ActivityRule, Place
from scheduler.availability import TZ as LOCAL_TZ
from scheduler.demand.demand import REQUEST_DEFAULTS, active_enrolments
from scheduler.errors import PlanningError
from scheduler.models import Appointment, AppointmentStatus, Citizen, Plan
from scheduler.problem.builder import BuiltProblem, grid_of, problem_build
from solver import problem as sp
from solver.candidates import build as candidates_build
from solver.lookup import Index, mask_of, span_bits

CACHE_SIZE = 8
CACHE_SECONDS = 120.0
OPTION_TASK_ID = "option:new"


@dataclass(frozen=True, slots=True)
class Occupied:
    """One planned appointment of the plan, in solver slots."""

    appointment_id: int
    start: int
    end: int
    consultants: tuple[tuple[int, int, int], ...]  # (consultant id, first slot, end slot) incl. travel
    citizens: tuple[int, ...]
    room_id: int | None
    location: str | None = None  # where it is held (site, company, home); None = phone/video

@dataclass(slots=True)
class PlanWeek:
    built: BuiltProblem
    index: Index
    occupied: list[Occupied] = field(default_factory=list)


class _Expiring(OrderedDict):
    """At most CACHE_SIZE entries, each younger than CACHE_SECONDS, least recently used dropped first."""

    def fresh(self, key: tuple, now: float) -> Any:
        hit = self.get(key)
        if hit is None or now - hit[0] >= CACHE_SECONDS:
            return None
        self.move_to_end(key)
        return hit[1]

    def keep(self, key: tuple, now: float, value: Any) -> None:
        self[key] = (now, value)
        self.move_to_end(key)
        while len(self) > CACHE_SIZE:
            self.popitem(last=False)


_problems = _Expiring()  # (plan id, created) -> (BuiltProblem, Index)
_weeks = _Expiring()  # (plan id, created, lock version) -> PlanWeek
_lock = threading.Lock()


def options_cache_clear() -> None:
    with _lock:
        _problems.clear()
        _weeks.clear()


def plan_week(*, plan: Plan) -> PlanWeek:
    """The plan's Problem and occupied time: the Problem cached per plan, the occupied time per version."""
    row = Plan.objects.filter(pk=plan.pk).values_list("lock_version", "created_at").first()
    version, created = row if row is not None else (plan.lock_version, plan.created_at)
    # created_at too: an id can come back (SQLite after a rollback, tests), a creation time does not.
    plan_key = (plan.pk, created.isoformat() if created else "")
    now = time.monotonic()
    with _lock:
        week = _weeks.fresh((*plan_key, version), now)
        problem = _problems.fresh(plan_key, now)
    if week is not None:
        return week
    if problem is None:
        site_ids = list(plan.sites.values_list("pk", flat=True))
        from scheduler.planning.proposals import plan_proposals, proposals_applied

        with proposals_applied(plan_proposals(plan)):  # the week as the draft sees it
            built = problem_build(week_start=plan.week_start, site_ids=site_ids, num_workers=1)
        problem = (built, Index(built.problem))
        with _lock:
            _problems.keep(plan_key, now, problem)
    week = _plan_week_occupied(plan, *problem)
    with _lock:
        _weeks.keep((*plan_key, version), now, week)
    return week


def _plan_week_occupied(plan: Plan, built: BuiltProblem, index: Index) -> PlanWeek:
    # Plain rows and link-table pairs: this runs after every change to the plan, model instances with
    # prefetched relations cost several times more.
    problem = built.problem
    grid = grid_of(problem)
    tasks = problem.task_by_id()
    sites = problem.site_by_id()
    week = PlanWeek(built, index)
    planned = plan.appointments.filter(status=AppointmentStatus.PLANNED)
    consultants_of, citizens_of = defaultdict(list), defaultdict(list)
    for appointment_id, consultant_id in Appointment.consultants.through.objects.filter(
            appointment__in=planned).order_by("pk").values_list("appointment_id", "consultant_id"):
        consultants_of[appointment_id].append(consultant_id)
    for appointment_id, citizen_id in Appointment.citizens.through.objects.filter(
            appointment__in=planned).order_by("pk").values_list("appointment_id", "citizen_id"):
        citizens_of[appointment_id].append(citizen_id)
    rows = planned.order_by("pk").values_list(
        "pk", "start", "end", "task_key", "place", "company_id", "room_id", "site_id"
    )
    for pk, begin, finish, task_key, place, company_id, room_id, site_id in rows:
        span = _slots(begin, finish, grid)
        if span is None:
            continue
        start, end = span
        task = tasks.get(task_key)
        location = task.location_id if task is not None else _location(place, company_id, citizens_of[pk])
        busy = []
        for consultant_id in consultants_of[pk]:
            consultant = index.consultants.get(consultant_id)
            if consultant is None:
                continue  # not in this week's problem: nothing of ours can clash with them
            travel = 0
            if place in sp.VISIT_PLACES and location is not None:
                travel = problem.travel_slots(sites[consultant.home_site_id].location_id, location)
            busy.append((consultant_id, start - travel, end + travel))
        held_at = location
        if place == Place.SITE:
            held_at = sites[site_id].location_id if site_id in sites else None
        week.occupied.append(Occupied(pk, start, end, tuple(busy), tuple(citizens_of[pk]),
                                      room_id if place == Place.SITE else None, held_at))
    return week


def _location(place: str, company_id: int | None, citizen_ids: list[int]) -> str | None:
    if place == Place.COMPANY and company_id:
        return f"company:{company_id}"
    if place == Place.HOME:
        return f"home:{citizen_ids[0]}" if citizen_ids else None
    return None


def _slots(begin: datetime, finish: datetime, grid: Any) -> tuple[int, int] | None:
    """The appointment's slots, widened to whole slots (never narrower than it really is)."""
    start, end = begin.astimezone(LOCAL_TZ), finish.astimezone(LOCAL_TZ)
    day = (start.date() - grid.week_start).days
    if not 0 <= day < 5:
        return None
    first = start.hour * 60 + start.minute - grid.day_start
    last = (end.hour * 60 + end.minute if end.date() == start.date() else 24 * 60) - grid.day_start
    s = max(0, first // 15)
    e = min(grid.spd, -(-last // 15))
    if e <= s:
        return None
    return day * grid.spd + s, day * grid.spd + e


def _windows(mask: int, num_slots: int) -> tuple[sp.Window, ...]:
    out, s = [], None
    for slot in range(num_slots + 1):
        on = slot < num_slots and (mask >> slot) & 1
        if on and s is None:
            s = slot
        elif not on and s is not None:
            out.append(sp.Window(s, slot))
            s = None
    return tuple(out)


# -- the task to place -------------------------------------------------------------------------------


def _task_for(
    week: PlanWeek, citizen: Citizen, kind: str, duration: int | None, task_key: str | None, whole_week: bool,
) -> sp.Task | None:
    problem = week.built.problem
    tasks = problem.task_by_id()
    template = tasks.get(task_key) if task_key else None
    if template is None:
        # The citizen's own task of that kind this week has the rule's staff, place and room needs.
        template = next((t for t in problem.tasks if t.kind == kind and t.citizen_ids == (citizen.pk,)
                         and t.pinned is None and t.fixed_start is None), None)
        whole_week = True
    if template is None:
        template = _task_from_rule(week, citizen, kind)
        if template is None:
            return None
    changes: dict[str, Any] = {"pinned": None, "fixed_start": None, "previous": None}
    if task_key is None or task_key not in tasks:
        changes["id"] = OPTION_TASK_ID
    if whole_week or template.window.end - template.window.start < template.duration_slots:
        changes["window"] = sp.Window(0, problem.num_slots)
    if duration:
        changes["duration_slots"] = -(-duration // problem.slot_minutes)
    return replace(template, **changes)


def _task_from_rule(week: PlanWeek, citizen: Citizen, kind: str) -> sp.Task | None:
    """A task for a kind the citizen has no task of this week: the rule of their current phase, else the
    defaults a coordinator's request would get (scheduler.demand.demand.REQUEST_DEFAULTS)."""
    problem = week.built.problem
    enrolment = next((e for e in active_enrolments(site_ids=[citizen.site_id], week_start=problem.week_start)
                      if e.citizen_id == citizen.pk), None)
    rule = None
    if enrolment is not None and enrolment.current_phase_id:
        rule = (ActivityRule.objects.filter(phase_id=enrolment.current_phase_id, kind=kind)
                .prefetch_related("staff_types", "room_features").order_by("pk").first())
    if rule is not None and rule.staff_types.all():
        staff = tuple(frozenset({st.code}) for st in sorted(rule.staff_types.all(), key=lambda s: s.code))
        place, minutes = rule.place, rule.duration_minutes
        features = frozenset(f.code for f in rule.room_features.all())
    else:
        codes, place = REQUEST_DEFAULTS.get(kind, (("social",), Place.SITE))
        staff, minutes, features = tuple(frozenset({c}) for c in codes), 60, frozenset()
    location = None
    if place == Place.HOME:
        location = f"home:{citizen.pk}"
    elif place == Place.COMPANY:
        # The workplace of the citizen's other company visits this week, if any.
        location = next((t.location_id for t in problem.tasks if citizen.pk in t.citizen_ids and t.location_id
                         and t.location_id.startswith("company:")), None)
    if place in sp.VISIT_PLACES and not _travel_known(problem, location):
        place, location = Place.SITE, None  # no way to know the trip: offer a meeting at the centre
    contact = enrolment.contact_consultant_id if enrolment else None
    known = problem.consultant_by_id()
    return sp.Task(
        id=OPTION_TASK_ID, kind=kind, citizen_ids=(citizen.pk,), staff_requirements=staff,
        duration_slots=-(-minutes // problem.slot_minutes), place=place, site_ids=frozenset({citizen.site_id}),
        window=sp.Window(0, problem.num_slots), reason_rule=str(ActivityKind(kind).label),
        room_features=features, location_id=location,
        preferred_consultant_ids=(contact,) if contact in known else (),
    )


def _travel_known(problem: sp.Problem, location: str | None) -> bool:
    return location is not None and any(location in pair for pair in problem.travel_minutes)


# -- options -----------------------------------------------------------------------------------------


def talk_options(
    *, plan: Plan, citizen: Citizen, kind: str, duration: int | None = None, limit: int = 5,
    task_key: str | None = None, appointment: Appointment | None = None,
) -> list[dict[str, Any]]:
    """Ranked places for one more activity of `kind` for `citizen` in `plan`'s week.

    `task_key`: place that task of the week (an unplaced task keeps its due window). `appointment`: move
    that appointment (its own time counts as free; its task, whole week). `duration` in minutes, else the
    task's or the rule's.
    """
    try:
        week = plan_week(plan=plan)
    except PlanningError:
        return []
    if citizen.pk not in week.index.citizens:
        return []
    if appointment is not None:
        task_key = appointment.task_key
    task = _task_for(week, citizen, kind, duration, task_key, whole_week=appointment is not None)
    if task is None:
        return []
    skip = appointment.pk if appointment is not None else None
    occupied = [o for o in week.occupied if o.appointment_id != skip]
    deadline = _deadline_slot(week, task_key) if appointment is not None else None
    options = _rank(week, task, citizen, occupied, limit + 1 if appointment is not None else limit, deadline)
    if appointment is not None:
        # The appointment's own time is where it is, not an option to move to.
        current = {c.pk for c in appointment.consultants.all()}
        options = [o for o in options if not (o["start"] == appointment.start and set(o["consultants"]) == current
                                             and o["room"] == appointment.room_id)][:limit]
    return options


def _deadline_slot(week: PlanWeek, task_key: str | None) -> int | None:
    """The slot the task's rule wants it finished by, when that is inside the week (a move may go later,
    but the option says so and ranks last)."""
    task = week.built.problem.task_by_id().get(task_key) if task_key else None
    if task is None or task.window.end >= week.built.problem.num_slots:
        return None
    return task.window.end


def _free_consultants(
    problem: sp.Problem, index: Index, occupied: list[Occupied], consultant_busy: dict[int, int],
    consultant_minutes: dict[int, int],
) -> tuple[sp.Consultant, ...]:
    """The consultants with this plan's appointments taken out of their week."""
    full = (1 << problem.num_slots) - 1
    if problem.rules.travel:
        # Travel in the day: the plan's appointments are stops of the consultant's day like bookings
        # elsewhere, so the trips to and from them are kept free (phone/video: no place, no trip).
        extra: dict[int, list[sp.Booking]] = defaultdict(list)
        for o in occupied:
            for kid, _s0, _s1 in o.consultants:
                extra[kid].append(sp.Booking(o.start, o.end, o.location))
        return tuple(
            replace(c, bookings=tuple(sorted((*c.bookings, *extra[c.id]), key=lambda b: (b.start, b.end))),
                    contracted_minutes_per_week=max(0, c.contracted_minutes_per_week - consultant_minutes[c.id]))
            for c in problem.consultants
        )
    else:
        return tuple(
            replace(c, available=_windows(index.consultant_avail[c.id] & ~consultant_busy[c.id] & full,
                                          problem.num_slots),
                    contracted_minutes_per_week=max(0, c.contracted_minutes_per_week - consultant_minutes[c.id]))
            for c in problem.consultants
        )


def _rank(week: PlanWeek, task: sp.Task, citizen: Citizen, occupied: list[Occupied], limit: int,
          deadline: int | None = None) -> list[dict]:
    problem, index = week.built.problem, week.index
    consultant_busy: dict[int, int] = defaultdict(int)
    consultant_minutes: dict[int, int] = defaultdict(int)
    citizen_busy: dict[int, int] = defaultdict(int)
    day_minutes: dict[tuple[int, int], int] = defaultdict(int)
    room_busy: dict[int, int] = defaultdict(int)
    citizen_days: set[int] = set()
    spd = problem.slots_per_day
    for o in occupied:
        for kid, s0, s1 in o.consultants:
            consultant_busy[kid] |= span_bits(max(0, s0), s1)
            consultant_minutes[kid] += (s1 - s0) * problem.slot_minutes
        for zid in o.citizens:
            citizen_busy[zid] |= span_bits(o.start, o.end)
            day_minutes[(zid, o.start // spd)] += (o.end - o.start) * problem.slot_minutes
            if zid == citizen.pk:
                citizen_days.add(o.start // spd)
        if o.room_id is not None:
            room_busy[o.room_id] |= span_bits(o.start, o.end)

    # The week with this plan's appointments taken out: the candidate generator then sees only free time.
    full = (1 << problem.num_slots) - 1
    sites = problem.site_by_id()
    stops = _day_stops(problem, occupied)
    consultants = _free_consultants(problem, index, occupied, consultant_busy, consultant_minutes)
    people = [index.citizens[z] for z in task.citizen_ids if z in index.citizens]
    if len(people) != len(task.citizen_ids):
        return []
    citizens = tuple(
        replace(z, available=_windows(index.citizen_avail[z.id] & ~citizen_busy[z.id] & full, problem.num_slots),
                internship=_windows(index.citizen_internship[z.id] & ~citizen_busy[z.id] & full, problem.num_slots),
                free=None if z.free is None else _windows(mask_of(z.free) & ~citizen_busy[z.id] & full,
                                                          problem.num_slots))
        for z in people
    )
    params = replace(problem.params, start_step_slots=1, max_consultants_per_requirement=1000,
                     max_consultant_combos=200)
    small = replace(problem, consultants=consultants, citizens=citizens, tasks=(task,), params=params)
    cs = candidates_build(small)
    contact = index.citizens[citizen.pk].contact_consultant_id
    preferred = set(task.preferred_consultant_ids) | ({contact} if contact else set())
    busy_days = citizen_days | set(index.citizens[citizen.pk].busy_days)
    grid = grid_of(problem)
    rooms = sorted(problem.rooms, key=lambda r: (r.capacity, r.id))
    options = []
    for ci in cs.by_task[0] if cs.by_task else []:
        cand = cs.candidates[ci]
        end = cand.start + task.duration_slots
        day = cand.start // spd
        minutes = task.duration_slots * problem.slot_minutes
        place = task.location_id or (sites[cand.site_id].location_id if cand.site_id in sites else None)
        if not _day_fits(problem, index, people, citizen_busy, stops, cand, end, place):
            continue
        if any(z.max_minutes_per_day is not None and day_minutes[(z.id, day)] + minutes > z.max_minutes_per_day
               for z in people) or any(consultant_minutes[k] + m > index.consultants[k].contracted_minutes_per_week
                                       for k, m in cand.load):
            continue
        room_id = None
        if task.place == Place.SITE:
            need = task.needed_capacity()
            room = next((r for r in rooms if r.site_id == cand.site_id and r.capacity >= need
                         and task.room_features <= r.features
                         and not room_busy[r.id] & span_bits(cand.start, end)), None)
            if room is None:
                continue
            room_id = room.id
        option = _option(problem, grid, task, cand.start, end, cand.consultant_ids, room_id,
                         cand.site_id or citizen.site_id, preferred, busy_days,
                         index.citizens[citizen.pk].preferred_days, consultant_minutes)
        option["late"] = deadline is not None and end > deadline
        if option["late"]:
            option["deadline"] = problem.week_start + timedelta(days=(deadline - 1) // spd)
        options.append(option)
    # Options past the rule's deadline are possible, but last.
    options.sort(key=lambda o: (o["late"], -o["score"], o["start"], o["consultant"]))
    chosen = _varied(options, limit)
    minutes = task.duration_slots * problem.slot_minutes
    for option in chosen:  # only for the few shown: the ranking does not need them
        day = (option["start"].date() - problem.week_start).days
        option["effects"] = _effects(index.consultants[option["consultant"]], minutes, consultant_minutes,
                                     day_minutes[(citizen.pk, day)], day in busy_days)
    return chosen


def _varied(options: list[dict], limit: int) -> list[dict]:
    chosen, seen = [], set()
    for option in options:
        key = (option["consultant"], option["start"].date())  # variety: one option per consultant and day
        if key in seen:
            continue
        seen.add(key)
        chosen.append(option)
        if len(chosen) == limit:
            break
    return chosen


def _day_stops(problem: sp.Problem, occupied: list[Occupied]) -> dict[int, list[tuple[int, int, str | None]]]:
    """Per consultant: (start, end, place) of the bookings elsewhere and of this plan's appointments."""
    stops: dict[int, list[tuple[int, int, str | None]]] = defaultdict(list)
    for c in problem.consultants:
        stops[c.id] += [(b.start, b.end, b.location_id) for b in c.bookings]
    for o in occupied:
        for kid, _s0, _s1 in o.consultants:
            stops[kid].append((o.start, o.end, o.location))
    return stops


def _day_fits(
    problem: sp.Problem, index: Index, people: list, citizen_busy: dict[int, int],
    stops: dict[int, list[tuple[int, int, str | None]]], cand: Any, end: int, place: str | None,
) -> bool:
    # Workplace hours (presence per place) are not cut by the citizen's other appointments.
    if any(citizen_busy[z.id] & span_bits(cand.start, end) for z in people):
        return False
    return all(_day_rules_kept(problem, index.consultants[k], stops[k], cand.start, end, place)
               for k in cand.consultant_ids)


def _day_rules_kept(
    problem: sp.Problem, c: sp.Consultant, stops: list[tuple[int, int, str | None]], start: int, end: int,
    place: str | None,
) -> bool:
    """The consultant's lunch break and longest run still hold with [start, end) at `place` added to the
    day's stops (this plan's appointments and bookings elsewhere). Candidates are built one task at a
    time, so the day rules spanning several appointments are checked here, like solver.verify walks the
    day: stops closer than the trip between them form one run; a lunch needs its minutes plus that trip."""
    rules = problem.rules
    lunch = problem.lunch_of(c)
    limit = (rules.max_run_minutes or 0) // problem.slot_minutes
    if lunch is None and not limit:
        return True
    spd = problem.slots_per_day
    day = start // spd
    home = problem.site_by_id()[c.home_site_id].location_id
    day_stops = sorted(
        [(s0, s1, loc or home) for s0, s1, loc in stops if s0 // spd == day] + [(start, end, place or home)]
    )

    def trip(a: str, b: str) -> int:
        return problem.travel_slots(a, b) if rules.travel else 0

    if limit:
        run_start, (_, run_end, at) = day_stops[0][0], day_stops[0]
        for s0, s1, loc in day_stops[1:]:
            if s0 - run_end > trip(at, loc):
                run_start = s0
            run_end, at = max(run_end, s1), loc
            if run_end - run_start > limit:
                return False
    if lunch is not None:
        first, last, length = problem.lunch_slots(lunch, day)
        gaps = [(day * spd, day_stops[0][0], 0)]
        gaps += [(a[1], b[0], trip(a[2], b[2])) for a, b in zip(day_stops, day_stops[1:], strict=False)]
        gaps.append((day_stops[-1][1], (day + 1) * spd, 0))
        if not any(min(g1, last) - max(g0, first) >= length and g1 - g0 >= length + t for g0, g1, t in gaps):
            return False
    return True


def _hm(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    return f"{hours} t {rest} min" if hours and rest else f"{hours} t" if hours else f"{rest} min"


def _effects(lead: sp.Consultant, minutes: int, booked: dict[int, int], citizen_minutes: int,
             citizen_comes_anyway: bool) -> list[str]:
    """What the option does to the citizen's day and to the consultant's week, in plain Danish."""
    contract = max(1, lead.contracted_minutes_per_week)
    before = round(100 * booked[lead.id] / contract)
    after = round(100 * (booked[lead.id] + minutes) / contract)
    if citizen_minutes:
        citizen = f"Borgerens dag: {_hm(citizen_minutes)} i forvejen → {_hm(citizen_minutes + minutes)}"
    elif citizen_comes_anyway:
        citizen = "Borgerens dag: kommer i forvejen (praktik/arbejde)"
    else:
        citizen = "Borgerens dag: en ekstra mødedag"
    return [citizen, f"{lead.name}: {before} % → {after} % af ugens timer"]


def _option(
    problem: sp.Problem, grid: Any, task: sp.Task, start: int, end: int, consultant_ids: tuple[int, ...],
    room_id: int | None, site_id: int, preferred: set[int], busy_days: set[int], preferred_days: frozenset[int],
    booked: dict[int, int],
) -> dict[str, Any]:
    consultants = problem.consultant_by_id()
    lead = consultants[consultant_ids[0]]
    day = start // problem.slots_per_day
    score, reasons = 0.0, []
    if preferred & set(consultant_ids):
        score += 100
        reasons.append("Borgerens faste kontaktperson")
    if day in busy_days:
        score += 30
        reasons.append("Borgeren kommer i forvejen den dag")
    if day in preferred_days:
        score += 10
        reasons.append("Borgerens foretrukne ugedag")
    contract = max(1, lead.contracted_minutes_per_week)
    load = booked[lead.id] / contract
    score -= 40 * load
    reasons.append(f"Konsulentens belastning: {round(100 * load)} % af timerne")
    score -= start / 10_000  # earlier first among equals
    begin: datetime = grid.datetime_of(start)
    return {
        "start": begin, "end": begin + timedelta(minutes=(end - start) * problem.slot_minutes),
        "consultant": lead.id, "consultants": list(consultant_ids),
        "consultant_name": " og ".join(consultants[k].name for k in consultant_ids),
        "room": room_id, "site": site_id, "score": round(score, 3), "reasons": reasons,
    }
