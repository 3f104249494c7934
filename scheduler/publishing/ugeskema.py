"""Selectors for one person's published week (ugeskema), shared by the PDF and the citizen's page.

A citizen's week holds only their own appointments, their internship days (from the staircase step in
force) and the days the centre is closed. Bulk variants load a whole site's week in a few queries so
the batch PDF for hundreds of citizens stays fast.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone, translation

from activities.models import ActivityKind, Internship, InternshipKind, InternshipStep
from rooms.calendar import holiday_name, week_days
from rooms.models import ClosedDay, Site
from scheduler.agreements.selectors import citizen_agreements
from scheduler.models import (
    Appointment,
    AppointmentStatus,
    Citizen,
    Consultant,
    Enrolment,
    EnrolmentStatus,
    PlanStatus,
)
from scheduler.publishing.feeds import appointment_location, citizen_label
from scheduler.weeks import iso_week_label

WEEKDAY_NAMES = ["Mandag", "Tirsdag", "Onsdag", "Torsdag", "Fredag"]


@dataclass
class WeekItem:
    start: datetime
    end: datetime
    title: str
    where: str
    with_whom: str
    kind: str  # an ActivityKind value, or "internship"
    cancelled: bool = False
    moved: bool = False  # a new time (or person) since the version before
    work_kind: str = ""  # for kind "internship": the InternshipKind (praktik, partial return, job)

    @property
    def time_text(self) -> str:
        return f"{self.start:%H:%M}–{self.end:%H:%M}"

    @property
    def is_internship(self) -> bool:
        return self.kind == "internship"

    @property
    def is_group(self) -> bool:
        return self.kind == ActivityKind.GROUP_SESSION

    @property
    def work_tag(self) -> str:
        """The tag of a day at a workplace: a partial return to work is work, not an internship."""
        return {InternshipKind.PARTIAL_RETURN: "ARBEJDE", InternshipKind.JOB: "JOB"}.get(self.work_kind, "PRAKTIK")


@dataclass
class WeekDay:
    day: date
    closed: str | None = None  # "Helligdag: Juledag" or the site's reason
    items: list[WeekItem] = field(default_factory=list)

    @property
    def heading(self) -> str:
        return f"{WEEKDAY_NAMES[self.day.weekday()]} {self.day:%d.%m.}"


@dataclass
class Week:
    owner_name: str
    owner_reference: str
    week_start: date
    days: list[WeekDay]
    contact: str = ""
    site_text: str = ""
    # The citizen's own agreements still due in or after the week, in plain Danish (citizen weeks only).
    agreements: list[str] = field(default_factory=list)
    version: int | None = None  # the published version the sheet shows (its identifier with the reference)

    @property
    def empty(self) -> bool:
        return not any(d.items for d in self.days)

    @property
    def iso_week(self) -> int:
        return self.week_start.isocalendar().week

    @property
    def label(self) -> str:
        """ "Uge 49 · 30.11.–04.12.2026"."""
        friday = self.week_start + timedelta(days=4)
        return f"Uge {self.iso_week} · {self.week_start:%d.%m.}–{friday:%d.%m.%Y}"

    @property
    def code(self) -> str:
        return iso_week_label(self.week_start)

    @property
    def has_items(self) -> bool:
        return any(day.items for day in self.days)


def current_week_start(today: date | None = None) -> date:
    """This week's Monday; from Saturday on, next week's (what a citizen wants to see then)."""
    today = today or timezone.localdate()
    monday = today - timedelta(days=today.weekday())
    return monday + timedelta(weeks=1) if today.weekday() >= 5 else monday


def _bounds(week_start: date) -> tuple[datetime, datetime]:
    start = timezone.make_aware(datetime.combine(week_start, time.min))
    return start, timezone.make_aware(datetime.combine(week_start + timedelta(days=5), time.min))


def _closed_days(site_ids: set[int], week_start: date) -> dict[int | None, dict[date, str]]:
    closed: dict[int | None, dict[date, str]] = defaultdict(dict)
    for row in ClosedDay.objects.filter(
        Q(site_id__in=site_ids) | Q(site__isnull=True),
        date__gte=week_start,
        date__lt=week_start + timedelta(days=5),
    ):
        closed[row.site_id][row.date] = f"Lukket: {row.reason}" if row.reason else "Lukket"
    return closed


def _empty_days(
    week_start: date, site_id: int | None, closed: dict[int | None, dict[date, str]]
) -> list[WeekDay]:
    days = []
    for day in week_days(week_start):
        holiday = holiday_name(day)
        reason = (
            f"Helligdag: {holiday}" if holiday else closed.get(site_id, {}).get(day) or closed[None].get(day)
        )
        days.append(WeekDay(day=day, closed=reason))
    return days


def _published(week_start: date) -> QuerySet[Appointment]:
    start, end = _bounds(week_start)
    return (
        Appointment.objects.filter(plan__status=PlanStatus.PUBLISHED, start__gte=start, start__lt=end)
        .select_related("site", "room__site", "company", "group_course", "plan")
        .prefetch_related(
            "consultants", Prefetch("citizens", queryset=Citizen.objects.select_related("site"))
        )
        .order_by("start", "pk")
    )


def _consultant_text(consultants: list[Consultant]) -> str:
    return ", ".join(f"{c.name} (tlf. {c.phone})" if c.phone else c.name for c in consultants)


def _citizen_item(appointment: Appointment) -> WeekItem:
    title = str(ActivityKind(appointment.kind).label)
    if appointment.kind == ActivityKind.GROUP_SESSION and appointment.group_course_id:
        # The citizen's own paper may name their course.
        title = f"{title}: {appointment.group_course.name}"
    return WeekItem(
        start=timezone.localtime(appointment.start),
        end=timezone.localtime(appointment.end),
        title=title,
        where=appointment_location(appointment, for_citizen=True),
        with_whom=_consultant_text(list(appointment.consultants.all())),
        kind=appointment.kind,
        cancelled=appointment.status == AppointmentStatus.CANCELLED,
        moved=appointment.moved and appointment.status != AppointmentStatus.CANCELLED,
    )


def _internship_items(enrolments: list[Enrolment], day: date) -> list[WeekItem]:
    items = []
    for enrolment in enrolments:
        for internship in enrolment.internships.all():
            if internship.start_date > day or (internship.end_date and internship.end_date < day):
                continue
            step = internship.step_on(day)
            if step is None or day.weekday() not in (step.weekdays or []):
                continue
            start = timezone.make_aware(datetime.combine(day, step.daily_start))
            contact = internship.contact_name or internship.company.contact_name
            phone = internship.contact_phone or internship.company.contact_phone
            items.append(
                WeekItem(
                    start=start,
                    end=start + timedelta(minutes=step.minutes_per_day()),
                    title=f"{InternshipKind(internship.kind).label} hos {internship.company.name}",
                    where=internship.company.address,
                    with_whom=f"{contact} (tlf. {phone})" if contact and phone else contact,
                    kind="internship",
                    work_kind=internship.kind,
                )
            )
    return items


def _enrolments_in_week(week_start: date) -> Q:
    friday = week_start + timedelta(days=4)
    return Q(start_date__lte=friday) & (
        Q(end_date__gte=week_start) | Q(end_date__isnull=True, status=EnrolmentStatus.ACTIVE)
    )


def _enrolment_prefetch(week_start: date) -> Prefetch:
    steps = InternshipStep.objects.order_by("start_date")
    internships = Internship.objects.select_related("company").prefetch_related(
        Prefetch("steps", queryset=steps)
    )
    return Prefetch(
        "enrolments",
        queryset=Enrolment.objects.filter(_enrolments_in_week(week_start))
        .select_related("contact_consultant")
        .prefetch_related(Prefetch("internships", queryset=internships)),
        to_attr="week_enrolments",
    )


def _build_citizen_week(
    citizen: Citizen,
    week_start: date,
    appointments: list[Appointment],
    closed: dict[int | None, dict[date, str]],
) -> Week:
    enrolments: list[Enrolment] = getattr(citizen, "week_enrolments", [])
    days = _empty_days(week_start, citizen.site_id, closed)
    by_day = {d.day: d for d in days}
    for appointment in appointments:
        local_day = timezone.localtime(appointment.start).date()
        if local_day in by_day:
            by_day[local_day].items.append(_citizen_item(appointment))
    for d in days:
        # Workplaces close on public holidays too; a centre's own closed day does not stop an internship.
        if not holiday_name(d.day):
            d.items.extend(_internship_items(enrolments, d.day))
        d.items.sort(key=lambda item: (item.start, item.title))
    contact = next((e.contact_consultant for e in enrolments if e.contact_consultant_id), None)
    site = citizen.site
    versions = [a.plan.version for a in appointments if a.plan.version]
    return Week(
        owner_name=citizen.full_name,
        owner_reference=citizen.reference,
        week_start=week_start,
        days=days,
        version=max(versions) if versions else None,
        contact=_consultant_text([contact]) if contact else "",
        site_text=f"{site.name}, {site.address}" + (f", tlf. {site.phone}" if site.phone else "")
        if site
        else "",
    )


def citizen_week(*, citizen: Citizen, week_start: date) -> Week:
    """One citizen's published week: only their own appointments."""
    with translation.override("da"):
        citizen = (
            Citizen.objects.select_related("site")
            .prefetch_related(_enrolment_prefetch(week_start))
            .get(pk=citizen.pk)
        )
        appointments = list(_published(week_start).filter(citizens=citizen))
        week = _build_citizen_week(
            citizen, week_start, appointments, _closed_days({citizen.site_id}, week_start)
        )
        week.agreements = _agreements_for([citizen.pk], week_start)[citizen.pk]
        return week


def _agreements_for(citizen_ids: list[int], week_start: date) -> dict[int, list[str]]:
    found = citizen_agreements(citizen_ids=citizen_ids, due_from=week_start,
                               made_until=week_start + timedelta(days=6))
    return {pk: [line.plain for line in lines] for pk, lines in found.items()}


def site_citizens_for_week(*, site: Site, week_start: date) -> QuerySet[Citizen]:
    """The citizens of a site with an enrolment running that week, in print order."""
    return (
        Citizen.objects.filter(
            site=site, enrolments__in=Enrolment.objects.filter(_enrolments_in_week(week_start))
        )
        .distinct()
        .order_by("last_name", "first_name", "reference")
    )


def site_citizen_weeks(*, site: Site, week_start: date) -> list[Week]:
    """Every citizen's week for a site, loaded in bulk, in a stable order (last, first name, reference)."""
    with translation.override("da"):
        citizens = list(
            site_citizens_for_week(site=site, week_start=week_start)
            .select_related("site")
            .prefetch_related(_enrolment_prefetch(week_start))
        )
        ids = {c.pk for c in citizens}
        by_citizen: dict[int, list[Appointment]] = defaultdict(list)
        for appointment in _published(week_start).filter(citizens__in=ids).distinct():
            for c in appointment.citizens.all():
                if c.pk in ids:
                    by_citizen[c.pk].append(appointment)
        closed = _closed_days({site.pk}, week_start)
        weeks = [_build_citizen_week(c, week_start, by_citizen[c.pk], closed) for c in citizens]
        agreements = _agreements_for(list(ids), week_start)
        for c, week in zip(citizens, weeks, strict=True):
            week.agreements = agreements[c.pk]
        return weeks


def consultant_week(*, consultant: Consultant, week_start: date) -> Week:
    """A consultant's published week. Citizens appear as initials/reference: the link that opens it
    is the same family as the calendar subscription, which lives on external servers."""
    with translation.override("da"):
        days = _empty_days(
            week_start, consultant.home_site_id, _closed_days({consultant.home_site_id}, week_start)
        )
        by_day = {d.day: d for d in days}
        for appointment in _published(week_start).filter(consultants=consultant):
            local_start = timezone.localtime(appointment.start)
            citizens = list(appointment.citizens.all())
            if appointment.kind == ActivityKind.GROUP_SESSION:
                who = f"{len(citizens)} deltagere"
            else:
                who = ", ".join(citizen_label(c) for c in citizens)
            others = [c for c in appointment.consultants.all() if c.pk != consultant.pk]
            if others:
                who = "; ".join(filter(None, [who, _consultant_text(others)]))
            if local_start.date() in by_day:
                by_day[local_start.date()].items.append(
                    WeekItem(
                        start=local_start,
                        end=timezone.localtime(appointment.end),
                        title=str(ActivityKind(appointment.kind).label),
                        where=appointment_location(appointment, for_citizen=False),
                        with_whom=who,
                        kind=appointment.kind,
                        cancelled=appointment.status == AppointmentStatus.CANCELLED,
                    )
                )
        return Week(
            owner_name=consultant.name,
            owner_reference=consultant.reference,
            week_start=week_start,
            days=days,
            site_text=f"{consultant.home_site.name}, {consultant.home_site.address}",
        )
