"""Proposals for new holdforløb: for each site and theme with citizens waiting for a course place, the
new course(s) that would seat them — weekday(s), time, first and last date, facilitator, room — chosen
by CP-SAT (solver.course_proposals) against the citizens' availability in every week the course runs,
the facilitators' working hours, absences, other courses and appointments, and the rooms' other
bookings. Nothing is written: a coordinator accepts a proposal (scheduler.courses.services).

    groups = course_proposals(site_ids=[site.pk], week_start=monday, weeks=8)

Who waits: an active citizen whose current phase has a group-session rule of the theme and who has no
place on a course of it in the week, plus citizens whose next phase asks for the theme and starts within
the weeks (they join from that week). The caller decides what "a place" means: planning calls this with
the draft's course places applied; the screens call `course_proposals_for_week`
(scheduler.courses.selectors), which gives the week's course places first, as planning would.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, time, timedelta

from django.conf import settings
from django.db.models import Q

from activities.models import (
    ActivityKind,
    ActivityRule,
    CourseMembership,
    FrequencyType,
    GroupCourse,
    Phase,
    Theme,
)
from rooms.models import Room, Site
from scheduler.availability import TZ, active_internships, minutes, site_weeks, work_hours
from scheduler.demand.demand import Note, active_enrolments, course_themes
from scheduler.models import (
    Absence,
    Appointment,
    AppointmentStatus,
    Citizen,
    Consultant,
    Enrolment,
    Plan,
    PlanStatus,
    WorkingHours,
)
from solver import course_proposals as cp
from solver.problem import DANISH_DAYS

DEFAULT_WEEKS = 8
DAY_PLURAL = ("mandage", "tirsdage", "onsdage", "torsdage", "fredage")


@dataclass(frozen=True, slots=True)
class Seat:
    citizen_id: int
    name: str
    joined: date


@dataclass(frozen=True, slots=True)
class Refusal:
    citizen_id: int
    name: str
    code: str
    reason: str


@dataclass(slots=True)
class CourseProposal:
    site_id: int
    site_code: str
    theme: str
    name: str
    weekdays: tuple[int, ...]
    start_time: time
    duration_minutes: int
    start_date: date
    end_date: date
    staff_type: str
    facilitator_id: int
    facilitator_name: str
    room_id: int
    room_name: str
    min_participants: int
    max_participants: int
    room_features: tuple[str, ...]
    seats: list[Seat]

    @property
    def text(self) -> str:
        """"Mestring, tirsdage 9–11, fra 05.01." """
        return f"{Theme(self.theme).label}, {proposal_when(self.weekdays, self.start_time, self.duration_minutes)}, " \
               f"fra {self.start_date:%d.%m.}"

    def summary(self) -> dict[str, object]:
        """The proposal as plain data for an unplaced task's cause (docs/plan-format.md): no citizens."""
        return {
            "text": self.text, "site_id": self.site_id, "theme": self.theme, "weekdays": list(self.weekdays),
            "start_time": f"{self.start_time:%H:%M}", "duration_minutes": self.duration_minutes,
            "start_date": self.start_date.isoformat(), "end_date": self.end_date.isoformat(),
            "facilitator_id": self.facilitator_id, "room_id": self.room_id, "seats": len(self.seats),
        }

    @property
    def key(self) -> str:
        days = "".join(str(d) for d in self.weekdays)
        return f"{self.site_code}:{self.theme}:{days}:{self.start_time:%H%M}:{self.facilitator_id}"


@dataclass(slots=True)
class ProposalGroup:
    """One site and theme: the proposals, who could not join and why, and how the search went."""

    site_id: int
    site_name: str
    theme: str
    waiting: int
    proposals: list[CourseProposal] = field(default_factory=list)
    refused: list[Refusal] = field(default_factory=list)
    why_none: str = ""
    status: str = ""
    seconds: float = 0.0

    @property
    def theme_label(self) -> str:
        return str(Theme(self.theme).label)


def _clock(m: int) -> str:
    return f"{m // 60}" if m % 60 == 0 else f"{m // 60}.{m % 60:02d}"


def proposal_when(weekdays: tuple[int, ...], start: time, duration: int) -> str:
    """"tirsdage 9–11", "mandage og onsdage 9.30–10.30"."""
    names = [DAY_PLURAL[d] for d in weekdays]
    days = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " og " + names[-1]
    s = minutes(start)
    return f"{days} {_clock(s)}–{_clock(s + duration)}"


# -- how the proposals are solved -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ProposalSolve:
    """CP-SAT's limits for one site and theme. `proposal_solve()` gives the one setting that planning's
    pointer ("Foreslået nyt hold: …"), the "Nye hold" screen and the API share."""

    time_limit: float  # wall clock; only a safety net when deterministic_time is set
    num_workers: int
    random_seed: int
    deterministic_time: float | None = None


def proposal_solve(
    *, time_limit: float | None = None, num_workers: int | None = None, random_seed: int = 0,
) -> ProposalSolve:
    """The shared, deterministic solve: one worker, seed 0 and CP-SAT's *deterministic* time limit of
    PLANNER_COURSE_PROPOSAL_SECONDS (2 when that is 0, which only turns planning's pointer off), so the
    same facts give the same proposal wherever it is asked for, on any machine and under any load. The
    wall-clock limit (PLANNER_TIME_LIMIT_SECONDS) is a safety net only. With `time_limit` given
    (benchmarks, tests) the search is bounded by the wall clock instead, on `num_workers` workers."""
    if time_limit is not None:
        return ProposalSolve(time_limit, num_workers or settings.PLANNER_NUM_WORKERS, random_seed)
    budget = float(settings.PLANNER_COURSE_PROPOSAL_SECONDS or 2)
    return ProposalSolve(max(budget, float(settings.PLANNER_TIME_LIMIT_SECONDS)), 1, 0, deterministic_time=budget)


# -- who waits -------------------------------------------------------------------------------------


@dataclass(slots=True)
class _Waiting:
    enrolment: Enrolment
    first_week: int  # from which week of the course they need it
    priority: int


def _group_rules(phase_ids: set[int]) -> dict[int, dict[str, ActivityRule]]:
    out: dict[int, dict[str, ActivityRule]] = defaultdict(dict)
    for rule in (ActivityRule.objects.filter(phase_id__in=phase_ids, kind=ActivityKind.GROUP_SESSION)
                 .exclude(theme="").prefetch_related("staff_types", "room_features").order_by("id")):
        out[rule.phase_id].setdefault(rule.theme, rule)
    return out


def _next_phases(phase_ids: set[int]) -> dict[int, Phase]:
    phases = list(Phase.objects.filter(model__phases__id__in=phase_ids).distinct().order_by("model_id", "order"))
    by_model: dict[int, list[Phase]] = defaultdict(list)
    for p in phases:
        by_model[p.model_id].append(p)
    out: dict[int, Phase] = {}
    for ordered in by_model.values():
        for i, p in enumerate(ordered):
            nxt = next((q for q in ordered[i + 1:] if not q.optional), None)
            if p.id in phase_ids and nxt is not None:
                out[p.id] = nxt
    return out


def waiting_citizens(
    *, site_ids: list[int], week_start: date, weeks: int,
) -> dict[tuple[int, str], tuple[ActivityRule, list[_Waiting]]]:
    """(site, theme) -> the theme's rule and who waits for it (see the module docstring)."""
    enrolments = active_enrolments(site_ids=site_ids, week_start=week_start)
    phase_ids = {e.current_phase_id for e in enrolments if e.current_phase_id}
    following = _next_phases(phase_ids)
    rules = _group_rules(phase_ids | {p.id for p in following.values()})
    has = course_themes(citizen_ids=[e.citizen_id for e in enrolments], week_start=week_start)
    horizon = week_start + timedelta(weeks=weeks)
    out: dict[tuple[int, str], tuple[ActivityRule, list[_Waiting]]] = {}
    for e in enrolments:
        since = e.phase_started or e.start_date
        wanted: dict[str, tuple[ActivityRule, int]] = {
            theme: (rule, 0) for theme, rule in rules.get(e.current_phase_id or -1, {}).items()
        }
        nxt = following.get(e.current_phase_id or -1)
        if nxt is not None and e.current_phase and e.current_phase.target_weeks:
            begins = since + timedelta(weeks=e.current_phase.target_weeks)
            if week_start < begins < horizon:
                for theme, rule in rules.get(nxt.id, {}).items():
                    wanted.setdefault(theme, (rule, (begins - week_start).days // 7))
        for theme, (rule, first) in wanted.items():
            if theme in has[e.citizen_id]:
                continue
            if e.end_date and e.end_date < week_start + timedelta(weeks=first, days=4):
                continue
            key = (e.citizen.site_id, theme)
            priority = max(0, (week_start - since).days) if first == 0 else 0
            out.setdefault(key, (rule, []))[1].append(_Waiting(e, first, min(cp.SEAT - 1, priority)))
    return out


# -- the facts over the weeks ----------------------------------------------------------------------


def _mondays(week_start: date, weeks: int) -> list[date]:
    return [week_start + timedelta(weeks=w) for w in range(weeks)]


def _week_of(mondays: list[date], day: date) -> int | None:
    w = (day - mondays[0]).days // 7
    return w if 0 <= w < len(mondays) else None


def _course_busy(courses: list[GroupCourse], mondays: list[date], code: str) -> dict[int, list[cp.Busy]]:
    """course id -> its sessions as busy times in the weeks it runs."""
    out: dict[int, list[cp.Busy]] = defaultdict(list)
    for course in courses:
        for w, monday in enumerate(mondays):
            for s in course.sessions.all():
                day = monday + timedelta(days=s.weekday)
                if course.start_date <= day <= course.end_date:
                    start = minutes(s.start_time)
                    out[course.id].append(cp.Busy(s.weekday, start, start + s.duration_minutes, code, w))
    return out


def _planned(mondays: list[date], site_ids: list[int]) -> list[Appointment]:
    """Appointments of drafts and published plans in the weeks (both count: a draft is what will be),
    except the first week's drafts of the sites asked for: planning that week replaces them (and a
    course accepted from a proposal is planned by re-planning the week). So planning, which asks while
    the old draft is still there, and the screens, which ask after the new one is stored, read the same
    facts and propose the same course."""
    replaced = Plan.objects.filter(status=PlanStatus.DRAFT, week_start=mondays[0], sites__in=site_ids).values("pk")
    return list(
        Appointment.objects.filter(
            plan__status__in=[PlanStatus.DRAFT, PlanStatus.PUBLISHED], status=AppointmentStatus.PLANNED,
            plan__week_start__in=mondays,
        ).exclude(plan__in=replaced).select_related("plan").prefetch_related("consultants")
    )


def _busy_of(a: Appointment, mondays: list[date], code: str) -> cp.Busy | None:
    start, end = a.start.astimezone(TZ), a.end.astimezone(TZ)
    w = _week_of(mondays, start.date())
    if w is None or start.weekday() > 4:
        return None
    return cp.Busy(start.weekday(), start.hour * 60 + start.minute, end.hour * 60 + end.minute, code, w)


def _citizen_input(
    waiting: _Waiting, mondays: list[date], other_courses: dict[int, list[cp.Busy]],
    courses_of: dict[int, list[int]], internships: list[dict[int, list]],
) -> cp.WaitingCitizen:
    e = waiting.enrolment
    z: Citizen = e.citizen
    busy: list[cp.Busy] = [
        cp.Busy(u.weekday, minutes(u.start_time), minutes(u.end_time), cp.UNAVAILABLE)
        for u in z.unavailability.all() if u.weekday < 5
    ]
    for w, monday in enumerate(mondays):
        busy += [cp.Busy(h.day, h.start, h.end, cp.WORKS, w) for h in work_hours(internships[w].get(e.id, []), monday)]
    for course_id in courses_of.get(z.id, []):
        busy += other_courses.get(course_id, [])
    last = len(mondays)
    if e.end_date:
        last = min(last, max(waiting.first_week + 1, (e.end_date - mondays[0]).days // 7 + 1))
    return cp.WaitingCitizen(
        id=z.id, weeks=tuple(range(waiting.first_week, last)), busy=tuple(busy),
        not_before=minutes(z.not_before) if z.not_before else None,
        not_after=minutes(z.not_after) if z.not_after else None,
        max_minutes_per_day=int(z.max_hours_per_day * 60) if z.max_hours_per_day is not None else None,
        priority=waiting.priority,
    )


def _facilitators(
    site: Site, staff_type: str, mondays: list[date], planned: list[Appointment], courses: list[GroupCourse],
) -> tuple[list[cp.Facilitator], dict[int, Consultant]]:
    people = list(
        Consultant.objects.filter(active=True, staff_types__code=staff_type)
        .filter(Q(home_site=site) | Q(sites=site)).distinct().order_by("id")
    )
    ids = [c.id for c in people]
    work: dict[int, dict[int, tuple[int, int]]] = defaultdict(dict)
    for wh in WorkingHours.objects.filter(consultant_id__in=ids, weekday__lt=5):
        work[wh.consultant_id][wh.weekday] = (minutes(wh.start_time), minutes(wh.end_time))
    busy: dict[int, list[cp.Busy]] = defaultdict(list)
    for a in Absence.objects.filter(consultant_id__in=ids, start_date__lte=mondays[-1] + timedelta(days=4),
                                    end_date__gte=mondays[0]):
        day = max(a.start_date, mondays[0])
        while day <= a.end_date:
            w = _week_of(mondays, day)
            if w is not None and day.weekday() < 5:
                lo, hi = (minutes(a.start_time), minutes(a.end_time)) if a.start_time else (0, 24 * 60)
                busy[a.consultant_id].append(cp.Busy(day.weekday(), lo, hi, "absent", w))
            day += timedelta(days=1)
    used = [[0] * len(mondays) for _ in ids]
    index = {cid: i for i, cid in enumerate(ids)}
    for course_id, items in _course_busy([c for c in courses if c.facilitator_id in index], mondays, "course").items():
        owner = next(c.facilitator_id for c in courses if c.id == course_id)
        busy[owner] += items
        for b in items:
            used[index[owner]][b.week or 0] += b.end - b.start
    for a in planned:
        if a.group_course_id and any(c.id == a.group_course_id and c.facilitator_id for c in courses):
            continue  # already counted with its course
        for c in a.consultants.all():
            if c.id in index:
                b = _busy_of(a, mondays, "appointment")
                if b is not None:
                    busy[c.id].append(b)
                    used[index[c.id]][b.week or 0] += b.end - b.start
    homes = {s.id: s for s in Site.objects.filter(pk__in={c.home_site_id for c in people})}
    out = [
        cp.Facilitator(
            c.id, work[c.id], tuple(busy[c.id]),
            tuple(max(0, int(c.hours_per_week * 60) - used[index[c.id]][w]) for w in range(len(mondays))),
            _lunch(homes[c.home_site_id]),
        )
        for c in people
    ]
    return out, {c.id: c for c in people}


def _lunch(site: Site) -> tuple[int, int, int] | None:
    """The planner's lunch rule for consultants based at the site (docs/solver.md, "Day rules")."""
    if not settings.PLANNER_DAY_RULES or not site.lunch_minutes:
        return None
    return minutes(site.lunch_earliest), minutes(site.lunch_latest), site.lunch_minutes


def session_pattern(rule: ActivityRule) -> tuple[int, int]:
    """(sessions a week, minutes each) for a rule: its own, but a session longer than the planner's
    longest run of a consultant's day (PLANNER_MAX_RUN_MINUTES) is split over several days — a 4-hour
    weekly session becomes two of 2 hours — so the planner can place every one of them."""
    n = max(1, rule.frequency_value) if rule.frequency_type == FrequencyType.PER_WEEK else 1
    duration = rule.duration_minutes
    longest = int(settings.PLANNER_MAX_RUN_MINUTES or 0) if settings.PLANNER_DAY_RULES else 0
    if longest and duration > longest:
        parts = -(-duration // longest)
        duration = -(-duration // parts // 15) * 15
        n *= parts
    return min(n, 5), duration


def _rooms(
    site: Site, features: set[str], mondays: list[date], planned: list[Appointment], courses: list[GroupCourse],
) -> tuple[list[cp.RoomOption], dict[int, Room]]:
    rooms = [r for r in Room.objects.filter(site=site, active=True).prefetch_related("features").order_by("id")
             if features <= {f.code for f in r.features.all()}]
    every = list(Room.objects.filter(site=site, active=True).prefetch_related("features").order_by("capacity", "id"))
    busy: dict[int, list[cp.Busy]] = defaultdict(list)
    seen: set[tuple[int, int]] = set()  # (course, week) with a room in a plan already
    for a in planned:
        if a.room_id is None or a.site_id != site.id:
            continue
        b = _busy_of(a, mondays, "booked")
        if b is not None:
            busy[a.room_id].append(b)
            if a.group_course_id:
                seen.add((a.group_course_id, b.week or 0))
    # Other courses' sessions in weeks not planned yet take the smallest room that fits them.
    for course in courses:
        if course.site_id != site.id:
            continue
        need = {f.code for f in course.room_features.all()}
        for b in _course_busy([course], mondays, "course").get(course.id, []):
            if (course.id, b.week or 0) in seen:
                continue
            room = next((r for r in every if r.capacity >= course.max_participants
                         and need <= {f.code for f in r.features.all()}
                         and not any(cp.overlaps(o, b.week or 0, b.day, b.start, b.end) for o in busy[r.id])), None)
            if room is not None:
                busy[room.id].append(b)
    return [cp.RoomOption(r.id, r.capacity, tuple(busy[r.id])) for r in rooms], {r.id: r for r in rooms}


# -- proposals -------------------------------------------------------------------------------------


def _template(site: Site, theme: str) -> tuple[int, int, int]:
    """min, max participants and length in weeks: the site's latest course of the theme, else defaults."""
    latest = GroupCourse.objects.filter(site=site, theme=theme).order_by("-start_date", "-id").first()
    if latest is None:
        return 6, 14, DEFAULT_WEEKS
    weeks = max(1, ((latest.end_date - latest.start_date).days + 3) // 7)
    return latest.min_participants, latest.max_participants, weeks


def _refusal_text(left: cp.LeftOut, mondays: list[date], group_why: str, minimum: int) -> str:
    when = ""
    if left.day is not None and left.start is not None and left.end is not None:
        when = f" {DANISH_DAYS[left.day].lower()} {_clock(left.start)}–{_clock(left.end)}"
        if left.week is not None:
            when += f" (uge {mondays[left.week].isocalendar().week})"
    match left.code:
        case cp.WORKS:
            return f"Er i praktik eller arbejder{when}"
        case cp.UNAVAILABLE:
            return f"Kan ikke komme{when} (fast fravær)"
        case cp.COURSE:
            return f"Går på et andet hold{when}"
        case cp.ACCOMMODATION:
            return "Holdgangen passer ikke med borgerens skånehensyn (tidspunkt eller timer pr. dag)"
        case cp.FULL:
            return "Passer med tiderne, men de foreslåede hold er fulde"
    return {
        "too_few": f"For få ventende borgere til et nyt hold (mindst {minimum} deltagere)",
        "too_few_at_once": f"For få borgere kan komme på de samme tider fra holdets første uge "
                           f"(mindst {minimum} deltagere)",
        "no_facilitator": "Ingen facilitator med ledig tid i alle ugerne",
        "no_room": "Intet ledigt lokale i alle ugerne",
    }.get(group_why, "Ingen fælles tid for nok borgere, en facilitator og et lokale")


def _proposal_group(
    site: Site, theme: str, rule: ActivityRule, waiting: list[_Waiting], mondays: list[date],
    planned: list[Appointment], courses: list[GroupCourse], courses_of: dict[int, list[int]],
    solve: ProposalSolve, minimum: int | None = None,
) -> ProposalGroup:
    low, high, length = _template(site, theme)
    if minimum is not None:
        low, high = minimum, max(high, minimum)
    weeks = min(len(mondays), length)
    mondays = mondays[:weeks]
    staff_types = sorted(st.code for st in rule.staff_types.all()) or ["social"]
    staff_type = staff_types[0]
    features = {f.code for f in rule.room_features.all()}
    site_week = [site_weeks(sites=[site], week_start=m)[site.id] for m in mondays]
    open_hours = tuple({d: iv[0] for d, iv in sw.open.items() if iv} for sw in site_week)
    other = _course_busy(courses, mondays, cp.COURSE)
    ids = [w.enrolment.id for w in waiting]
    internships = [active_internships(enrolment_ids=ids, week_start=m) for m in mondays]
    people = [_citizen_input(w, mondays, other, courses_of, internships) for w in waiting if w.first_week < weeks]
    facilitators, by_consultant = _facilitators(site, staff_type, mondays, planned, courses)
    rooms, by_room = _rooms(site, features, mondays, planned, courses)
    n, duration = session_pattern(rule)
    result = cp.propose_courses(cp.ProposalRequest(
        weeks=weeks, open_hours=open_hours, sessions_per_week=n, duration=duration,
        min_participants=low, max_participants=high, citizens=tuple(people), facilitators=tuple(facilitators),
        rooms=tuple(rooms), time_limit=solve.time_limit, num_workers=solve.num_workers,
        random_seed=solve.random_seed, deterministic_time=solve.deterministic_time,
    ))
    names = {w.enrolment.citizen_id: w.enrolment.citizen.full_name for w in waiting}
    first_week = {w.enrolment.citizen_id: w.first_week for w in waiting}
    group = ProposalGroup(site.id, site.name, theme, len(people), why_none=result.why_none, status=result.status,
                          seconds=result.seconds)
    existing = GroupCourse.objects.filter(site=site, theme=theme).count()
    for i, course in enumerate(result.courses):
        first_day = next((m + timedelta(days=d) for m, hours in zip(mondays, open_hours, strict=True)
                          for d in course.days if d in hours), mondays[0] + timedelta(days=course.days[0]))
        group.proposals.append(CourseProposal(
            site_id=site.id, site_code=site.code, theme=theme,
            name=f"{Theme(theme).label} – hold {existing + i + 1}", weekdays=course.days,
            start_time=time(course.start // 60, course.start % 60), duration_minutes=course.duration,
            start_date=first_day, end_date=mondays[-1] + timedelta(days=4), staff_type=staff_type,
            facilitator_id=course.facilitator_id, facilitator_name=by_consultant[course.facilitator_id].name,
            room_id=course.room_id, room_name=by_room[course.room_id].name, min_participants=low,
            max_participants=high, room_features=tuple(sorted(features)),
            seats=[Seat(z, names[z], max(first_day, mondays[first_week[z]])) for z in course.citizen_ids],
        ))
    group.refused = [
        Refusal(left.citizen_id, names[left.citizen_id], left.code,
                _refusal_text(left, mondays, result.why_none, low))
        for left in result.left_out
    ]
    return group


def course_notes_explain(*, notes: list[Note], week_start: date, solve: ProposalSolve | None = None) -> int:
    """Point each "no place on a course of the theme" note (cause `course_full`, `course_times` or
    `other`) at the proposed new course that would seat the citizen: the reason gets "Foreslået nyt
    hold: Mestring, tirsdage 9–11, fra 05.01." and the cause `params.proposal` (CourseProposal.summary).
    Runs where the week's course places are applied (planning), with the same solve as the "Nye hold"
    screen and the API (`proposal_solve`), so the pointer names the course those show. Off when
    PLANNER_COURSE_PROPOSAL_SECONDS is 0. Returns how many notes got a pointer."""
    course_notes = [n for n in notes if n.key.startswith("course:") and n.rule_id and n.citizen_ids]
    if not course_notes or settings.PLANNER_COURSE_PROPOSAL_SECONDS <= 0:
        return 0
    themes = dict(ActivityRule.objects.filter(pk__in={n.rule_id for n in course_notes}).values_list("pk", "theme"))
    sites = dict(Citizen.objects.filter(pk__in={z for n in course_notes for z in n.citizen_ids})
                 .values_list("pk", "site_id"))
    groups = course_proposals(
        site_ids=sorted({sites[n.citizen_ids[0]] for n in course_notes}), week_start=week_start,
        themes=sorted({themes[n.rule_id] for n in course_notes}), solve=solve,
    )
    seat_of = {(p.site_id, p.theme, s.citizen_id): p for g in groups for p in g.proposals for s in p.seats}
    pointed = 0
    for note in course_notes:
        z = note.citizen_ids[0]
        proposal = seat_of.get((sites[z], themes[note.rule_id], z))
        if proposal is not None:
            note.reason = f"{note.reason}. Foreslået nyt hold: {proposal.text}"
            if note.cause is not None:
                note.cause["params"]["proposal"] = proposal.summary()
            pointed += 1
    return pointed


def course_proposals(
    *, site_ids: list[int], week_start: date, weeks: int = DEFAULT_WEEKS, themes: list[str] | None = None,
    solve: ProposalSolve | None = None, min_participants: int | None = None,
) -> list[ProposalGroup]:
    """Proposals per site and theme with waiting citizens, courses starting the week of `week_start` and
    running at most `weeks` weeks. The site's latest course of the theme gives the usual length and
    min/max participants (else 6 to 14); `min_participants` overrides the minimum. `solve` defaults to
    `proposal_solve()`, the one setting every caller shares."""
    solve = solve or proposal_solve()
    mondays = _mondays(week_start, weeks)
    groups: list[ProposalGroup] = []
    wanted = waiting_citizens(site_ids=site_ids, week_start=week_start, weeks=weeks)
    if themes is not None:
        wanted = {key: value for key, value in wanted.items() if key[1] in themes}
    if not wanted:
        return []
    courses = list(
        GroupCourse.objects.filter(start_date__lte=mondays[-1] + timedelta(days=4), end_date__gte=week_start)
        .prefetch_related("sessions", "room_features")
    )
    courses_of: dict[int, list[int]] = defaultdict(list)
    for citizen_id, course_id in CourseMembership.objects.filter(
        Q(left__isnull=True) | Q(left__gte=week_start), course__in=courses
    ).values_list("citizen_id", "course_id"):
        courses_of[citizen_id].append(course_id)
    planned = _planned(mondays, site_ids)
    sites = {s.id: s for s in Site.objects.filter(id__in={k[0] for k in wanted})}
    for (site_id, theme), (rule, waiting) in sorted(wanted.items(), key=lambda kv: (sites[kv[0][0]].name, kv[0][1])):
        groups.append(_proposal_group(sites[site_id], theme, rule, waiting, mondays, planned, courses,
                                      courses_of, solve, min_participants))
    return groups
