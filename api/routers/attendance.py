"""Attendance and agreements: a day's appointments to mark, marking them, one citizen's attended and
missed appointments, and the agreements a meeting ended with. A consultant reads and marks their own
appointments; a coordinator those of their sites."""
from datetime import date
from typing import Any

from django.http import HttpRequest
from ninja import Path, Query, Router, Schema
from pydantic import Field

from api.auth import planner_scope, scope_of
from api.crud import MAX_ID, resolve_site
from api.errors import ERRORS, forbidden, not_found
from api.schemas.attendance import AgreementOut, CitizenAttendanceOut, DaySheetOut, MarkedOut, MarksIn, MeetingIn
from scheduler.agreements.selectors import agreement_text, citizen_agreements
from scheduler.agreements.services import AgreementIn, meeting_record
from scheduler.attendance.selectors import PENDING, citizen_attendance, day_sheet
from scheduler.attendance.services import Mark, Marker, attendance_mark
from scheduler.audit import AuditAction, audit_record
from scheduler.models import AttendanceStatus, Citizen, Consultant

router = Router(tags=["Fremmøde / Attendance"])


class DayQuery(Schema):
    day: date = Field(..., description="Dagen / the day, YYYY-MM-DD")
    site: str | None = Field(None, max_length=60, description="Koordinatorer: centrets kode eller id / "
                                                              "coordinators: the site's code or id")


class PeriodQuery(Schema):
    since: date | None = None
    until: date | None = None


def _marker(request: HttpRequest, site: str | None) -> Marker:
    scope = scope_of(request)
    if scope.is_planner:
        if site is None:
            return Marker(actor=request.auth, user=request.auth, site_ids=scope.site_ids)
        return Marker(actor=request.auth, user=request.auth, site_ids=frozenset({resolve_site(site, scope)}))
    if scope.consultant_id is None:
        raise forbidden()
    return Marker(actor=request.auth, user=request.auth, consultant=Consultant.objects.get(pk=scope.consultant_id))


@router.get("/attendance", response={200: DaySheetOut, **ERRORS}, operation_id="attendance_day",
            summary="En dags aftaler at markere fremmøde på / a day's appointments to mark")
def attendance_day(request: HttpRequest, params: Query[DayQuery]) -> dict[str, Any]:
    marker = _marker(request, params.site)
    sheet = day_sheet(day=params.day, consultant=marker.consultant, site_ids=marker.site_ids)
    audit_record(actor=request.auth, action=AuditAction.VIEW, citizen_ids=sheet.citizen_ids(),
                 object_repr=f"Fremmøde {params.day.isoformat()}", request=request)
    return {"day": sheet.day, "unmarked": sheet.unmarked, "appointments": [{
        "id": r.appointment.pk, "uid": str(r.appointment.uid), "kind": r.appointment.kind,
        "start": r.appointment.start, "end": r.appointment.end, "site": r.appointment.site_id,
        "consultants": sorted(c.pk for c in r.appointment.consultants.all()),
        "participants": [{"citizen": p.citizen.pk, "status": p.status, "marked": p.marked} for p in r.participants],
    } for r in sheet.rows]}


@router.post("/attendance", response={200: MarkedOut, **ERRORS}, operation_id="attendance_mark",
             summary="Markér fremmøde (holdt, udeblevet, afbud, aflyst af centret) / mark attendance")
def attendance_mark_api(request: HttpRequest, payload: MarksIn) -> dict[str, int]:
    marker = _marker(request, None)
    saved = attendance_mark(marker=marker, request=request,
                            marks=[Mark(m.appointment, m.citizen, m.status) for m in payload.marks])
    return {"saved": saved}


@router.get("/citizens/{citizen_id}/attendance", response={200: CitizenAttendanceOut, **ERRORS},
            operation_id="citizens_attendance",
            summary="Borgerens fremmøde pr. aktivitet og uge / a citizen's attendance by kind and week")
def citizens_attendance(request: HttpRequest, params: Query[PeriodQuery],
                        citizen_id: int = Path(..., ge=1, le=MAX_ID)) -> dict[str, Any]:
    scope = planner_scope(request)
    citizen = Citizen.objects.filter(pk=citizen_id).first()
    if citizen is None or not scope.sees_site(citizen.site_id):
        raise not_found()
    summary = citizen_attendance(citizen_ids=[citizen.pk], since=params.since, until=params.until)[citizen.pk]
    audit_record(actor=request.auth, action=AuditAction.VIEW, citizen_ids=[citizen.pk],
                 object_repr=f"Fremmøde borger {citizen.pk}", request=request)
    statuses = [*AttendanceStatus.values, PENDING]
    return {
        "citizen": citizen.pk, "attended": summary.attended, "missed": summary.missed, "rate": summary.rate,
        "by_kind_and_week": [{"kind": kind, "week": week, **{s: counts[s] for s in statuses}}
                             for (kind, week), counts in sorted(summary.by_kind_and_week().items(),
                                                                key=lambda item: (item[0][1], item[0][0]))],
    }


@router.post("/appointments/{appointment_id}/agreements", response={200: list[AgreementOut], **ERRORS},
             operation_id="appointments_agreements",
             summary="Mødets dagsorden og aftaler / a meeting's agenda and agreements")
def appointments_agreements(request: HttpRequest, payload: MeetingIn,
                            appointment_id: int = Path(..., ge=1, le=MAX_ID)) -> list[dict[str, Any]]:
    marker = _marker(request, None)
    made = meeting_record(
        marker=marker, appointment_id=appointment_id, citizen_id=payload.citizen, agenda=payload.agenda,
        retention_step=payload.retention_step, request=request,
        agreements=[AgreementIn(a.kind, a.due_by, a.responsible, a.text, a.next_kind, a.earliest)
                    for a in payload.agreements])
    return [{"id": a.pk, "made_on": a.made_on, "due_by": a.due_by, "kind": a.kind, "responsible": a.responsible,
             "text": a.text, "plain": agreement_text(a)} for a in made]


@router.get("/citizens/{citizen_id}/agreements", response={200: list[AgreementOut], **ERRORS},
            operation_id="citizens_agreements", summary="Borgerens aftaler / a citizen's agreements")
def citizens_agreements(request: HttpRequest, citizen_id: int = Path(..., ge=1, le=MAX_ID)) -> list[dict[str, Any]]:
    scope = planner_scope(request)
    citizen = Citizen.objects.filter(pk=citizen_id).first()
    if citizen is None or not scope.sees_site(citizen.site_id):
        raise not_found()
    lines = citizen_agreements(citizen_ids=[citizen.pk])[citizen.pk]
    audit_record(actor=request.auth, action=AuditAction.VIEW, citizen_ids=[citizen.pk],
                 object_repr=f"Aftaler borger {citizen.pk}", request=request)
    return [{"id": x.id, "made_on": x.made_on, "due_by": x.due_by, "kind": x.kind, "responsible": x.responsible,
             "text": x.text, "plain": x.plain} for x in lines]
