"""Outcome statistics for coordinators: a page with a plot, and the same rows as CSV (no names)."""
from __future__ import annotations

from datetime import date, timedelta

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET

from scheduler.statistics.selectors import DIMENSIONS, outcome_statistics, outcome_statistics_csv, share_plot_svg
from scheduler.web.access import coordinator_required, visible_site_ids


def _params(request: HttpRequest) -> tuple[str, date, date]:
    by = request.GET.get("efter", "center")
    by = by if by in DIMENSIONS else "center"
    today = timezone.localdate()

    def day(name: str, default: date) -> date:
        try:
            return date.fromisoformat(request.GET.get(name, "")[:10])
        except ValueError:
            return default

    since, until = day("fra", today - timedelta(days=365)), day("til", today)
    return by, min(since, until), max(since, until)


@coordinator_required
@require_GET
def outcome_statistics_page(request: HttpRequest) -> HttpResponse:
    by, since, until = _params(request)
    rows, total = outcome_statistics(site_ids=visible_site_ids(request), by=by, since=since, until=until)
    return render(request, "coordinator/statistics.html", {
        "rows": rows, "total": total, "by": by, "by_label": DIMENSIONS[by], "dimensions": DIMENSIONS,
        "since": since, "until": until,
        # built from numbers and escaped labels
        "plot": mark_safe(share_plot_svg([*rows, total], total.goal)) if rows else "",
    })


@coordinator_required
@require_GET
def outcome_statistics_csv_view(request: HttpRequest) -> HttpResponse:
    by, since, until = _params(request)
    rows, total = outcome_statistics(site_ids=visible_site_ids(request), by=by, since=since, until=until)
    response = HttpResponse(outcome_statistics_csv(rows, total, by), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="udfald-{by}-{since}-{until}.csv"'
    return response
