"""Who may use the coordinator UI, and which sites they see (the scope of scheduler.access).

Anonymous users are sent to the login page; logged-in users who are neither coordinators nor
superusers (consultants, for instance) get 403. Objects of sites outside the coordinator's answer 404,
so the existence of other sites' data never leaks.
"""
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse

from rooms.models import Site
from scheduler.access import request_scope

View = Callable[..., HttpResponse]


def coordinator_required(view: View) -> View:
    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request_scope(request).is_planner:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def visible_sites(request: HttpRequest) -> QuerySet[Site]:
    """The sites of the caller's scope (scheduler.access, the same scope the API uses), by name."""
    scope = request_scope(request)
    sites = Site.objects.all() if scope.is_admin else Site.objects.filter(pk__in=scope.site_ids)
    return sites.order_by("name")


def visible_site_ids(request: HttpRequest) -> set[int]:
    scope = request_scope(request)
    if scope.is_admin:
        return set(Site.objects.values_list("pk", flat=True))
    return set(scope.site_ids or ())


def site_or_404(request: HttpRequest, code: str) -> Site:
    site = visible_sites(request).filter(code=code).first()
    if site is None:
        raise Http404
    return site


def scoped_or_404(queryset: QuerySet, request: HttpRequest, site_path: str, **lookup: Any) -> Model:
    """One object of the queryset whose site (reached by `site_path`) the coordinator sees, else 404."""
    obj = queryset.filter(**{f"{site_path}__in": visible_site_ids(request)}, **lookup).distinct().first()
    if obj is None:
        raise Http404
    return obj
