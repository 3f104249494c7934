"""Reads of attendance: the day sheet a consultant or coordinator marks, the effective status of each
participant, each citizen's attended and missed appointments by kind and week (the progress report and
the statistics read these), and the missed appointments demand needs.

Effective status of a participant of a published, not cancelled appointment:

* the marked status, if someone marked it (scheduler.models.Attendance);
* else "held" once ATTENDANCE_GRACE_DAYS have passed since the appointment's end;
* else "pending" (not marked yet). Demand counts pending appointments as held (they were planned and
  nobody said otherwise); the attendance rate leaves them out until they are settled.

Attendance rate = held / (held + no-show + afbud). A cancellation by the centre is not the citizen's
absence and does not count against them.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from uuid import UUID

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone

from scheduler.models import (
    MISSED,
    Appointment,
    AppointmentStatus,
    Attendance,
    AttendanceStatus,
    Citizen,
    Consultant,
    PlanStatus,
)
from scheduler.weeks import iso_week_label

PENDING = "pending"
STATUS_LABELS: dict[str, str] = {**{s.value: str(s.label) for s in AttendanceStatus}, PENDING: "Ikke markeret"}


def grace_period() -> timedelta:
    return timedelta(days=settings.ATTENDANCE_GRACE_DAYS)


def effective_status(*, end: datetime, marked: str | None, now: datetime | None = None) -> str:
    if marked:
        return marked
    return AttendanceStatus.HELD if end + grace_period() <= (now or timezone.now()) else PENDING


def published_appointments_held_or_due() -> QuerySet[Appointment]:
    """Appointments of current published versions that were not cancelled in the plan."""
    return Appointment.objects.filter(plan__status=PlanStatus.PUBLISHED, status=AppointmentStatus.PLANNED)


def marks_for(*, uids: Iterable[UUID]) -> dict[tuple[UUID, int], Attendance]:
    return {(a.appointment_uid, a.citizen_id): a for a in Attendance.objects.filter(appointment_uid__in=list(uids))}


# -- the day sheet ----------------------------------------------------------------------------------


@dataclass
class Participant:
    citizen: Citizen
    status: str  # the effective status (PENDING when not marked and inside the grace period)
    marked: bool
    display: str = ""  # what the page shows: the full name, or initials/reference behind a secret link

    @property
    def label(self) -> str:
        return STATUS_LABELS[self.status]


@dataclass
class SheetRow:
    appointment: Appointment
    participants: list[Participant] = field(default_factory=list)

    @property
    def unmarked(self) -> int:
        return sum(1 for p in self.participants if not p.marked)


@dataclass
class DaySheet:
    day: date
    rows: list[SheetRow]

    @property
    def unmarked(self) -> int:
        return sum(r.unmarked for r in self.rows)

    def citizen_ids(self) -> set[int]:
        return {p.citizen.pk for r in self.rows for p in r.participants}


def _day_bounds(day: date) -> tuple[datetime, datetime]:
    start = timezone.make_aware(datetime.combine(day, time.min))
    return start, start + timedelta(days=1)


def site_filter(site_ids: Iterable[int]) -> Q:
    """An appointment belongs to a site by its own site, or (visits, home) by its citizens' site."""
    site_ids = list(site_ids)
    return Q(site_id__in=site_ids) | Q(site__isnull=True, citizens__site_id__in=site_ids)


def markable(*, consultant: Consultant | None = None, site_ids: Iterable[int] | None = None,
             now: datetime | None = None) -> QuerySet[Appointment]:
    """Appointments that may be marked: started, in a current published version, not cancelled in the plan,
    with participants. A consultant marks their own of the last ATTENDANCE_CONSULTANT_DAYS days; a
    coordinator those of their sites (`site_ids`; None = every site)."""
    now = now or timezone.now()
    rows = published_appointments_held_or_due().filter(start__lte=now, citizens__isnull=False)
    if consultant is not None:
        rows = rows.filter(consultants=consultant,
                           start__gte=now - timedelta(days=settings.ATTENDANCE_CONSULTANT_DAYS))
    if site_ids is not None:
        rows = rows.filter(site_filter(site_ids))
    return rows.distinct()


def day_sheet(*, day: date, consultant: Consultant | None = None, site_ids: Iterable[int] | None = None,
              now: datetime | None = None) -> DaySheet:
    """The day's markable appointments with each participant's status, in time order."""
    start, end = _day_bounds(day)
    appointments = list(
        markable(consultant=consultant, site_ids=site_ids, now=now)
        .filter(start__gte=start, start__lt=end)
        .select_related("site", "room", "company", "group_course")
        .prefetch_related("citizens", "consultants")
        .order_by("start", "pk")
    )
    marks = marks_for(uids=[a.uid for a in appointments])
    rows = []
    for a in appointments:
        row = SheetRow(a)
        for citizen in sorted(a.citizens.all(), key=lambda z: (z.last_name, z.first_name, z.pk)):
            mark = marks.get((a.uid, citizen.pk))
            row.participants.append(Participant(
                citizen, effective_status(end=a.end, marked=mark.status if mark else None, now=now), mark is not None))
        rows.append(row)
    return DaySheet(day, rows)


def days_to_mark(*, consultant: Consultant | None = None, site_ids: Iterable[int] | None = None,
                 now: datetime | None = None, limit: int = 14) -> list[tuple[date, int]]:
    """Recent days with markable appointments, newest first, with how many participants nobody marked."""
    now = now or timezone.now()
    since = now - timedelta(days=limit)
    rows = list(markable(consultant=consultant, site_ids=site_ids, now=now).filter(start__gte=since)
                .values_list("uid", "start", "citizens"))
    marked = {(a, z) for a, z in Attendance.objects.filter(appointment_uid__in=[r[0] for r in rows])
              .values_list("appointment_uid", "citizen_id")}
    counts: dict[date, int] = defaultdict(int)
    for uid, start, citizen_id in rows:
        day = timezone.localtime(start).date()
        counts[day] += 0 if (uid, citizen_id) in marked else 1
    return sorted(counts.items(), reverse=True)


# -- per citizen ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AttendanceLine:
    appointment_uid: UUID
    kind: str
    start: datetime
    status: str  # effective


@dataclass
class CitizenAttendance:
    citizen_id: int
    lines: list[AttendanceLine] = field(default_factory=list)

    def counts(self) -> Counter[str]:
        return Counter(line.status for line in self.lines)

    def by_kind_and_week(self) -> dict[tuple[str, str], Counter[str]]:
        """(kind, ISO week) → counts per effective status."""
        out: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
        for line in self.lines:
            local = timezone.localtime(line.start).date()
            out[(line.kind, iso_week_label(local - timedelta(days=local.weekday())))][line.status] += 1
        return dict(out)

    @property
    def attended(self) -> int:
        return self.counts()[AttendanceStatus.HELD]

    @property
    def missed(self) -> int:
        c = self.counts()
        return c[AttendanceStatus.NO_SHOW] + c[AttendanceStatus.CITIZEN_CANCELLED]

    @property
    def rate(self) -> float | None:
        """Held / (held + no-show + afbud); None while nothing is settled."""
        settled = self.attended + self.missed
        return self.attended / settled if settled else None


def citizen_attendance(*, citizen_ids: Iterable[int], since: date | None = None, until: date | None = None,
                       now: datetime | None = None) -> dict[int, CitizenAttendance]:
    """Each citizen's past appointments with their effective status (every citizen asked gets an entry)."""
    now = now or timezone.now()
    citizen_ids = list(citizen_ids)
    rows = published_appointments_held_or_due().filter(start__lte=now, citizens__in=citizen_ids)
    if since is not None:
        rows = rows.filter(start__gte=_day_bounds(since)[0])
    if until is not None:
        rows = rows.filter(start__lt=_day_bounds(until)[1])
    found = list(rows.values_list("uid", "kind", "start", "end", "citizens").distinct().order_by("start"))
    marks = {(a.appointment_uid, a.citizen_id): a.status
             for a in Attendance.objects.filter(citizen_id__in=citizen_ids, appointment_uid__in=[r[0] for r in found])}
    out = {pk: CitizenAttendance(pk) for pk in citizen_ids}
    for uid, kind, start, end, citizen_id in found:
        status = effective_status(end=end, marked=marks.get((uid, citizen_id)), now=now)
        out[citizen_id].lines.append(AttendanceLine(uid, kind, start, status))
    return out


# -- for demand -------------------------------------------------------------------------------------


def missed_marks(*, citizen_ids: Iterable[int], before: datetime) -> dict[tuple[UUID, int], Attendance]:
    """Marked no-shows, afbud and centre cancellations before a moment, by (appointment uid, citizen)."""
    rows = Attendance.objects.filter(citizen_id__in=list(citizen_ids), status__in=MISSED, start__lt=before)
    return {(a.appointment_uid, a.citizen_id): a for a in rows}


def missed_uids(*, uids: Iterable[UUID]) -> set[UUID]:
    """Appointments every one of whose marked participants missed (a requested activity not held)."""
    by_uid: dict[UUID, set[str]] = defaultdict(set)
    for uid, status in Attendance.objects.filter(appointment_uid__in=list(uids)).values_list(
            "appointment_uid", "status"):
        by_uid[uid].add(status)
    return {uid for uid, statuses in by_uid.items() if statuses <= set(MISSED)}
