"""Who is asking, and what they may see.

Two ways in: the web UI's session (with CSRF) and bearer tokens for integrations. Then a scope:
administrators see everything, a coordinator sees the sites they plan, a consultant only their own
appointments. Objects outside the scope answer 404 (existence never leaks); operations a role may never
use answer 403.
"""
import secrets
from datetime import timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.http import HttpRequest
from django.utils import timezone
from ninja.security import HttpBearer, django_auth

from api.errors import forbidden
from api.models import ApiToken, token_hash
from config.middleware import credential_note
from scheduler.access import Scope, request_scope

scope_of = request_scope  # the API's name for the one access scope (scheduler.access)
__all__ = ["AUTH", "ApiTokenAuth", "Scope", "admin_scope", "api_token_create", "api_token_revoke", "planner_scope",
           "scope_of"]

TOKEN_PREFIX = "ugs_"


class ApiTokenAuth(HttpBearer):
    """Bearer tokens. What was found is noted for the guess throttle (config.middleware): an unknown
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


def planner_scope(request: HttpRequest) -> Scope:
    """Scope of someone who may maintain data and plan (administrator or coordinator); else 403."""
    scope = scope_of(request)
    if scope.is_planner:
        return scope
    raise forbidden()


def admin_scope(request: HttpRequest) -> Scope:
    scope = scope_of(request)
    if scope.is_admin:
        return scope
    raise forbidden()
