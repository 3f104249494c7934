"""Who is asking, and what they may see.

Two ways in: the web UI's session (with CSRF) and bearer tokens for integrations. Then a scope:
administrators see everything, a coordinator sees the sites they plan, a consultant only their own
appointments. Objects outside the scope answer 404 (existence never leaks); operations a role may never
use answer 403.
"""
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.http import HttpRequest
from django.utils import timezone
from ninja.security import HttpBearer, django_auth

from api.errors import forbidden
from api.models import ApiToken, token_hash
from scheduler.security import credential_note

TOKEN_PREFIX = "ugs_"


class ApiTokenAuth(HttpBearer):
    """Bearer tokens. What was found is noted for the guess throttle (scheduler.security): an unknown
    token is a guess, a revoked one (or one whose user is deactivated) is not, a live one is never held up."""

    def authenticate(self, request: HttpRequest, token: str) -> AbstractBaseUser | None:
        if not token or len(token) > 200:
            credential_note(request, "unknown")
            return None
        # The caller's coordinator and consultant rows come in the same query: scope_of needs them next.
        row = (ApiToken.objects.select_related("user", "user__coordinator", "user__consultant")
               .filter(token_hash=token_hash(token)).first())
        if row is None:
            credential_note(request, "unknown")
            return None
        if row.revoked_at is not None or not row.user.is_active:
            credential_note(request, "gone")
            return None
        credential_note(request, "live")
        now = timezone.now()
        # One write per token per minute at most: polling clients must not turn reads into writes.
        if row.last_used_at is None or now - row.last_used_at > timedelta(minutes=1):
            ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)
        request.user = row.user
        return row.user


AUTH = [ApiTokenAuth(), django_auth]


def api_token_create(*, user: AbstractBaseUser, name: str) -> tuple[ApiToken, str]:
    """A new token; the raw value is returned once and only its hash is stored."""
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken.objects.create(user=user, name=name, token_hash=token_hash(raw), prefix=raw[:8])
    return row, raw


def api_token_revoke(*, token: ApiToken) -> None:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])


@dataclass(frozen=True)
class Scope:
    user: AbstractBaseUser
    site_ids: frozenset[int] | None  # None: every site (administrator)
    consultant_id: int | None

    @property
    def is_admin(self) -> bool:
        return self.site_ids is None

    def sees_site(self, site_id: int | None) -> bool:
        return self.site_ids is None or (site_id is not None and site_id in self.site_ids)


def scope_of(request: HttpRequest) -> Scope:
    cached = getattr(request, "_api_scope", None)
    if cached is not None:
        return cached
    user = request.auth if getattr(request, "auth", None) is not None else request.user
    if user.is_superuser:
        scope = Scope(user=user, site_ids=None, consultant_id=None)
    else:
        # hasattr: a reverse one-to-one raises when the row is missing.
        coordinator = user.coordinator if hasattr(user, "coordinator") else None
        consultant = user.consultant if hasattr(user, "consultant") else None
        site_ids = frozenset(coordinator.sites.values_list("pk", flat=True)) if coordinator else frozenset()
        scope = Scope(user=user, site_ids=site_ids, consultant_id=consultant.pk if consultant else None)
    request._api_scope = scope  # type: ignore[attr-defined]
    return scope


def planner_scope(request: HttpRequest) -> Scope:
    """Scope of someone who may maintain data and plan (administrator or coordinator); else 403."""
    scope = scope_of(request)
    if scope.is_admin or hasattr(scope.user, "coordinator"):
        return scope
    raise forbidden()


def admin_scope(request: HttpRequest) -> Scope:
    scope = scope_of(request)
    if scope.is_admin:
        return scope
    raise forbidden()
