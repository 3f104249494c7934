"""Closing an enrolment with an outcome, and its progress report (versions, PDF export, sign-off).

Thin and scoped like other citizen data: the coordinators of the citizen's site (and administrators);
consultants and others 403, other sites 404. Every read, change and export is audited.
"""
from datetime import date, datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Path, Router, Schema, Status
from pydantic import Field

from api.auth import planner_scope
from api.crud import MAX_ID
from api.errors import ERRORS, ApiError, not_found
from scheduler.audit import AuditAction, audit_record
from scheduler.models import Enrolment, ProgressReport
from scheduler.progress.selectors import enrolments_visible
from scheduler.reports.selectors import reports_visible
from scheduler.reports.services import enrolment_close, progress_report_generate, progress_report_sign_off

router = Router(tags=["Progressionsrapport / Progress report"])
ID = Path(..., ge=1, le=MAX_ID)


class TextsIn(Schema):
    resources: str = Field("", max_length=4000, description="Borgerens ressourcer / the citizen's resources")
    barriers: str = Field("", max_length=4000, description="Barrierer / barriers")
    possibilities: str = Field("", max_length=4000, description="Udviklingsmuligheder / development possibilities")
    recommendation: str = Field(..., max_length=4000, description="Konkret anbefaling / concrete recommendation")


class CloseIn(TextsIn):
    outcome: int = Field(..., ge=1, le=MAX_ID,
                         description="Et af indsatsmodellens udfald (id) / one of the model's outcomes (id)")
    end_date: date


class ReportOut(Schema):
    id: int
    enrolment: int
    version: int
    outcome: str
    created_at: datetime
    signed_off_at: datetime | None
    resources: str
    barriers: str
    possibilities: str
    recommendation: str
    pdf_url: str


def _out(report: ProgressReport) -> dict[str, Any]:
    return {"id": report.pk, "enrolment": report.enrolment_id, "version": report.version,
            "outcome": report.outcome_name, "created_at": report.created_at, "signed_off_at": report.signed_off_at,
            "resources": report.resources, "barriers": report.barriers, "possibilities": report.possibilities,
            "recommendation": report.recommendation, "pdf_url": f"/api/reports/{report.pk}/pdf"}


def _enrolment(request: HttpRequest, enrolment_id: int) -> Enrolment:
    scope = planner_scope(request)
    enrolment = enrolments_visible(scope).filter(pk=enrolment_id)
    if not scope.is_admin:
        enrolment = enrolment.filter(citizen__site_id__in=scope.site_ids)
    found = enrolment.first()
    if found is None:
        raise not_found()
    return found


def _report(request: HttpRequest, report_id: int) -> ProgressReport:
    scope = planner_scope(request)
    reports = reports_visible(scope).filter(pk=report_id)
    if not scope.is_admin:
        reports = reports.filter(enrolment__citizen__site_id__in=scope.site_ids)
    found = reports.first()
    if found is None:
        raise not_found()
    return found


def _audit(request: HttpRequest, citizen_id: int, action: str, what: str) -> None:
    audit_record(actor=request.auth, action=action, citizen_ids=[citizen_id], object_repr=what, request=request)


@router.post("/enrolments/{enrolment_id}/close", response={201: ReportOut, **ERRORS}, operation_id="enrolments_close",
             summary="Afslut et forløb med et udfald og dan progressionsrapporten / close with an outcome")
def enrolments_close(request: HttpRequest, payload: CloseIn, enrolment_id: int = ID) -> Status:
    enrolment = _enrolment(request, enrolment_id)
    texts = payload.dict(include={"resources", "barriers", "possibilities", "recommendation"})
    report = enrolment_close(enrolment=enrolment, outcome_id=payload.outcome, end_date=payload.end_date,
                             texts=texts, user=request.auth)
    _audit(request, enrolment.citizen_id, AuditAction.CHANGE, f"Forløb {enrolment.pk} afsluttet, rapport {report.pk}")
    return Status(201, _out(report))


@router.get("/enrolments/{enrolment_id}/reports", response={200: list[ReportOut], **ERRORS},
            operation_id="reports_list", summary="Rapportens versioner / the report's versions")
def reports_list(request: HttpRequest, enrolment_id: int = ID) -> list[dict[str, Any]]:
    enrolment = _enrolment(request, enrolment_id)
    _audit(request, enrolment.citizen_id, AuditAction.VIEW, f"Progressionsrapporter forløb {enrolment.pk}")
    return [_out(r) for r in enrolment.progress_reports.order_by("-version")]


@router.post("/enrolments/{enrolment_id}/reports", response={201: ReportOut, **ERRORS},
             operation_id="reports_generate", summary="Dan en ny version / make a new version")
def reports_generate(request: HttpRequest, payload: TextsIn, enrolment_id: int = ID) -> Status:
    enrolment = _enrolment(request, enrolment_id)
    if enrolment.outcome_id is None:
        raise ApiError(409, "Forløbet er ikke afsluttet endnu.", code="not_closed")
    report = progress_report_generate(enrolment=enrolment, texts=payload.dict(), user=request.auth)
    _audit(request, enrolment.citizen_id, AuditAction.CREATE, f"Progressionsrapport {report.pk} v{report.version}")
    return Status(201, _out(report))


@router.get("/reports/{report_id}/pdf", response={200: None, **ERRORS}, operation_id="reports_pdf",
            summary="Rapporten som PDF / the report as PDF", openapi_extra={
                "responses": {"200": {"description": "PDF", "content": {"application/pdf": {}}}}})
def reports_pdf(request: HttpRequest, report_id: int = ID) -> HttpResponse:
    report = _report(request, report_id)
    _audit(request, report.enrolment.citizen_id, AuditAction.EXPORT,
           f"Progressionsrapport {report.pk} v{report.version}")
    response = HttpResponse(bytes(report.pdf), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="progressionsrapport-{report.pk}-v{report.version}.pdf"'
    response["Cache-Control"] = "no-store"
    return response


@router.post("/reports/{report_id}/sign-off", response={200: ReportOut, **ERRORS}, operation_id="reports_sign_off",
             summary="Godkend den nyeste version / sign off the newest version")
def reports_sign_off(request: HttpRequest, report_id: int = ID) -> dict[str, Any]:
    report = _report(request, report_id)
    report = progress_report_sign_off(report=report, user=request.auth)
    _audit(request, report.enrolment.citizen_id, AuditAction.CHANGE, f"Progressionsrapport {report.pk} godkendt")
    return _out(report)
