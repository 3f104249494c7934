"""The weeks ahead: demand hours per site and staff type against the hours available (the chart's data)."""
from datetime import date

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from api.auth import planner_scope
from api.crud import parse_week, resolve_site
from api.errors import ERRORS
from scheduler.demand.forecast import load_forecast
from scheduler.weeks import iso_week_label

router = Router(tags=["Planer / Plans"])


class ForecastQuery(Schema):
    site: str = Field(..., max_length=60, description="Centrets kode eller id / site code or id")
    week: str = Field(..., max_length=10, description="Første uge / first ISO week, e.g. 2026-W49")
    weeks: int = Field(6, ge=1, le=8)


class ForecastOut(Schema):
    week: str
    week_start: date
    site: int
    staff_type: str
    demand_hours: float = Field(..., description="Timer opgaverne kræver / hours the due tasks need")
    available_hours: float = Field(..., description="Konsulenternes timer / the consultants' hours")
    tasks: int
    fits: bool


@router.get("", response={200: list[ForecastOut], **ERRORS}, operation_id="forecast_read",
            summary="De kommende uger: behov mod timer / the weeks ahead: demand against hours")
def forecast_read(request: HttpRequest, params: Query[ForecastQuery]) -> list[dict]:
    scope = planner_scope(request)
    site_id = resolve_site(params.site, scope)
    week_start = parse_week(params.week)
    return [{
        "week": iso_week_label(r.week_start),
        "week_start": r.week_start, "site": r.site_id, "staff_type": r.staff_type, "demand_hours": r.demand_hours,
        "available_hours": r.available_hours, "tasks": r.tasks, "fits": r.fits,
    } for r in load_forecast(site_ids=[site_id], week_start=week_start, weeks=params.weeks)]
