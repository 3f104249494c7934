"""Progress measurements: read and record one enrolment's scores, and the centre's distribution.

Thin: the scope (scheduler.progress.selectors.enrolments_visible) decides who sees an enrolment — its
sites' coordinators and its contact consultant; the distribution names nobody. Reads and writes are audited.
"""
from dataclasses import asdict
from datetime import date
from typing import Any

from django.db.models import Q
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Path, Query, Router, Schema, Status
from pydantic import Field

from api.auth import scope_of
from api.crud import MAX_ID
from api.errors import ERRORS, FieldErrors, forbidden, not_found
from rooms.models import Site
from scheduler.access import Scope
from scheduler.audit import AuditAction, audit_record
from scheduler.models import INDICATORS, Enrolment
from scheduler.progress.selectors import (
    Series,
    enrolment_visible,
    progress_distribution,
    progress_series,
    progress_site_ids,
    stability_suggestion,
)
from scheduler.progress.services import progress_measurement_record

router = Router(tags=["Progression / Progress"])
ENROLMENT_ID = Path(..., ge=1, le=MAX_ID)


class IndicatorOut(Schema):
    code: str
    group: str
    label: str


class MeasurementOut(Schema):
    id: int
    measured_on: date
    difficult_period: bool = Field(description="Markeret som svær periode / flagged as a difficult period")
    difficult: bool = Field(description="Svær periode: markeret, eller et gruppegennemsnit faldt ≥ 1 / "
                                        "flagged, or a group mean fell by 1 or more")
    note: str
    scores: dict[str, int]
    group_means: dict[str, float]


class SuggestionOut(Schema):
    score: int = Field(description="Foreslået mødestabilitet 1–10 / suggested attendance stability")
    held: int
    settled: int = Field(description="Holdt + udeblevet + afbud / held + no-show + afbud")
    since: date


class ProgressOut(Schema):
    enrolment: int
    citizen: int
    stability_suggestion: SuggestionOut | None = Field(
        None, description="Mødestabilitet ud fra fremmødet siden sidste måling / from attendance since the last")
    indicators: list[IndicatorOut]
    measurements: list[MeasurementOut]
    difficult_periods: list[tuple[date, date]]


class MeasurementIn(Schema):
    measured_on: date
    scores: dict[str, int] = Field(..., description="Alle 12 indikatorer, 1–10 / all 12 indicator codes, 1–10")
    difficult_period: bool = False
    note: str = Field("", max_length=500)


class DistributionQuery(Schema):
    site: str | None = Field(None, max_length=60, description="Centrets kode eller id / site code or id")


class DistributionRowOut(Schema):
    site: str
    target_group: str
    enrolments: int
    measured: int
    histogram: list[int] = Field(description="Seneste gennemsnit i 1–2, 3–4, 5–6, 7–8, 9–10 / latest mean in bins")
    median_latest: float | None
    group_medians: dict[str, float | None]
    median_change: float | None
    improved: int
    with_change: int


def _series_out(enrolment: Enrolment, series: Series) -> dict[str, Any]:
    suggestion = stability_suggestion(enrolment, series)
    return {
        "enrolment": enrolment.pk, "citizen": enrolment.citizen_id,
        "stability_suggestion": asdict(suggestion) if suggestion else None,
        "indicators": [{"code": i.code, "group": i.group, "label": i.label} for i in INDICATORS],
        "measurements": [
            {"id": p.measurement_id, "measured_on": p.measured_on, "difficult_period": p.flagged,
             "difficult": p.difficult, "note": p.note, "scores": p.scores, "group_means": p.group_means}
            for p in series.points
        ],
        "difficult_periods": series.difficult_periods(),
    }


def _enrolment(request: HttpRequest, enrolment_id: int) -> Enrolment:
    scope = _staff(request)
    enrolment = enrolment_visible(scope, enrolment_id)
    if enrolment is None:
        raise not_found()
    return enrolment


def _site(value: str, site_ids: set[int]) -> int:
    query = Q(code=value)
    if value.isdigit() and int(value) < MAX_ID:
        query |= Q(pk=int(value))
    site_id = Site.objects.filter(query).values_list("pk", flat=True).first()
    if site_id is None or site_id not in site_ids:
        raise FieldErrors([("site", _("Ukendt center: %(value)s") % {"value": value[:60]})])
    return site_id


def _staff(request: HttpRequest) -> Scope:
    scope = scope_of(request)
    if not scope.is_planner and scope.consultant_id is None:
        raise forbidden()
    return scope


@router.get("/enrolments/{enrolment_id}/progress", response={200: ProgressOut, **ERRORS},
            operation_id="progress_read", summary="Et forløbs progressionsmålinger / an enrolment's progress")
def progress_read(request: HttpRequest, enrolment_id: int = ENROLMENT_ID) -> dict[str, Any]:
    enrolment = _enrolment(request, enrolment_id)
    audit_record(actor=request.auth, action=AuditAction.VIEW, citizen_ids=[enrolment.citizen_id],
                 object_repr=f"Progression forløb {enrolment.pk}", request=request)
    return _series_out(enrolment, progress_series(enrolment))


@router.post("/enrolments/{enrolment_id}/progress", response={201: ProgressOut, **ERRORS},
             operation_id="progress_record",
             summary="Registrér en progressionsmåling / record a progress measurement")
def progress_record(request: HttpRequest, payload: MeasurementIn, enrolment_id: int = ENROLMENT_ID) -> Status:
    enrolment = _enrolment(request, enrolment_id)
    measurement = progress_measurement_record(
        enrolment=enrolment, measured_on=payload.measured_on, scores=payload.scores,
        difficult_period=payload.difficult_period, note=payload.note, user=request.auth,
    )
    audit_record(actor=request.auth, action=AuditAction.CHANGE, citizen_ids=[enrolment.citizen_id],
                 object_repr=f"Progressionsmåling {measurement.pk}", request=request)
    return Status(201, _series_out(enrolment, progress_series(enrolment)))


@router.get("/progress/distribution", response={200: list[DistributionRowOut], **ERRORS},
            operation_id="progress_distribution",
            summary="Progression pr. center og målgruppe, uden navne / progress per site and target group")
def progress_distribution_read(request: HttpRequest, params: Query[DistributionQuery]) -> list[dict[str, Any]]:
    site_ids = progress_site_ids(_staff(request))
    if params.site:
        site_ids = {_site(params.site, site_ids)}
    return [
        {"site": r.site_code, "target_group": r.target_group, "enrolments": r.enrolments, "measured": r.measured,
         "histogram": r.histogram, "median_latest": r.median_latest, "group_medians": r.group_medians,
         "median_change": r.median_change, "improved": r.improved, "with_change": len(r.changes)}
        for r in progress_distribution(site_ids=site_ids)
    ]
