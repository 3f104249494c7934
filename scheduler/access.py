"""Which sites a user may see and plan: one answer for the web UI and the API.

Administrators (superusers) see every site; a coordinator sees the sites they plan; anyone else no site
(a consultant sees only their own appointments, through `consultant_id`). Objects outside the scope are
answered as if they did not exist, in both interfaces.
"""
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.http import HttpRequest

_CACHE_ATTR = "_access_scope"


@dataclass(frozen=True)
class Scope:
    user: AbstractBaseUser
    site_ids: frozenset[int] | None  # None: every site (administrator)
    consultant_id: int | None

    @property
    def is_admin(self) -> bool:
        return self.site_ids is None

    @property
    def is_planner(self) -> bool:
        """May maintain data and plan: an administrator or a coordinator."""
        return self.is_admin or hasattr(self.user, "coordinator")

    def sees_site(self, site_id: int | None) -> bool:
        return self.site_ids is None or (site_id is not None and site_id in self.site_ids)


def scope_for(user: AbstractBaseUser) -> Scope:
    if user.is_superuser:
        return Scope(user=user, site_ids=None, consultant_id=None)
    # hasattr: a reverse one-to-one raises when the row is missing.
    coordinator = user.coordinator if hasattr(user, "coordinator") else None
    consultant = user.consultant if hasattr(user, "consultant") else None
    site_ids = frozenset(coordinator.sites.values_list("pk", flat=True)) if coordinator else frozenset()
    return Scope(user=user, site_ids=site_ids, consultant_id=consultant.pk if consultant else None)


def request_scope(request: HttpRequest) -> Scope:
    """The caller's scope, read once per request (the API's bearer token user, else the session's)."""
    cached = getattr(request, _CACHE_ATTR, None)
    if cached is None:
        user = request.auth if getattr(request, "auth", None) is not None else request.user
        cached = scope_for(user)
        setattr(request, _CACHE_ATTR, cached)
    return cached
