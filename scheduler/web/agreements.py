"""The page where a meeting's agreements are written, shared by the consultant's secret link and the
logged-in consultant or coordinator: the participant, the agenda and retention step (round tables), the
agreed next meeting and up to three tasks. Calls scheduler.agreements.services.meeting_record."""
from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils import timezone

from activities.models import ActivityKind
from scheduler.agreements.selectors import citizen_agreements
from scheduler.agreements.services import (
    MEETING_KINDS,
    NEXT_KINDS,
    AgreementError,
    AgreementIn,
    agreement_delete,
    agreement_done,
    meeting_record,
)
from scheduler.attendance.services import Marker
from scheduler.audit import AuditAction, audit_record
from scheduler.models import MeetingNote, Responsible, RetentionStep
from scheduler.publishing.feeds import citizen_label

TASK_ROWS = 3
DATE = forms.DateInput(attrs={"type": "date"})


class MeetingForm(forms.Form):
    citizen = forms.TypedChoiceField(label="Borger", coerce=int)
    agenda = forms.CharField(label="Dagsorden", required=False, max_length=2000, widget=forms.Textarea(attrs={
        "rows": 3}))
    retention_step = forms.ChoiceField(label="Fastholdelsesplan: trin", required=False,
                                       choices=[("", "—"), *RetentionStep.choices])
    next_kind = forms.ChoiceField(label="Mødetype", required=False, choices=[
        ("", "—"), *[(k, ActivityKind(k).label) for k in NEXT_KINDS]])
    next_due = forms.DateField(label="Næste møde senest", required=False, widget=DATE)
    next_earliest = forms.DateField(label="Tidligst", required=False, widget=DATE)

    def __init__(self, *args: Any, participants: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["citizen"].choices = participants
        for n in range(TASK_ROWS):
            self.fields[f"task{n}_who"] = forms.ChoiceField(label=f"Opgave {n + 1}: hvem", required=False,
                                                            choices=[("", "—"), *Responsible.choices])
            self.fields[f"task{n}_text"] = forms.CharField(label=f"Opgave {n + 1}", required=False, max_length=300)
            self.fields[f"task{n}_due"] = forms.DateField(label=f"Opgave {n + 1} senest", required=False, widget=DATE)

    def agreements(self) -> list[AgreementIn]:
        data, out = self.cleaned_data, []
        if data.get("next_kind") and data.get("next_due"):
            out.append(AgreementIn("next_meeting", data["next_due"], next_kind=data["next_kind"],
                                   earliest=data.get("next_earliest")))
        for n in range(TASK_ROWS):
            if data.get(f"task{n}_text") or data.get(f"task{n}_who"):
                due: date | None = data.get(f"task{n}_due")
                out.append(AgreementIn("task", due or timezone.localdate(), responsible=data.get(f"task{n}_who", ""),
                                       text=data.get(f"task{n}_text", "")))
        return out

    def task_rows(self) -> list[tuple[Any, Any, Any]]:
        return [(self[f"task{n}_who"], self[f"task{n}_text"], self[f"task{n}_due"]) for n in range(TASK_ROWS)]


def agreements_page(request: HttpRequest, *, marker: Marker, appointment_id: int, back_url: str,
                    full_names: bool = True) -> HttpResponse:
    appointment = marker.appointments().filter(pk=appointment_id, kind__in=MEETING_KINDS).prefetch_related(
        "citizens").first()
    if appointment is None:
        raise Http404
    citizens = sorted(appointment.citizens.all(), key=lambda z: (z.last_name, z.first_name, z.pk))
    participants = [(z.pk, f"{z.first_name} {z.last_name}" if full_names else citizen_label(z)) for z in citizens]
    form = MeetingForm(request.POST or None, participants=participants,
                       initial={"citizen": participants[0][0] if participants else None})
    error = ""
    remove, done, undone = (request.POST.get(k, "") for k in ("remove", "done", "undone"))
    if request.method == "POST" and (remove.isdigit() or done.isdigit() or undone.isdigit()):
        try:
            if remove.isdigit():
                agreement_delete(marker=marker, appointment_id=appointment.pk, agreement_id=int(remove),
                                 request=request)
                return HttpResponseRedirect(f"{request.path}?slettet=1")
            agreement_done(marker=marker, appointment_id=appointment.pk, agreement_id=int(done or undone),
                           done=done.isdigit(), request=request)
            return HttpResponseRedirect(request.path)
        except AgreementError as refused:
            error = refused.message
        form = MeetingForm(None, participants=participants,
                           initial={"citizen": participants[0][0] if participants else None})
    elif request.method == "POST" and form.is_valid():
        try:
            made = meeting_record(marker=marker, appointment_id=appointment.pk, citizen_id=form.cleaned_data["citizen"],
                                  agreements=form.agreements(), agenda=form.cleaned_data["agenda"],
                                  retention_step=form.cleaned_data["retention_step"], request=request)
            return HttpResponseRedirect(f"{request.path}?gemt={len(made)}")
        except AgreementError as refused:
            error = refused.message
    ids = [z.pk for z in citizens]
    audit_record(actor=marker.actor, action=AuditAction.VIEW, citizen_ids=ids,
                 object_repr=f"Aftaler aftale {appointment.pk}", request=request)
    existing = [line for lines in citizen_agreements(citizen_ids=ids).values() for line in lines
                if line.made_on == timezone.localtime(appointment.start).date()]
    context = {
        "a": appointment, "form": form, "error": error, "saved": request.GET.get("gemt", "").isdigit(),
        "removed": request.GET.get("slettet") == "1",
        "existing": existing, "note": MeetingNote.objects.filter(appointment_uid=appointment.uid).first(),
        "roundtable": appointment.kind == ActivityKind.ROUNDTABLE, "back_url": back_url,
    }
    response = render(request, "attendance/agreements.html", context, status=422 if error else 200)
    response["Cache-Control"] = "private, no-cache"
    response["Referrer-Policy"] = "same-origin"
    return response
