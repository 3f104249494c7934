"""Closing an enrolment and its progress report: the coordinator records the outcome and the texts, the
report is made as a versioned PDF, regenerated and signed off. Coordinators of the citizen's site only;
every view, change and download is audited.
"""
from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from scheduler.access import request_scope
from scheduler.audit import AuditAction, audit_record
from scheduler.errors import DomainError
from scheduler.models import Enrolment, EnrolmentStatus, ProgressReport
from scheduler.progress.selectors import enrolments_visible
from scheduler.reports.selectors import report_content, reports_visible
from scheduler.reports.services import enrolment_close, progress_report_generate, progress_report_sign_off
from scheduler.web.access import coordinator_required, visible_site_ids
from scheduler.web.errors import domain_error_show
from scheduler.web.forms import CloseForm, ReportTextsForm


def _enrolment(request: HttpRequest, pk: int) -> Enrolment:
    scope = request_scope(request)
    enrolment = enrolments_visible(scope).filter(pk=pk, citizen__site_id__in=_planner_sites(request)).first()
    if enrolment is None:
        raise Http404
    return enrolment


def _planner_sites(request: HttpRequest) -> list[int]:
    return list(visible_site_ids(request))


def _audit(request: HttpRequest, enrolment: Enrolment, action: str, what: str) -> None:
    audit_record(actor=request.user, action=action, citizen_ids=[enrolment.citizen_id], object_repr=what,
                 request=request)


@coordinator_required
def enrolment_close_view(request: HttpRequest, pk: int) -> HttpResponse:
    enrolment = _enrolment(request, pk)
    if enrolment.status == EnrolmentStatus.ENDED and enrolment.outcome_id:
        return redirect("web:progress_report", pk)
    form = CloseForm(request.POST or None, enrolment=enrolment, initial={"end_date": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            report = enrolment_close(enrolment=enrolment, outcome_id=form.cleaned_data["outcome"].pk,
                                     end_date=form.cleaned_data["end_date"], texts=form.texts(), user=request.user)
        except DomainError as error:
            domain_error_show(request, error)
        else:
            _audit(request, enrolment, AuditAction.CHANGE, f"Forløb {enrolment.pk} afsluttet, rapport {report.pk}")
            messages.success(request, _("Forløbet er afsluttet, og progressionsrapporten er dannet."))
            return redirect("web:progress_report", pk)
    content = report_content(enrolment)
    _audit(request, enrolment, AuditAction.VIEW, f"Afslut forløb {enrolment.pk}")
    return render(request, "coordinator/enrolment_close.html", {
        "enrolment": enrolment, "form": form, "content": content,
    })


@coordinator_required
def progress_report(request: HttpRequest, pk: int) -> HttpResponse:
    """The report's versions; POST makes a new version from the (edited) texts."""
    enrolment = _enrolment(request, pk)
    reports = list(enrolment.progress_reports.order_by("-version"))
    latest = reports[0] if reports else None
    initial = {key: getattr(latest, key) for key in ("resources", "barriers", "possibilities", "recommendation")} \
        if latest else {}
    form = ReportTextsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            report = progress_report_generate(enrolment=enrolment, texts=form.cleaned_data, user=request.user)
        except DomainError as error:
            domain_error_show(request, error)
        else:
            _audit(request, enrolment, AuditAction.CREATE, f"Progressionsrapport {report.pk} v{report.version}")
            messages.success(request, _("Version %(v)s er dannet.") % {"v": report.version})
            return redirect("web:progress_report", pk)
    _audit(request, enrolment, AuditAction.VIEW, f"Progressionsrapporter forløb {enrolment.pk}")
    return render(request, "coordinator/progress_report.html", {
        "enrolment": enrolment, "reports": reports, "latest": latest, "form": form,
    })


def _report(request: HttpRequest, pk: int) -> ProgressReport:
    report = reports_visible(request_scope(request)).filter(
        pk=pk, enrolment__citizen__site_id__in=_planner_sites(request)).first()
    if report is None:
        raise Http404
    return report


@coordinator_required
@require_POST
def progress_report_sign(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report(request, pk)
    try:
        progress_report_sign_off(report=report, user=request.user)
    except DomainError as error:
        domain_error_show(request, error)
    else:
        _audit(request, report.enrolment, AuditAction.CHANGE, f"Progressionsrapport {report.pk} godkendt")
        messages.success(request, _("Version %(v)s er godkendt.") % {"v": report.version})
    return redirect("web:progress_report", report.enrolment_id)


@coordinator_required
@require_GET
def progress_report_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report(request, pk)
    _audit(request, report.enrolment, AuditAction.EXPORT, f"Progressionsrapport {report.pk} v{report.version}")
    response = HttpResponse(bytes(report.pdf), content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="progressionsrapport-{report.enrolment.citizen.reference}-v{report.version}.pdf"')
    response["Cache-Control"] = "no-store"
    return response
