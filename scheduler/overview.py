"""What the coordinator UI needs that no other module offers yet.

* `unplaced_task_place`: place an unplaced task by hand at one of the ranked options (scheduler.editing.options),
  checked by the same verifier as a move (scheduler.editing.services.move_violations).
* Overview reads: rule compliance (overdue talks and follow-up visits, internships without a visit in
  14 days), caseloads against max_caseload, planned hours against contracted hours.

Everything else the UI does goes through the services and selectors of planning, runs, publishing,
tokens and scheduler.editing.services.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, Q
from django.utils.translation import gettext as _

from activities.models import ActivityKind, ActivityRule, FrequencyType, InternshipKind, Place
from rooms.models import Room, Site
from scheduler.availability import active_internships, has_kind
from scheduler.demand.demand import HISTORY_KINDS, active_enrolments, held_history
from scheduler.models import (
    Appointment,
    AppointmentStatus,
    Consultant,
    Enrolment,
    EnrolmentStatus,
    Plan,
    PlanStatus,
    UnplacedTask,
)

DEFAULT_DURATION = 60
VISIT_EVERY_DAYS = 14
# Kinds a coordinator can place by hand from "find a time": one citizen, one consultant.
PLACEABLE_KINDS = {
    ActivityKind.START_TALK, ActivityKind.TALK, ActivityKind.CONTACT, ActivityKind.S7A, ActivityKind.STEPUP,
    ActivityKind.ASSESSMENT, ActivityKind.FOLLOWUP_VISIT, ActivityKind.ROUNDTABLE,
}


# -- placing an unplaced task by hand --------------------------------------------------------------


def _rule_of(task: UnplacedTask) -> ActivityRule | None:
    # Demand keys of rule tasks are "<kind>:<enrolment>:<rule>:<week>:<n>" (scheduler.demand.demand).
    parts = task.task_key.split(":")
    if len(parts) >= 3 and parts[0] == task.kind and parts[2].isdigit():
        return ActivityRule.objects.filter(pk=int(parts[2])).first()
    return None


def unplaced_task_duration(*, task: UnplacedTask) -> int:
    if task.request_id:
        return task.request.duration_minutes
    rule = _rule_of(task)
    return rule.duration_minutes if rule else DEFAULT_DURATION


def unplaced_task_is_placeable(*, task: UnplacedTask) -> bool:
    return task.kind in PLACEABLE_KINDS and len(task.citizens.all()) == 1


@transaction.atomic
def unplaced_task_place(
    *, task: UnplacedTask, start: datetime, consultant_ids: list[int], room_id: int | None, seen_version: int | None,
    allowed_site_ids: frozenset[int] | set[int] | None = None,
) -> Appointment:
    """Turn an unplaced task into an appointment of the draft, if the verifier accepts it.

    The appointment is written first so the verifier sees it exactly as it would be stored; a refusal
    raises MoveRefused and the transaction rolls back. `allowed_site_ids`: the caller's sites (None:
    administrator); consultants and rooms outside them are answered like unknown ones.
    """
    from scheduler.editing.services import (
        MoveRefused,
        NotEditable,
        appointment_book,
        move_refs_check,
        move_violations,
        plan_lock,
    )
    from scheduler.editing.wording import violation_message

    move_refs_check(consultant_ids=consultant_ids, room_id=room_id, allowed_site_ids=allowed_site_ids)

    plan = task.plan
    if plan.status != PlanStatus.DRAFT:
        raise NotEditable(_("Kun en kladde kan ændres. Planlæg ugen igen for at få en kladde."))
    rule = _rule_of(task)
    request = task.request if task.request_id else None
    place = rule.place if rule else (Place.COMPANY if request and request.company_id else Place.SITE)
    company_id = None
    if place == Place.COMPANY:
        company_id = request.company_id if request and request.company_id else _company_of(task)
    room = Room.objects.filter(pk=room_id).first() if room_id and place == Place.SITE else None
    citizen = task.citizens.first()
    appointment = Appointment.objects.create(
        plan=plan, task_key=task.task_key, kind=task.kind, start=start,
        end=start + timedelta(minutes=unplaced_task_duration(task=task)),
        site_id=room.site_id if room else citizen.site_id if citizen else None, room=room, company_id=company_id,
        place=place, group_course_id=task.group_course_id, rule=task.rule, enrolment_id=task.enrolment_id,
        activity_rule=rule, request=request,
    )
    appointment.consultants.set(consultant_ids)
    appointment.citizens.set(task.citizens.all())
    violations = move_violations(
        appointment=appointment, start=start, consultant_ids=consultant_ids, room_id=room.pk if room else None
    )
    if violations:
        raise MoveRefused(violation_message(violations[0])[1])
    plan_lock(plan=plan, seen_version=seen_version)
    appointment_book(appointment=appointment)
    task.delete()
    return appointment


def _company_of(task: UnplacedTask) -> int | None:
    if not task.enrolment_id:
        return None
    internships = active_internships(enrolment_ids=[task.enrolment_id], week_start=task.plan.week_start)
    found = next(iter(internships.get(task.enrolment_id, [])), None)
    return found.company_id if found else None


# -- overview: rule compliance ------------------------------------------------------------------------


@dataclass
class ComplianceRow:
    enrolment: Enrolment
    kind_label: str
    rule_text: str
    last_held: date | None
    deadline: date
    planned_this_week: bool

    @property
    def overdue_days(self) -> int:
        return (self._today - self.deadline).days

    _today: date = field(default=date.min, repr=False)


@dataclass
class VisitRow:
    enrolment: Enrolment
    company: str
    internship_start: date
    last_visit: date | None
    days_since: int
    planned_this_week: bool


def _week_plan_kinds(*, week_start: date, site_ids: Iterable[int]) -> dict[int, set[str]]:
    """Kinds per enrolment planned this week in the current draft or published plan."""
    out: dict[int, set[str]] = defaultdict(set)
    rows = Appointment.objects.filter(
        plan__week_start=week_start, plan__status__in=[PlanStatus.DRAFT, PlanStatus.PUBLISHED],
        plan__sites__in=list(site_ids), status=AppointmentStatus.PLANNED, enrolment__isnull=False,
    ).values_list("enrolment_id", "kind").distinct()
    for enrolment_id, kind in rows:
        out[enrolment_id].add(kind)
    return out


def rule_compliance(*, site_ids: Iterable[int], week_start: date) -> tuple[list[ComplianceRow], list[VisitRow]]:
    """Who is overdue by their model's every-N-days rules as the week starts, from published history.

    Second list: citizens in an internship whose company has had no follow-up visit for 14 days.
    """
    site_ids = list(site_ids)
    enrolments = active_enrolments(site_ids=site_ids, week_start=week_start)
    history = held_history(enrolments=enrolments, week_start=week_start)
    internships = active_internships(enrolment_ids=[e.pk for e in enrolments], week_start=week_start)
    planned = _week_plan_kinds(week_start=week_start, site_ids=site_ids)
    rules: dict[int, list[ActivityRule]] = defaultdict(list)
    phase_ids = {e.current_phase_id for e in enrolments if e.current_phase_id}
    for rule in ActivityRule.objects.filter(phase_id__in=phase_ids, frequency_type=FrequencyType.EVERY_N_DAYS):
        rules[rule.phase_id].append(rule)

    overdue: list[ComplianceRow] = []
    visits: list[VisitRow] = []
    for e in enrolments:
        held = history.get(e.pk, {})
        mine = internships.get(e.pk, [])
        for rule in rules.get(e.current_phase_id or -1, []):
            floor = _rule_floor(rule, e, mine)
            if floor is False:
                continue
            kinds = HISTORY_KINDS.get(rule.kind, (rule.kind,))
            days = [held[k] for k in kinds if k in held and (floor is None or held[k] >= floor)]
            last = max(days) if days else None
            anchor = last or max(d for d in (floor, e.phase_started, e.start_date) if d is not None)
            deadline = anchor + timedelta(days=max(1, rule.frequency_value))
            if deadline < week_start:
                overdue.append(ComplianceRow(
                    enrolment=e, kind_label=str(ActivityKind(rule.kind).label),
                    rule_text=rule.description or rule.frequency_text, last_held=last, deadline=deadline,
                    planned_this_week=rule.kind in planned.get(e.pk, set()), _today=week_start,
                ))
        internship = has_kind(mine, InternshipKind.INTERNSHIP)
        if internship is not None:
            visits_held = [held[k] for k in (ActivityKind.FOLLOWUP_VISIT, ActivityKind.ROUNDTABLE)
                           if k in held and held[k] >= internship.start_date]
            last_visit = max(visits_held) if visits_held else None
            since = (week_start - (last_visit or internship.start_date)).days
            if since > VISIT_EVERY_DAYS:
                visits.append(VisitRow(
                    enrolment=e, company=internship.company.name, internship_start=internship.start_date,
                    last_visit=last_visit, days_since=since,
                    planned_this_week=ActivityKind.FOLLOWUP_VISIT in planned.get(e.pk, set()),
                ))
    overdue.sort(key=lambda r: (r.deadline, r.enrolment.citizen.last_name))
    visits.sort(key=lambda r: -r.days_since)
    return overdue, visits


def _rule_floor(rule: ActivityRule, e: Enrolment, internships: list) -> date | None | bool:
    """The date a rule starts counting from; False when the rule does not apply (as in scheduler.demand.demand)."""
    from activities.models import Condition

    if rule.condition == Condition.IN_INTERNSHIP:
        found = has_kind(internships, InternshipKind.INTERNSHIP)
        return found.start_date if found else False
    if rule.condition == Condition.EMPLOYED:
        found = has_kind(internships, InternshipKind.PARTIAL_RETURN)
        return found.start_date if found else False
    if rule.condition == Condition.AFTER_JOB_START:
        return e.job_started if e.job_started else False
    return None


# -- overview: caseloads and hours ----------------------------------------------------------------


@dataclass
class ConsultantLoad:
    consultant: Consultant
    staff_types: str
    caseload: int
    planned_minutes: int

    @property
    def caseload_over(self) -> bool:
        return self.caseload > self.consultant.max_caseload

    @property
    def planned_hours(self) -> float:
        return round(self.planned_minutes / 60, 1)

    @property
    def hours_share(self) -> int:
        return round(100 * self.planned_minutes / max(1.0, float(self.consultant.hours_per_week) * 60))


@dataclass
class LoadGroup:
    site: Site
    staff_type: str
    rows: list[ConsultantLoad] = field(default_factory=list)

    @property
    def caseload(self) -> int:
        return sum(r.caseload for r in self.rows)

    @property
    def max_caseload(self) -> int:
        return sum(r.consultant.max_caseload for r in self.rows)

    @property
    def planned_hours(self) -> float:
        return round(sum(r.planned_minutes for r in self.rows) / 60, 1)

    @property
    def contracted_hours(self) -> Decimal:
        return sum((r.consultant.hours_per_week for r in self.rows), Decimal(0))

    @property
    def hours_share(self) -> int:
        return round(100 * float(self.planned_hours) / max(1.0, float(self.contracted_hours)))


def consultant_loads(*, site_ids: Iterable[int], week_start: date) -> list[LoadGroup]:
    """Caseload and the week's planned hours per consultant, grouped by home site and staff type.

    Planned hours count the current plan of the week (draft if there is one, else published) for
    every site, so a consultant who also works at another site is counted in full.
    """
    site_ids = list(site_ids)
    consultants = list(
        Consultant.objects.filter(Q(home_site_id__in=site_ids) | Q(sites__in=site_ids), active=True)
        .distinct().select_related("home_site").prefetch_related("staff_types")
        .annotate(cases=Count(
            "contact_enrolments", filter=Q(contact_enrolments__status=EnrolmentStatus.ACTIVE), distinct=True))
        .order_by("home_site__name", "name")
    )
    plans = _current_plans(week_start=week_start)
    minutes: dict[int, int] = defaultdict(int)
    rows = Appointment.objects.filter(
        plan__in=plans, status=AppointmentStatus.PLANNED, consultants__in=[c.pk for c in consultants]
    ).values_list("consultants", "start", "end")
    for consultant_id, start, end in rows:
        minutes[consultant_id] += int((end - start).total_seconds() // 60)
    groups: dict[tuple[int, str], LoadGroup] = {}
    for c in consultants:
        types = sorted(c.staff_types.all(), key=lambda t: t.code)
        type_name = ", ".join(t.name for t in types) or "–"
        key = (c.home_site_id, type_name)
        group = groups.setdefault(key, LoadGroup(site=c.home_site, staff_type=type_name))
        group.rows.append(ConsultantLoad(c, type_name, c.cases, minutes[c.pk]))
    return sorted(groups.values(), key=lambda g: (g.site.name, g.staff_type))


def _current_plans(*, week_start: date) -> list[int]:
    """Per site, the draft if there is one, else the published plan (scheduler.planning.runs.latest_plan)."""
    from scheduler.planning.runs import latest_plan

    out: set[int] = set()
    for site_id in Plan.objects.filter(week_start=week_start).values_list("sites", flat=True).distinct():
        if site_id is None:
            continue
        plan = latest_plan(week_start=week_start, site_id=site_id)
        if plan is not None:
            out.add(plan.pk)
    return sorted(out)
