"""The overview: rule compliance, caseloads and planned hours for a site and week."""
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from scheduler.overview import consultant_loads, rule_compliance
from scheduler.web.access import coordinator_required, site_or_404
from scheduler.web.plan_views import _week, week_url
from scheduler.weeks import iso_week_label, week_title


@coordinator_required
@require_GET
def overview(request: HttpRequest, site_code: str, week_code: str) -> HttpResponse:
    site = site_or_404(request, site_code)
    week_start = _week(week_code)
    overdue, visits = rule_compliance(site_ids=[site.pk], week_start=week_start)
    return render(request, "coordinator/overview.html", {
        "site": site, "week_start": week_start, "week_code": iso_week_label(week_start),
        "week_title": week_title(week_start), "week_url": week_url(site, week_start),
        "overdue": overdue, "visits": visits, "groups": consultant_loads(site_ids=[site.pk], week_start=week_start),
    })
