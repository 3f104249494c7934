"""Who may use the coordinator UI, and which sites they see.

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

View = Callable[..., HttpResponse]


def coordinator_required(view: View) -> View:
    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = request.user
        if not (user.is_superuser or hasattr(user, "coordinator")):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def visible_sites(request: HttpRequest) -> QuerySet[Site]:
    cached = getattr(request, "_web_sites", None)
    if cached is None:
        user = request.user
        cached = Site.objects.all() if user.is_superuser else user.coordinator.sites.all()
        cached = cached.order_by("name")
        request._web_sites = cached  # type: ignore[attr-defined]
    return cached


def visible_site_ids(request: HttpRequest) -> set[int]:
    return set(visible_sites(request).values_list("pk", flat=True))


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
