"""The overview's reads: rule compliance (who is overdue by their own model's rules, internships without
the follow-up visit their model asks for), caseloads against max_caseload, planned hours against
contracted hours."""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Count, Q

from activities.models import ActivityKind, FrequencyType, Internship, InternshipKind
from rooms.models import Site
from scheduler.availability import active_internships, has_kind
from scheduler.demand.demand import active_enrolments, held_history
from scheduler.demand.rules import own_rules, rule_due, rule_start
from scheduler.models import (
    Appointment,
    AppointmentStatus,
    Consultant,
    Enrolment,
    EnrolmentStatus,
    Plan,
    PlanStatus,
)

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
    every_days: int
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
    """Who is overdue by their own model's every-N-days rules as the week starts, from published history,
    with the deadlines the planner uses (scheduler.demand.rules).

    Second list: citizens in an internship whose own model asks for follow-up visits every N days and
    whose company has had no visit (a round-table meeting there counts) for longer than that.
    """
    site_ids = list(site_ids)
    enrolments = active_enrolments(site_ids=site_ids, week_start=week_start)
    history = held_history(enrolments=enrolments, week_start=week_start)
    internships = active_internships(enrolment_ids=[e.pk for e in enrolments], week_start=week_start)
    planned = _week_plan_kinds(week_start=week_start, site_ids=site_ids)
    rules = own_rules(enrolments, frequency_type=FrequencyType.EVERY_N_DAYS)

    overdue: list[ComplianceRow] = []
    visits: list[VisitRow] = []
    for e in enrolments:
        held = history.get(e.pk, {})
        mine = internships.get(e.pk, [])
        visit_every: list[int] = []
        for rule in rules.get(e.current_phase_id or -1, []):
            start = rule_start(rule, e, mine, week_start=week_start)
            if start is None:
                continue
            if rule.kind == ActivityKind.FOLLOWUP_VISIT:
                visit_every.append(max(1, rule.frequency_value))
            due = rule_due(rule, e, held, start)
            if due.deadline < week_start:
                overdue.append(ComplianceRow(
                    enrolment=e, kind_label=str(ActivityKind(rule.kind).label),
                    rule_text=rule.description or rule.frequency_text, last_held=due.last_held, deadline=due.deadline,
                    planned_this_week=rule.kind in planned.get(e.pk, set()), _today=week_start,
                ))
        internship = has_kind(mine, InternshipKind.INTERNSHIP)
        if internship is not None and visit_every:
            row = _visit_row(e, internship, held, every=min(visit_every), week_start=week_start)
            if row is not None:
                row.planned_this_week = ActivityKind.FOLLOWUP_VISIT in planned.get(e.pk, set())
                visits.append(row)
    overdue.sort(key=lambda r: (r.deadline, r.enrolment.citizen.last_name))
    visits.sort(key=lambda r: -r.days_since)
    return overdue, visits


def _visit_row(
    e: Enrolment, internship: Internship, held: dict[str, date], *, every: int, week_start: date
) -> VisitRow | None:
    visits_held = [held[k] for k in (ActivityKind.FOLLOWUP_VISIT, ActivityKind.ROUNDTABLE)
                   if k in held and held[k] >= internship.start_date]
    last_visit = max(visits_held) if visits_held else None
    since = (week_start - (last_visit or internship.start_date)).days
    if since <= every:
        return None
    return VisitRow(
        enrolment=e, company=internship.company.name, internship_start=internship.start_date,
        last_visit=last_visit, days_since=since, every_days=every, planned_this_week=False,
    )


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
    """Per site, the draft if there is one, else the published plan (scheduler.planning.selectors.latest_plan)."""
    from scheduler.planning.selectors import latest_plan

    out: set[int] = set()
    for site_id in Plan.objects.filter(week_start=week_start).values_list("sites", flat=True).distinct():
        if site_id is None:
            continue
        plan = latest_plan(week_start=week_start, site_id=site_id)
        if plan is not None:
            out.add(plan.pk)
    return sorted(out)
