"""Recording what a talk or round table ended with: its agenda, the retention plan's step (round tables
with an employed citizen) and short dated agreements. An agreed next meeting becomes an ActivityRequest
with a window (from `earliest`, by default a week before the agreed date, to the agreed date): the planner
places it like any requested activity, and it takes the place of the model rule's own talk in the weeks
its window is open (scheduler.demand.demand). Who may record: as for attendance, the consultant who held
the appointment or a coordinator of its site (scheduler.attendance.services.Marker). Audited here."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from activities.models import ActivityKind, ActivityRule, Internship, InternshipKind
from scheduler.attendance.services import Marker
from scheduler.audit import AuditAction, audit_record
from scheduler.errors import DomainError
from scheduler.models import (
    ActivityRequest,
    Agreement,
    AgreementKind,
    Appointment,
    Enrolment,
    MeetingNote,
    RequestStatus,
    Responsible,
    RetentionStep,
)

MEETING_KINDS = (ActivityKind.START_TALK, ActivityKind.TALK, ActivityKind.ROUNDTABLE, ActivityKind.S7A,
                 ActivityKind.STEPUP)
NEXT_KINDS = (ActivityKind.TALK, ActivityKind.ROUNDTABLE, ActivityKind.S7A, ActivityKind.STEPUP)
DEFAULT_WINDOW_DAYS = 7


class AgreementError(DomainError):
    code = "agreement_error"


@dataclass(frozen=True)
class AgreementIn:
    kind: str
    due_by: date
    responsible: str = ""
    text: str = ""
    next_kind: str = ""
    earliest: date | None = None


def _enrolment_for(appointment: Appointment, citizen_id: int, day: date) -> Enrolment:
    if appointment.enrolment_id and appointment.enrolment.citizen_id == citizen_id:
        return appointment.enrolment
    # The running enrolment first ("active" sorts before "ended"), else the latest.
    found = (Enrolment.objects.filter(citizen_id=citizen_id, start_date__lte=day)
             .order_by("status", "-start_date").first())
    if found is None:
        raise AgreementError(_("Borgeren har intet forløb at knytte aftalen til."), code="no_enrolment",
                             field="citizen")
    return found


def employed(enrolment: Enrolment, day: date) -> bool:
    """In a partial return to their own job on the day: the round table's retention plan applies."""
    return Internship.objects.filter(enrolment=enrolment, kind=InternshipKind.PARTIAL_RETURN,
                                     start_date__lte=day).exclude(end_date__lt=day).exists()


def _check(item: AgreementIn, held_on: date) -> None:
    if item.kind not in AgreementKind.values:
        raise AgreementError(_("Ukendt type aftale."), code="unknown_kind", field="kind")
    if item.due_by < held_on:
        raise AgreementError(_("'Senest' kan ikke ligge før mødet."), code="due_before_meeting", field="due_by")
    if item.kind == AgreementKind.TASK:
        if item.responsible not in Responsible.values or not item.text.strip():
            raise AgreementError(_("En opgave skal have en ansvarlig og en tekst."), code="task_incomplete",
                                 field="text")
    elif item.next_kind not in NEXT_KINDS:
        raise AgreementError(_("Næste møde skal være en samtale, rundbordssamtale, §7a- eller step-up-samtale."),
                             code="unknown_next_kind", field="next_kind")


def _request_for(enrolment: Enrolment, item: AgreementIn, held_on: date) -> ActivityRequest:
    earliest = item.earliest or item.due_by - timedelta(days=DEFAULT_WINDOW_DAYS)
    earliest = min(max(earliest, held_on + timedelta(days=1)), item.due_by)
    rule = ActivityRule.objects.filter(phase_id=enrolment.current_phase_id, kind=item.next_kind).first()
    duration = rule.duration_minutes if rule else (90 if item.next_kind == ActivityKind.ROUNDTABLE else 60)
    request = ActivityRequest(enrolment=enrolment, kind=item.next_kind, earliest=earliest, due_by=item.due_by,
                              duration_minutes=duration, note=_("Aftalt ved mødet %(day)s") % {
                                  "day": f"{held_on:%d.%m.}"})
    request.full_clean()
    request.save()
    return request


@transaction.atomic
def meeting_record(*, marker: Marker, appointment_id: int, citizen_id: int, agreements: list[AgreementIn],
                   agenda: str = "", retention_step: str = "", request: HttpRequest | None = None) -> list[Agreement]:
    """Store the meeting's agenda and retention step (if given) and its agreements; returns the new ones."""
    appointment = (marker.appointments().filter(pk=appointment_id).select_related("enrolment")
                   .prefetch_related("citizens").first())
    if appointment is None:
        raise AgreementError(_("Aftaler kan kun skrives på dine egne, offentliggjorte møder, efter de er begyndt."),
                             code="not_markable", field="appointment")
    if appointment.kind not in MEETING_KINDS:
        raise AgreementError(_("Aftaler hører til samtaler og rundbordssamtaler."), code="not_a_meeting",
                             field="appointment")
    if citizen_id not in {z.pk for z in appointment.citizens.all()}:
        raise AgreementError(_("Borgeren deltager ikke i aftalen."), code="not_a_participant", field="citizen")
    held_on = timezone.localtime(appointment.start).date()
    enrolment = _enrolment_for(appointment, citizen_id, held_on)
    if retention_step:
        if retention_step not in RetentionStep.values or appointment.kind != ActivityKind.ROUNDTABLE:
            raise AgreementError(_("Fastholdelsesplanens trin hører til rundbordssamtaler."),
                                 code="retention_step_not_here", field="retention_step")
        if not employed(enrolment, held_on):
            raise AgreementError(_("Fastholdelsesplanen gælder borgere i delvis raskmelding fra eget job."),
                                 code="not_employed", field="retention_step")
    user = marker.user if getattr(marker.user, "pk", None) else None
    if agenda.strip() or retention_step:
        note = MeetingNote.objects.filter(appointment_uid=appointment.uid).first() or MeetingNote(
            appointment_uid=appointment.uid)
        note.enrolment, note.kind, note.held_on = enrolment, appointment.kind, held_on
        note.agenda, note.retention_step, note.updated_by = agenda.strip(), retention_step, user
        _clean(note)
        note.save()
    made = []
    for item in agreements:
        _check(item, held_on)
        agreement = Agreement(enrolment=enrolment, appointment_uid=appointment.uid, made_on=held_on, kind=item.kind,
                              responsible=item.responsible if item.kind == AgreementKind.TASK else "",
                              text=item.text.strip(), due_by=item.due_by,
                              next_kind=item.next_kind if item.kind == AgreementKind.NEXT_MEETING else "",
                              created_by=user, created_by_consultant=marker.consultant)
        _clean(agreement)
        if item.kind == AgreementKind.NEXT_MEETING:
            agreement.request = _request_for(enrolment, item, held_on)
        agreement.save()
        made.append(agreement)
    audit_record(actor=marker.actor, action=AuditAction.CHANGE, citizen_ids=[citizen_id],
                 object_repr=f"Aftaler aftale {appointment.pk}: {len(made)} nye", request=request)
    return made


def _clean(obj: MeetingNote | Agreement) -> None:
    try:
        obj.full_clean(exclude=["enrolment", "request"])
    except ValidationError as error:
        field, messages = next(iter(error.message_dict.items()))
        raise AgreementError(messages[0], code="invalid", field=field) from None


@transaction.atomic
def agreement_delete(*, marker: Marker, appointment_id: int, agreement_id: int,
                     request: HttpRequest | None = None) -> None:
    """Remove an agreement written by mistake at this meeting (one the marker may write on). A next
    meeting it ordered is cancelled while the planner has not placed it yet; a planned one stays."""
    appointment = marker.appointments().filter(pk=appointment_id, kind__in=MEETING_KINDS).first()
    agreement = (Agreement.objects.filter(pk=agreement_id, appointment_uid=appointment.uid)
                 .select_related("enrolment", "request").first() if appointment is not None else None)
    if agreement is None:
        raise AgreementError(_("Aftalen findes ikke ved dette møde."), code="not_found", field="agreement")
    ordered = agreement.request
    if ordered is not None and ordered.status == RequestStatus.OPEN and not ordered.agreements.exclude(
            pk=agreement.pk).exists():
        ordered.status = RequestStatus.CANCELLED
        ordered.save(update_fields=["status"])
    citizen_id = agreement.enrolment.citizen_id
    agreement.delete()
    audit_record(actor=marker.actor, action=AuditAction.DELETE, citizen_ids=[citizen_id],
                 object_repr=f"Aftaler aftale {appointment_id}: aftale {agreement_id} slettet", request=request)


def agreement_done(*, marker: Marker, appointment_id: int, agreement_id: int, done: bool = True,
                   request: HttpRequest | None = None) -> Agreement:
    """Mark an agreement of this meeting done today (or not done again)."""
    appointment = marker.appointments().filter(pk=appointment_id, kind__in=MEETING_KINDS).first()
    agreement = (Agreement.objects.filter(pk=agreement_id, appointment_uid=appointment.uid)
                 .select_related("enrolment").first() if appointment is not None else None)
    if agreement is None:
        raise AgreementError(_("Aftalen findes ikke ved dette møde."), code="not_found", field="agreement")
    agreement.done_on = timezone.localdate() if done else None
    agreement.save(update_fields=["done_on"])
    audit_record(actor=marker.actor, action=AuditAction.CHANGE, citizen_ids=[agreement.enrolment.citizen_id],
                 object_repr=f"Aftaler aftale {appointment_id}: aftale {agreement_id} "
                             f"{'udført' if done else 'ikke udført'}", request=request)
    return agreement
