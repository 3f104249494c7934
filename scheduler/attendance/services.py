"""Marking attendance: one participant, a whole appointment (a group session's participant list) or the
rest of a day. Every change is written to the audit log here, so no interface can forget it.

Who marks (a `Marker`): the consultant who held the appointment (from their secret link or their login)
or a coordinator of the appointment's site; scheduler.attendance.selectors.markable says which
appointments each may mark. Marking again overwrites: the audit log keeps the history.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from scheduler.attendance.selectors import day_sheet, markable
from scheduler.audit import AuditAction, audit_record
from scheduler.errors import DomainError
from scheduler.models import Appointment, Attendance, AttendanceStatus, Consultant


class AttendanceError(DomainError):
    code = "attendance_error"


@dataclass(frozen=True)
class Marker:
    """Who marks. `actor` is what the audit log names (a user, or "konsulentlink k-12")."""

    actor: object
    user: object | None = None
    consultant: Consultant | None = None  # marks as this consultant: their own appointments only
    site_ids: frozenset[int] | None = None  # a coordinator's sites; None with no consultant = every site

    def appointments(self):  # noqa: ANN201 - a queryset
        return markable(consultant=self.consultant, site_ids=self.site_ids)


@dataclass(frozen=True)
class Mark:
    appointment_id: int
    citizen_id: int
    status: str


def _check_status(status: str) -> None:
    if status not in AttendanceStatus.values:
        raise AttendanceError(_("Ukendt fremmødestatus."), code="unknown_status", field="status")


@transaction.atomic
def attendance_mark(*, marker: Marker, marks: Iterable[Mark], request: HttpRequest | None = None) -> int:
    """Record each mark; refuses the whole batch if one names an appointment the marker may not mark
    (not theirs, not started, not published, cancelled in the plan) or a citizen who was not invited."""
    marks = list(marks)
    for m in marks:
        _check_status(m.status)
    ids = {m.appointment_id for m in marks}
    appointments = {a.pk: a for a in marker.appointments().filter(pk__in=ids).prefetch_related("citizens")}
    if set(appointments) != ids:
        raise AttendanceError(
            _("Fremmøde kan kun markeres for dine egne, offentliggjorte aftaler, efter de er begyndt."),
            code="not_markable", field="appointment")
    user = marker.user if getattr(marker.user, "pk", None) else None
    changed: set[int] = set()
    for m in marks:
        a = appointments[m.appointment_id]
        if m.citizen_id not in {z.pk for z in a.citizens.all()}:
            raise AttendanceError(_("Borgeren deltager ikke i aftalen."), code="not_a_participant", field="citizen")
        row, created = Attendance.objects.get_or_create(
            appointment_uid=a.uid, citizen_id=m.citizen_id,
            defaults={"status": m.status, "kind": a.kind, "start": a.start, "marked_by": user,
                      "marked_by_consultant": marker.consultant})
        if not created and row.status != m.status:
            row.status, row.kind, row.start = m.status, a.kind, a.start
            row.marked_by, row.marked_by_consultant = user, marker.consultant
            row.save()
        elif not created:
            continue
        changed.add(m.citizen_id)
        audit_record(actor=marker.actor, action=AuditAction.CHANGE, citizen_ids=[m.citizen_id],
                     object_repr=f"Fremmøde aftale {a.pk}: {m.status}", request=request)
    return len(changed)


def attendance_mark_appointment(*, marker: Marker, appointment: Appointment, status: str,
                                absent: Iterable[int] = (), absent_status: str = AttendanceStatus.NO_SHOW,
                                request: HttpRequest | None = None) -> int:
    """A whole appointment at once (a group session's list): everyone `status`, those in `absent`
    `absent_status`."""
    absent = set(absent)
    citizens = [z.pk for z in appointment.citizens.all()]
    return attendance_mark(marker=marker, request=request, marks=[
        Mark(appointment.pk, z, absent_status if z in absent else status) for z in citizens])


def attendance_mark_day(*, marker: Marker, day: date, status: str = AttendanceStatus.HELD,
                        request: HttpRequest | None = None) -> int:
    """Every participant nobody marked yet, of every appointment of the day the marker may mark."""
    sheet = day_sheet(day=day, consultant=marker.consultant, site_ids=marker.site_ids)
    marks = [Mark(r.appointment.pk, p.citizen.pk, status) for r in sheet.rows for p in r.participants if not p.marked]
    return attendance_mark(marker=marker, marks=marks, request=request)
