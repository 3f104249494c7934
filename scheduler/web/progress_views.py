"""Progress measurement screens: one citizen's scores and chart (their coordinator, or the consultant who
is their contact person), and the centre's distribution per site and target group (names never shown).

Views only validate, call one service or selector and render; reads and writes are audited.
"""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Max
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from scheduler.access import Scope, request_scope
from scheduler.audit import AuditAction, audit_record
from scheduler.errors import DomainError
from scheduler.models import INDICATORS, EnrolmentStatus, ProgressGroup
from scheduler.progress.chart import chart_svg
from scheduler.progress.selectors import (
    BINS,
    enrolment_visible,
    enrolments_visible,
    progress_distribution,
    progress_series,
    progress_site_ids,
    stability_suggestion,
)
from scheduler.progress.services import progress_measurement_record
from scheduler.web.errors import domain_error_show
from scheduler.web.forms import ProgressForm

OWN_LIMIT = 300


def _staff_scope(request: HttpRequest) -> Scope:
    """Coordinators, administrators and consultants with a login; anyone else 403."""
    scope = request_scope(request)
    if not scope.is_planner and scope.consultant_id is None:
        raise PermissionDenied
    return scope


def _initial(series_points: list) -> dict[str, object]:
    initial: dict[str, object] = {"measured_on": timezone.localdate()}
    if series_points:  # start from the last scores: small steps are easier to see
        initial |= {f"score_{code}": value for code, value in series_points[-1].scores.items()}
    return initial


@login_required
def progress_enrolment(request: HttpRequest, pk: int) -> HttpResponse:
    scope = _staff_scope(request)
    enrolment = enrolment_visible(scope, pk)
    if enrolment is None:
        raise Http404
    citizen_ids = [enrolment.citizen_id]
    series = progress_series(enrolment)
    suggestion = stability_suggestion(enrolment, series)
    initial = _initial(series.points)
    if suggestion is not None:
        initial["score_moedestabilitet"] = suggestion.score
    form = ProgressForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            measurement = progress_measurement_record(
                enrolment=enrolment, measured_on=form.cleaned_data["measured_on"], scores=form.scores(),
                difficult_period=form.cleaned_data["difficult_period"], note=form.cleaned_data["note"],
                user=request.user,
            )
        except DomainError as error:
            domain_error_show(request, error)
        else:
            audit_record(actor=request.user, action=AuditAction.CHANGE, citizen_ids=citizen_ids,
                         object_repr=f"Progressionsmåling {measurement.pk}", request=request)
            messages.success(request, _("Målingen er gemt."))
            return redirect("web:progress_enrolment", pk)
    audit_record(actor=request.user, action=AuditAction.VIEW, citizen_ids=citizen_ids,
                 object_repr=f"Progression forløb {enrolment.pk}", request=request)
    rows = [(ind, [p.scores.get(ind.code) for p in series.points]) for ind in INDICATORS]
    return render(request, "coordinator/progress.html", {
        "enrolment": enrolment, "series": series, "form": form, "rows": rows,
        "chart": mark_safe(chart_svg(series)) if series.points else "",  # built from numbers and escaped labels
        "periods": series.difficult_periods(), "change": series.change(),
        "suggestion": suggestion,
        "may_close": scope.is_planner and scope.sees_site(enrolment.citizen.site_id),
    })


@login_required
def progress_centre(request: HttpRequest) -> HttpResponse:
    """Counts and medians only: the page names nobody, so consultants see the sites they serve too."""
    scope = _staff_scope(request)
    rows = progress_distribution(site_ids=progress_site_ids(scope))
    own = list(enrolments_visible(scope).filter(status=EnrolmentStatus.ACTIVE)
               .annotate(last_measured=Max("progress_measurements__measured_on"))
               .order_by("citizen__site__name", "citizen__last_name", "citizen__first_name")[:OWN_LIMIT])
    audit_record(actor=request.user, action=AuditAction.VIEW, citizen_ids=[e.citizen_id for e in own],
                 object_repr=f"Progression centerliste ({len(own)})", request=request)
    bins = [f"{lo}–{hi - 1}" if hi <= 10 else f"{lo}–10" for lo, hi in BINS]
    return render(request, "coordinator/progress_centre.html", {
        "rows": rows, "bins": bins, "groups": [str(g.label) for g in ProgressGroup],
        "own": own,
    })
