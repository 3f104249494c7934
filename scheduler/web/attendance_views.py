"""Attendance for logged-in staff: a consultant marks their own appointments, a coordinator those of
a site (?center=), one at a time, a group session's list or the rest of a day."""
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_http_methods

from scheduler.access import request_scope
from scheduler.attendance.services import Marker
from scheduler.models import Consultant
from scheduler.web.access import visible_sites
from scheduler.web.agreements import agreements_page
from scheduler.web.attendance import attendance_page


def _staff_marker(request: HttpRequest, site_ids: frozenset[int] | None) -> Marker:
    scope = request_scope(request)
    if scope.is_planner:
        return Marker(actor=request.user, user=request.user, site_ids=site_ids)
    if scope.consultant_id is None:
        raise PermissionDenied
    consultant = Consultant.objects.get(pk=scope.consultant_id)
    return Marker(actor=request.user, user=request.user, consultant=consultant)


@login_required
@require_http_methods(["GET", "POST"])
def meeting_agreements(request: HttpRequest, pk: int) -> HttpResponse:
    """Agreements of one meeting: a consultant's own, a coordinator's sites' (others: 404)."""
    scope = request_scope(request)
    marker = _staff_marker(request, None if scope.is_admin else frozenset(scope.site_ids or ()))
    return agreements_page(request, marker=marker, appointment_id=pk, back_url="/fremmoede/")


@login_required
@require_http_methods(["GET", "POST"])
def attendance(request: HttpRequest) -> HttpResponse:
    scope = request_scope(request)
    if scope.is_planner:
        sites = list(visible_sites(request))
        if not sites:
            raise PermissionDenied
        code = request.GET.get("center") or request.POST.get("center") or sites[0].code
        site = next((s for s in sites if s.code == code), sites[0])
        marker = Marker(actor=request.user, user=request.user, site_ids=frozenset({site.pk}))
        return attendance_page(request, marker=marker, title=site.name, audit_actor=request.user,
                               extra={"sites": sites, "site": site}, query=f"&center={site.code}",
                               agreements_base="/fremmoede/")
    if scope.consultant_id is None:
        raise PermissionDenied
    consultant = Consultant.objects.get(pk=scope.consultant_id)
    marker = Marker(actor=request.user, user=request.user, consultant=consultant)
    return attendance_page(request, marker=marker, title=consultant.name, audit_actor=request.user,
                           agreements_base="/fremmoede/")
