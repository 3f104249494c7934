"""What is due this week: from the intervention models' rules, the history of held appointments,
the coordinators' requests and the group courses, to a list of `Demand`s with due windows.

Rules (docs/plan-format.md repeats them for coordinators):

* every_n_days N: the deadline comes from scheduler.demand.rules (the one module that decides when a
  rule is next due, shared with the overview). The activity is due this week when
  the deadline is before next Monday; its window runs from Monday to min(Friday, deadline). A
  deadline already passed makes it overdue: window the whole week, higher penalty.
* per_week N: N tasks this week on different days — the site's open days are split into N
  consecutive, disjoint day ranges, one per task. With fewer open days than N the rest are unplaced.
* once: due (whole week) if never held in the enrolment.
* on_request: only through an open ActivityRequest whose earliest..due_by meets the week (an
  overdue open request is still due, with the whole week as window) and that no published plan of
  another week already holds.
* group_session rules do not make tasks themselves: they give the citizen a place on a course of
  the theme (scheduler.planning.services.course_places_assign); each course session of the week is one task
  with a fixed start for all members who can attend it.

Only appointments in published plans count as held (drafts are proposals).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import Exists, Max, OuterRef, Q

from activities.models import (
    ActivityKind,
    ActivityRule,
    Condition,
    CourseMembership,
    FrequencyType,
    GroupCourse,
    InternshipKind,
    Phase,
    Place,
)
from rooms.models import Site
from scheduler.attendance.selectors import missed_marks, missed_uids
from scheduler.availability import (
    DAYS,
    SiteWeek,
    active_internships,
    aware,
    has_kind,
    minutes,
    site_weeks,
    week_dates,
    work_hours,
)
from scheduler.demand.course_reason import no_course_reason
from scheduler.demand.rules import HISTORY_KINDS, last_held, rule_due, rule_start
from scheduler.models import (
    ActivityRequest,
    Agreement,
    Appointment,
    AppointmentStatus,
    AttendanceStatus,
    Enrolment,
    EnrolmentStatus,
    PlanStatus,
    ProgressMeasurement,
    RequestStatus,
)
from scheduler.weeks import iso_week_label
from solver.problem import DANISH_DAYS

# Who a requested activity needs when neither the request nor the phase says it.
REQUEST_DEFAULTS: dict[str, tuple[tuple[str, ...], str]] = {
    ActivityKind.ROUNDTABLE: (("social", "job"), Place.COMPANY),
    ActivityKind.S7A: (("social",), Place.SITE),
    ActivityKind.STEPUP: (("job", "social", "health"), Place.SITE),
    ActivityKind.FOLLOWUP_VISIT: (("job",), Place.COMPANY),
    ActivityKind.ASSESSMENT: (("health",), Place.HOME),
    ActivityKind.PROGRESS: (("social",), Place.SITE),
}

PENALTY_DUE = 10
PENALTY_OVERDUE = 15
PENALTY_REQUEST = 12


@dataclass(slots=True)
class Demand:
    """One activity due this week, in Django terms (ids, dates, minutes); the builder makes a Task of it."""

    key: str
    kind: str
    citizen_ids: tuple[int, ...]
    staff_types: tuple[frozenset[str], ...]
    duration_minutes: int
    place: str
    site_ids: frozenset[int]
    first_day: int  # weekday index of the window's first day
    last_day: int  # inclusive
    due_by: date
    reason_rule: str
    enrolment_id: int | None = None
    rule_id: int | None = None
    request_id: int | None = None
    group_course_id: int | None = None
    company_id: int | None = None
    room_features: frozenset[str] = frozenset()
    preferred_consultant_ids: tuple[int, ...] = ()
    fixed_day: int | None = None  # group sessions: day and minute of the fixed start
    fixed_minute: int | None = None
    min_participants: int = 0
    max_participants: int | None = None
    penalty: int = PENALTY_DUE


@dataclass(slots=True)
class Note:
    """Something due that cannot even become a task (no course place, too few open days …)."""

    key: str
    kind: str
    reason: str
    reason_rule: str
    citizen_ids: tuple[int, ...] = ()
    enrolment_id: int | None = None
    request_id: int | None = None
    group_course_id: int | None = None
    due_by: date | None = None
    rule_id: int | None = None  # the model rule it comes from, if any
    cause: dict[str, object] | None = None  # structured cause (scheduler.causes); None = not known


@dataclass(slots=True)
class WeekDemand:
    week_start: date
    site_ids: frozenset[int]
    demands: list[Demand] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    enrolments: dict[int, Enrolment] = field(default_factory=dict)
    internships: dict[int, list] = field(default_factory=dict)  # the week's internships per enrolment id
    # (enrolment, rule) -> earliest day: every-N-days tasks a run of several weeks plans this week, before
    # the week of their deadline (scheduler.planning.weeks).
    bring_forward: dict[tuple[int, int], date] = field(default_factory=dict)


def _day_text(day: date) -> str:
    return f"{DANISH_DAYS[day.weekday()]} {day:%d.%m.}" if day.weekday() < 5 else f"{day:%d.%m.}"


def _kind_label(kind: str) -> str:
    return str(ActivityKind(kind).label)


def active_enrolments(*, site_ids: Iterable[int], week_start: date) -> list[Enrolment]:
    friday = week_start + timedelta(days=4)
    return list(
        Enrolment.objects.filter(
            status=EnrolmentStatus.ACTIVE, citizen__site_id__in=list(site_ids), start_date__lte=friday
        )
        .exclude(end_date__lt=week_start)
        .select_related("citizen", "current_phase", "contact_consultant")
        .order_by("start_date", "id")
    )


@dataclass(frozen=True, slots=True)
class Missed:
    """The latest marked no-show, afbud or centre cancellation of a kind (after which nothing was held)."""

    day: date
    status: str


MISSED_TEXT = {
    AttendanceStatus.NO_SHOW: "udeblev",
    AttendanceStatus.CITIZEN_CANCELLED: "meldte afbud",
    AttendanceStatus.CENTRE_CANCELLED: "aflyst af centret",
}


def held_history(*, enrolments: Iterable[Enrolment], week_start: date) -> dict[int, dict[str, date]]:
    """Last held date per (enrolment, kind) from published plans before the week (see attendance_history)."""
    return attendance_history(enrolments=enrolments, week_start=week_start)[0]


def attendance_history(
    *, enrolments: Iterable[Enrolment], week_start: date
) -> tuple[dict[int, dict[str, date]], dict[int, dict[str, Missed]]]:
    """Last held date, and last missed appointment, per (enrolment, kind) from published plans before the week.

    An appointment counts as held for a citizen unless their attendance is marked no-show, afbud or
    cancelled by the centre (scheduler.attendance): not marked yet counts as held, it was planned and
    nobody said otherwise. Appointments are matched to an enrolment by its link, or by citizen and date
    (appointments stored before the link existed, or imported history).
    """
    enrolments = list(enrolments)
    by_citizen: dict[int, list[Enrolment]] = defaultdict(list)
    for e in enrolments:
        by_citizen[e.citizen_id].append(e)
    last: dict[int, dict[str, date]] = defaultdict(dict)
    missed: dict[int, dict[str, Missed]] = defaultdict(dict)
    before = aware(_midnight(week_start))
    rows = (
        Appointment.objects.filter(
            plan__status=PlanStatus.PUBLISHED,
            status=AppointmentStatus.PLANNED,
            start__lt=before,
            citizens__in=list(by_citizen),
        )
        .values_list("citizens", "enrolment_id", "kind", "start", "uid")
        .distinct()
    )
    marks = missed_marks(citizen_ids=list(by_citizen), before=before)
    for citizen_id, enrolment_id, kind, start, uid in rows:
        day = start.astimezone(before.tzinfo).date()
        mark = marks.get((uid, citizen_id))
        for e in by_citizen[citizen_id]:
            if (enrolment_id is not None and enrolment_id != e.id) or day < e.start_date:
                continue
            if mark is not None:
                if kind not in missed[e.id] or missed[e.id][kind].day < day:
                    missed[e.id][kind] = Missed(day, mark.status)
            elif kind not in last[e.id] or last[e.id][kind] < day:
                last[e.id][kind] = day
    _measured_history(last, enrolments, week_start)
    return last, missed


def last_missed(missed: dict[str, Missed], held: dict[str, date], kind: str, since: date | None) -> Missed | None:
    """The latest missed appointment counting for `kind` after the last held one (and on or after `since`)."""
    found = [missed[k] for k in HISTORY_KINDS.get(kind, (kind,)) if k in missed]
    found = [m for m in found if since is None or m.day >= since]
    if not found:
        return None
    latest = max(found, key=lambda m: m.day)
    held_day = last_held(held, kind, since=since)
    return latest if held_day is None or latest.day > held_day else None


def _measured_history(last: dict[int, dict[str, date]], enrolments: list[Enrolment], week_start: date) -> None:
    """A progress measurement recorded with the citizen counts as a held progress talk (also one scored
    during another talk), so a progress rule's next deadline counts from the latest measurement."""
    rows = (
        ProgressMeasurement.objects.filter(enrolment__in=enrolments, measured_on__lt=week_start)
        .values("enrolment_id").annotate(day=Max("measured_on")).values_list("enrolment_id", "day")
    )
    kind = ActivityKind.PROGRESS
    for enrolment_id, day in rows:
        if kind not in last[enrolment_id] or last[enrolment_id][kind] < day:
            last[enrolment_id][kind] = day


def _midnight(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time())


def week_demand(
    *, week_start: date, site_ids: Iterable[int], assumed_held: dict[int, dict[str, date]] | None = None,
    assumed_phases: dict[int, tuple[Phase, date]] | None = None,
    bring_forward: dict[tuple[int, int], date] | None = None,
) -> WeekDemand:
    """Everything due this week for the citizens of these sites.

    `assumed_held` (enrolment -> kind -> day) adds appointments not in any published plan yet, as if held;
    `assumed_phases` (enrolment -> phase and the day it starts) puts an enrolment in a later phase than
    the stored one, as if the coordinator had moved it on (both for the forecast of the weeks ahead:
    scheduler.demand.forecast). `bring_forward` ((enrolment, rule) -> earliest day) asks for an
    every-N-days task this week although its deadline is in a later week (a run of several weeks:
    scheduler.planning.weeks). Nothing is written."""
    site_ids = frozenset(site_ids)
    result = WeekDemand(week_start, site_ids, bring_forward=dict(bring_forward or {}))
    enrolments = active_enrolments(site_ids=site_ids, week_start=week_start)
    for e in enrolments:
        if assumed_phases and e.id in assumed_phases:
            e.current_phase, e.phase_started = assumed_phases[e.id]
    result.enrolments = {e.id: e for e in enrolments}
    internships = active_internships(enrolment_ids=result.enrolments, week_start=week_start)
    result.internships = internships
    history, missed = attendance_history(enrolments=enrolments, week_start=week_start)
    for enrolment_id, kinds in (assumed_held or {}).items():
        for kind, day in kinds.items():
            if day < week_start and (kind not in history[enrolment_id] or history[enrolment_id][kind] < day):
                history[enrolment_id][kind] = day
    weeks = site_weeks(sites=Site.objects.filter(id__in=site_ids), week_start=week_start)
    phase_ids = {e.current_phase_id for e in enrolments if e.current_phase_id}
    rules_by_phase: dict[int, list[ActivityRule]] = defaultdict(list)
    for rule in ActivityRule.objects.filter(phase_id__in=phase_ids).prefetch_related("staff_types", "room_features"):
        rules_by_phase[rule.phase_id].append(rule)

    themes = course_themes(citizen_ids=[e.citizen_id for e in enrolments], week_start=week_start)
    agreed = agreed_meetings(enrolment_ids=result.enrolments, week_start=week_start)
    courses: dict = {}  # a theme's courses per site, read once for every citizen without a place
    for e in enrolments:
        for rule in rules_by_phase.get(e.current_phase_id or -1, []):
            if rule.frequency_type == FrequencyType.EVERY_N_DAYS and any(
                    (e.id, kind) in agreed for kind in HISTORY_KINDS.get(rule.kind, (rule.kind,))):
                continue  # the agreed next meeting is planned instead (its request)
            if rule.kind == ActivityKind.GROUP_SESSION and rule.theme and rule.theme not in themes[e.citizen_id]:
                site = weeks[e.citizen.site_id].site
                reason, cause = no_course_reason(
                    theme=rule.theme, site=site, citizen=e.citizen, week_start=week_start,
                    hours_at_work=work_hours(internships.get(e.id, []), week_start), courses=courses,
                )
                result.notes.append(
                    Note(
                        f"course:{e.id}:{rule.id}:{iso_week_label(week_start)}",
                        rule.kind,
                        reason,
                        f"{_kind_label(rule.kind)} {rule.frequency_text}",
                        (e.citizen_id,),
                        e.id,
                        due_by=week_start + timedelta(days=4),
                        rule_id=rule.id,
                        cause=cause,
                    )
                )
            _rule_demand(result, e, rule, history.get(e.id, {}), internships.get(e.id, []), weeks[e.citizen.site_id],
                         missed.get(e.id, {}))
    _request_demand(result, enrolments, rules_by_phase, internships, weeks)
    _course_demand(result, weeks)
    return result


def _company_for(rule_condition: str, internships: list) -> int | None:
    if rule_condition == Condition.EMPLOYED:
        found = has_kind(internships, InternshipKind.PARTIAL_RETURN)
    elif rule_condition == Condition.AFTER_JOB_START:
        found = has_kind(internships, InternshipKind.JOB)
    else:
        found = has_kind(internships, InternshipKind.INTERNSHIP) or has_kind(internships, InternshipKind.PARTIAL_RETURN)
    return found.company_id if found else None


def _brought_forward(
    result: WeekDemand, e: Enrolment, rule: ActivityRule, deadline: date, base: dict, not_held: Missed | None,
) -> bool:
    """An every-N-days task a run of several weeks chose for this week, before the week of its deadline:
    due by Friday, not before the earliest day the run allows (scheduler.planning.weeks)."""
    earliest = result.bring_forward.get((e.id, rule.id))
    week_start = result.week_start
    if earliest is None or not_held is not None or deadline < week_start + timedelta(days=7):
        return False  # due this week anyway (or not held): as usual
    result.demands.append(Demand(
        key=f"{rule.kind}:{e.id}:{rule.id}:{iso_week_label(week_start)}:1",
        first_day=max(0, min(4, (earliest - week_start).days)), last_day=4, due_by=week_start + timedelta(days=4),
        reason_rule=f"{_kind_label(rule.kind)} {rule.frequency_text} – frist {_day_text(deadline)}, planlagt tidligere",
        **base,
    ))
    return True


def _rule_demand(  # noqa: C901 - every frequency type of one rule, read top to bottom
    result: WeekDemand, e: Enrolment, rule: ActivityRule, history: dict[str, date], internships: list,
    site_week: SiteWeek, missed: dict[str, Missed] | None = None,
) -> None:
    week_start = result.week_start
    friday = week_start + timedelta(days=4)
    week = iso_week_label(week_start)
    if rule.kind == ActivityKind.GROUP_SESSION or rule.frequency_type == FrequencyType.ON_REQUEST:
        return  # courses and requests have their own sources
    start = rule_start(rule, e, internships, week_start=week_start)
    if start is None:
        return

    staff = tuple(frozenset({st.code}) for st in sorted(rule.staff_types.all(), key=lambda s: s.code))
    if not staff:
        return
    citizen = e.citizen
    company_id = _company_for(rule.condition, internships) if rule.place == Place.COMPANY else None
    base = {
        "kind": rule.kind,
        "citizen_ids": (citizen.id,),
        "staff_types": staff,
        "duration_minutes": rule.duration_minutes,
        "place": rule.place,
        "site_ids": frozenset({citizen.site_id}),
        "enrolment_id": e.id,
        "rule_id": rule.id,
        "company_id": company_id,
        "room_features": frozenset(f.code for f in rule.room_features.all()),
        "preferred_consultant_ids": (
            (e.contact_consultant_id,) if rule.with_contact_consultant and e.contact_consultant_id else ()
        ),
    }
    label = _kind_label(rule.kind)
    key_prefix = f"{rule.kind}:{e.id}:{rule.id}:{week}"
    if rule.place == Place.COMPANY and company_id is None:
        result.notes.append(
            Note(
                f"{key_prefix}:1",
                rule.kind,
                "Ingen virksomhed tilknyttet forløbet, så besøget kan ikke placeres",
                f"{label} {rule.frequency_text}",
                (citizen.id,),
                e.id,
                due_by=friday,
                rule_id=rule.id,
            )
        )
        return

    if rule.frequency_type == FrequencyType.EVERY_N_DAYS:
        n = max(1, rule.frequency_value)
        deadline = rule_due(rule, e, history, start).deadline
        # Not held (no-show, afbud, cancelled): due again at once, whatever the rule's own deadline says.
        not_held = last_missed(missed or {}, history, rule.kind, start.floor)
        if not_held is not None:
            deadline = min(deadline, week_start - timedelta(days=1))
        next_monday = week_start + timedelta(days=7)
        if _brought_forward(result, e, rule, deadline, base, not_held):
            return
        count, first_day = 0, 0
        while deadline < next_monday and first_day <= 4:
            count += 1
            overdue = deadline < week_start
            last_day = 4 if overdue else min(4, deadline.weekday())
            due = week_start + timedelta(days=last_day)
            if not_held is not None and count == 1:
                text = f"{label} {rule.frequency_text} – {MISSED_TEXT[not_held.status]} {_day_text(not_held.day)}"
            elif overdue:
                text = f"{label} {rule.frequency_text} – overskredet (frist var {deadline:%d.%m.})"
            else:
                text = f"{label} {rule.frequency_text} – senest {_day_text(due)}"
            result.demands.append(
                Demand(
                    key=f"{key_prefix}:{count}",
                    first_day=first_day,
                    last_day=last_day,
                    due_by=due,
                    reason_rule=text,
                    penalty=PENALTY_OVERDUE if overdue else PENALTY_DUE,
                    **base,
                )
            )
            if n >= 7:
                break
            # Rules shorter than a week repeat inside it: held by `due` at the latest, the next one
            # is due N days later, on a later day.
            deadline = due + timedelta(days=n)
            first_day = last_day + 1
    elif rule.frequency_type == FrequencyType.PER_WEEK:
        n = max(1, rule.frequency_value)
        days = site_week.open_days
        chunks = _split(days, n)
        for i in range(n):
            text = f"{label} {rule.frequency_text} ({i + 1} af {n})" if n > 1 else f"{label} {rule.frequency_text}"
            key = f"{key_prefix}:{i + 1}"
            if i >= len(chunks):
                result.notes.append(
                    Note(
                        key,
                        rule.kind,
                        f"{site_week.site.name} har kun {len(days)} åbne dage denne uge; "
                        f"der er ikke en ekstra dag til gang {i + 1}",
                        text,
                        (citizen.id,),
                        e.id,
                        due_by=friday,
                        rule_id=rule.id,
                    )
                )
                continue
            first, last_day = chunks[i][0], chunks[i][-1]
            result.demands.append(
                Demand(
                    key=key,
                    first_day=first,
                    last_day=last_day,
                    due_by=week_start + timedelta(days=last_day),
                    reason_rule=text,
                    **base,
                )
            )
    elif rule.frequency_type == FrequencyType.ONCE:
        _once_demand(result, rule, history, missed or {}, f"{key_prefix}:1", base)


def _once_demand(result: WeekDemand, rule: ActivityRule, history: dict[str, date], missed: dict[str, Missed],
                 key: str, base: dict) -> None:
    if last_held(history, rule.kind) is not None:
        return
    label = _kind_label(rule.kind)
    missed_once = last_missed(missed, history, rule.kind, None)
    text = f"{label} én gang i forløbet – endnu ikke holdt"
    if missed_once is not None:
        text = f"{label} én gang i forløbet – {MISSED_TEXT[missed_once.status]} {_day_text(missed_once.day)}"
    result.demands.append(
        Demand(
            key=key,
            first_day=0,
            last_day=4,
            due_by=result.week_start + timedelta(days=4),
            reason_rule=text,
            penalty=PENALTY_DUE + 2,
            **base,
        )
    )


def _split(days: list[int], n: int) -> list[list[int]]:
    """Open days cut into at most n consecutive, disjoint, near-equal chunks: different days per task."""
    n = min(n, len(days))
    if n == 0:
        return []
    size, extra = divmod(len(days), n)
    out, i = [], 0
    for k in range(n):
        take = size + (1 if k < extra else 0)
        out.append(days[i : i + take])
        i += take
    return out


def requests_held_elsewhere(week_start: date) -> set[int]:
    """Requests a published plan of another week holds (and the citizen did not miss)."""
    elsewhere = list(
        Appointment.objects.filter(
            request__isnull=False, plan__status=PlanStatus.PUBLISHED, status=AppointmentStatus.PLANNED
        )
        .exclude(plan__week_start=week_start)
        .values_list("request_id", "uid")
    )
    # A requested activity the citizen missed (or the centre cancelled) is still owed.
    not_held = missed_uids(uids=[uid for _r, uid in elsewhere])
    return {request_id for request_id, uid in elsewhere if uid not in not_held}


def agreed_meetings(*, enrolment_ids: Iterable[int], week_start: date) -> set[tuple[int, str]]:
    """(enrolment, kind) of next meetings agreed at a talk whose window is open this week: the agreed
    meeting takes the place of the model rule's own one (its request is planned instead)."""
    friday = week_start + timedelta(days=4)
    rows = ActivityRequest.objects.filter(
        status=RequestStatus.OPEN, enrolment_id__in=list(enrolment_ids), earliest__lte=friday,
        agreements__isnull=False,
    ).values_list("id", "enrolment_id", "kind").distinct()
    held = requests_held_elsewhere(week_start)
    return {(enrolment_id, kind) for pk, enrolment_id, kind in rows if pk not in held}


def _request_demand(
    result: WeekDemand,
    enrolments: list[Enrolment],
    rules_by_phase: dict[int, list[ActivityRule]],
    internships: dict[int, list],
    weeks: dict,
) -> None:
    week_start = result.week_start
    friday = week_start + timedelta(days=4)
    week = iso_week_label(week_start)
    by_id = {e.id: e for e in enrolments}
    held_elsewhere = requests_held_elsewhere(week_start)
    requests = (
        ActivityRequest.objects.filter(status=RequestStatus.OPEN, enrolment_id__in=list(by_id), earliest__lte=friday)
        .annotate(agreed=Exists(Agreement.objects.filter(request=OuterRef("pk"))))
        .select_related("company")
        .prefetch_related("staff_types")
        .order_by("due_by", "id")
    )
    for req in requests:
        if req.id in held_elsewhere:
            continue
        e = by_id[req.enrolment_id]
        rule = next((r for r in rules_by_phase.get(e.current_phase_id or -1, []) if r.kind == req.kind), None)
        default_staff, default_place = REQUEST_DEFAULTS.get(req.kind, (("social",), Place.SITE))
        codes = sorted(st.code for st in req.staff_types.all())
        if not codes:
            codes = sorted(st.code for st in rule.staff_types.all()) if rule else sorted(default_staff)
        place = rule.place if rule else default_place
        company_id = req.company_id
        own = internships.get(e.id, [])
        if company_id is None and place == Place.COMPANY:
            company_id = _company_for(rule.condition if rule else Condition.EMPLOYED, own) or _company_for(
                Condition.ALWAYS, own
            )
        if place == Place.COMPANY and company_id is None:
            place = Place.SITE  # no workplace known: the meeting is held at the centre
        overdue = req.due_by < week_start
        due = friday if overdue or req.due_by > friday else req.due_by
        first = max(0, (req.earliest - week_start).days)
        label = _kind_label(req.kind)
        source = "Aftalt med borgeren" if req.agreed else "Bestilt af koordinator"
        text = f"{source}: {label} senest {req.due_by:%d.%m.}"
        if overdue:
            text = f"{source}: {label} – overskredet (frist var {req.due_by:%d.%m.})"
        if req.note:
            text = f"{text} ({req.note})"
        result.demands.append(
            Demand(
                key=f"request:{req.id}:{week}",
                kind=req.kind,
                citizen_ids=(e.citizen_id,),
                staff_types=tuple(frozenset({c}) for c in codes),
                duration_minutes=req.duration_minutes,
                place=place,
                site_ids=frozenset({e.citizen.site_id}),
                first_day=min(first, due.weekday()),
                last_day=due.weekday(),
                due_by=due,
                reason_rule=text[:200],
                enrolment_id=e.id,
                rule_id=rule.id if rule else None,
                request_id=req.id,
                company_id=company_id if place in (Place.COMPANY, Place.SITE) else None,
                room_features=frozenset(f.code for f in rule.room_features.all()) if rule else frozenset(),
                preferred_consultant_ids=(e.contact_consultant_id,) if e.contact_consultant_id else (),
                penalty=PENALTY_OVERDUE if overdue else PENALTY_REQUEST,
            )
        )


def course_themes(*, citizen_ids: Iterable[int], week_start: date) -> dict[int, set[str]]:
    """Themes of the courses each citizen is an active member of this week."""
    friday = week_start + timedelta(days=4)
    out: dict[int, set[str]] = defaultdict(set)
    rows = CourseMembership.objects.filter(
        Q(left__isnull=True) | Q(left__gte=week_start),
        citizen_id__in=list(citizen_ids),
        joined__lte=friday,
        course__start_date__lte=friday,
        course__end_date__gte=week_start,
    ).values_list("citizen_id", "course__theme")
    for citizen_id, theme in rows:
        out[citizen_id].add(theme)
    return out


def running_courses(*, site_ids: Iterable[int], week_start: date) -> list[GroupCourse]:
    friday = week_start + timedelta(days=4)
    return list(
        GroupCourse.objects.filter(site_id__in=list(site_ids), start_date__lte=friday, end_date__gte=week_start)
        .select_related("facilitator_staff_type", "site")
        .prefetch_related("sessions", "room_features")
        .order_by("id")
    )


def course_members(*, courses: Iterable[GroupCourse], week_start: date) -> dict[int, list[CourseMembership]]:
    friday = week_start + timedelta(days=4)
    out: dict[int, list[CourseMembership]] = defaultdict(list)
    qs = CourseMembership.objects.filter(
        Q(left__isnull=True) | Q(left__gte=week_start), course__in=list(courses), joined__lte=friday
    ).order_by("joined", "id")
    for m in qs:
        out[m.course_id].append(m)
    return out


def _course_demand(result: WeekDemand, weeks: dict) -> None:
    """One group_session demand per course session this week; the builder drops members who cannot come."""
    week_start = result.week_start
    week = iso_week_label(week_start)
    courses = running_courses(site_ids=result.site_ids, week_start=week_start)
    members = course_members(courses=courses, week_start=week_start)
    active_citizens = {e.citizen_id for e in result.enrolments.values()}
    days = week_dates(week_start)
    for course in courses:
        site_week = weeks[course.site_id]
        for session in course.sessions.all():
            day = days[session.weekday]
            key = f"group:{course.id}:{session.id}:{week}"
            text = f"Holdforløb {course.name}: {DANISH_DAYS[session.weekday]} kl. {session.start_time:%H:%M}"
            if not course.start_date <= day <= course.end_date:
                continue
            citizen_ids = tuple(
                m.citizen_id
                for m in members.get(course.id, [])
                if m.joined <= day and (m.left is None or m.left >= day) and m.citizen_id in active_citizens
            )
            if not citizen_ids:
                continue
            if session.weekday in site_week.closed_reason:
                result.notes.append(
                    Note(
                        key,
                        ActivityKind.GROUP_SESSION,
                        f"{site_week.site.name} er lukket {_day_text(day)} "
                        f"({site_week.closed_reason[session.weekday]}); holdgangen aflyses",
                        text,
                        citizen_ids,
                        group_course_id=course.id,
                        due_by=day,
                    )
                )
                continue
            result.demands.append(
                Demand(
                    key=key,
                    kind=ActivityKind.GROUP_SESSION,
                    citizen_ids=citizen_ids,
                    staff_types=(frozenset({course.facilitator_staff_type.code}),),
                    duration_minutes=session.duration_minutes,
                    place=Place.SITE,
                    site_ids=frozenset({course.site_id}),
                    first_day=session.weekday,
                    last_day=session.weekday,
                    due_by=day,
                    reason_rule=text,
                    group_course_id=course.id,
                    room_features=frozenset(f.code for f in course.room_features.all()),
                    preferred_consultant_ids=(course.facilitator_id,) if course.facilitator_id else (),
                    fixed_day=session.weekday,
                    fixed_minute=minutes(session.start_time),
                    min_participants=course.min_participants,
                    max_participants=course.max_participants,
                    penalty=PENALTY_DUE + len(citizen_ids),
                )
            )


__all__ = ["DAYS", "Demand", "Note", "WeekDemand", "week_demand", "active_enrolments", "held_history",
           "attendance_history"]
