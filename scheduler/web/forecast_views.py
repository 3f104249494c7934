"""The weeks ahead: demand hours per staff type against the hours available, as a chart and a table."""
from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from scheduler.demand.forecast import ForecastRow, load_forecast
from scheduler.web.access import coordinator_required, site_or_404
from scheduler.web.plan_views import _week, week_url
from scheduler.weeks import iso_week_label, week_title

CHART_HEIGHT = 160
BAR_WIDTH = 28
GAP = 18


@dataclass(frozen=True)
class Bar:
    row: ForecastRow
    x: int
    demand_y: int
    demand_h: int
    available_y: int
    label: str


def _chart(rows: list[ForecastRow]) -> tuple[list[Bar], int]:
    top = max([r.demand_hours for r in rows] + [r.available_hours for r in rows] + [1.0])
    bars = []
    for i, r in enumerate(rows):
        h = round(CHART_HEIGHT * r.demand_hours / top)
        bars.append(Bar(r, GAP + i * (BAR_WIDTH + GAP), CHART_HEIGHT - h, h,
                        CHART_HEIGHT - round(CHART_HEIGHT * r.available_hours / top),
                        f"uge {r.week_start.isocalendar().week}"))
    return bars, GAP + len(rows) * (BAR_WIDTH + GAP)


@coordinator_required
@require_GET
def forecast(request: HttpRequest, site_code: str, week_code: str) -> HttpResponse:
    site = site_or_404(request, site_code)
    week_start = _week(week_code)
    try:
        weeks = min(8, max(4, int(request.GET.get("uger", "6"))))
    except ValueError:
        weeks = 6
    rows = load_forecast(site_ids=[site.pk], week_start=week_start, weeks=weeks)
    charts = []
    for code in dict.fromkeys(r.staff_type for r in rows):
        mine = [r for r in rows if r.staff_type == code]
        bars, width = _chart(mine)
        charts.append({"name": mine[0].staff_type_name, "bars": bars, "width": width,
                       "over": [r for r in mine if not r.fits]})
    return render(request, "coordinator/forecast.html", {
        "site": site, "week_code": iso_week_label(week_start), "week_title": week_title(week_start),
        "week_url": week_url(site, week_start), "weeks": weeks, "charts": charts, "height": CHART_HEIGHT,
        "bar_width": BAR_WIDTH, "week_choices": (4, 6, 8),
    })
