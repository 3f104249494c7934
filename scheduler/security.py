"""Cross-cutting protection: security headers, deny-by-default login, throttling of secret-link guessing.

Order in MIDDLEWARE (see the "Security" block at the end of settings.py):

- TokenGuessThrottleMiddleware right after SecurityMiddleware, so a throttled address costs no
  database work;
- LoginRequiredByDefaultMiddleware after AuthenticationMiddleware: every view needs a logged-in user
  unless it is one of the secret-link views, part of the API (own auth: 401), the admin (own login) or
  marked with Django's `@login_not_required`;
- SecurityHeadersMiddleware anywhere: it only adds headers to the response.
"""
import re
import secrets
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.middleware import LoginRequiredMiddleware
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import resolve_url
from django.utils.translation import gettext as _

from scheduler.audit import client_ip

# Content-Security-Policy: nothing inline may run. Scripts only from this server ('self': the
# vendored htmx under /static/, Swagger UI's files under /api/docs/assets/). Inline <style> blocks
# need the per-request nonce: <style nonce="{{ request.csp_nonce }}">.
CSP_TEMPLATE = (
    "default-src 'self'; "
    "script-src 'self'; "
    "style-src 'self' 'nonce-{nonce}'; "
    "img-src 'self' data:; "
    "font-src 'self'; "
    "connect-src 'self'; "
    "object-src 'none'; "
    "base-uri 'none'; "
    "form-action 'self'; "
    "frame-ancestors 'none'"
)
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), "
    "payment=(), usb=(), interest-cohort=()"
)

# Views reached without a login: the secret-link views (the token is the credential) and the API's
# static docs assets. Add names here only for views that check their own credential.
PUBLIC_URL_NAMES = frozenset({"calendar_feed", "citizen_page", "citizen_pdf", "consultant_pdf", "api-docs-asset"})
# Namespaces with their own authentication: the API answers 401 itself, the admin has its own login.
SELF_AUTHENTICATING_NAMESPACES = frozenset({"api", "admin"})

SECRET_LINK_PATH = re.compile(r"^/(kalender|borger|ugeskema)/")


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.csp_nonce = secrets.token_urlsafe(16)  # type: ignore[attr-defined]
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", CSP_TEMPLATE.format(nonce=request.csp_nonce))
        response.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        response.setdefault("X-Content-Type-Options", "nosniff")
        response.setdefault("Referrer-Policy", settings.SECURE_REFERRER_POLICY)
        response.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        response.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        if request.user.is_authenticated if hasattr(request, "user") else False:
            # Pages behind a login carry citizens' data: no shared caches, no back-button copies.
            response.setdefault("Cache-Control", "private, no-store")
        return response


class LoginRequiredByDefaultMiddleware(LoginRequiredMiddleware):
    """Django's LoginRequiredMiddleware with the exemptions this product needs (see module docstring).

    New screens are protected even if their author forgets @login_required; a view that must be
    public says so with @login_not_required (and gets a row in tests/security's URL table).
    """

    def process_view(self, request: HttpRequest, view_func: Callable, view_args: tuple, view_kwargs: dict):  # noqa: ANN201
        match = request.resolver_match
        if match is not None:
            if match.url_name in PUBLIC_URL_NAMES:
                return None
            if SELF_AUTHENTICATING_NAMESPACES & set(match.namespaces):
                return None
        if request.path == resolve_url(settings.LOGIN_URL):
            return None  # a hand-written login view must not redirect to itself
        return super().process_view(request, view_func, view_args, view_kwargs)


def _miss_key(ip: str) -> str:
    return f"token-miss:{ip}"


class TokenGuessThrottleMiddleware:
    """Too many unknown secret links or API tokens from one address → 429 for a while.

    Counts 404s on secret-link URLs and 401s on API calls that sent a bearer token. Over
    TOKEN_MISS_LIMIT misses within TOKEN_MISS_WINDOW_SECONDS (counted from the first miss) every
    secret-link or bearer request from that address is answered 429 before any lookup. Uses the
    default cache: per process with the built-in local-memory cache (set CACHES to Redis or the
    database in production with several workers for one shared counter).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        guarded = self._guarded(request)
        ip = client_ip(request) or "unknown"
        if guarded and (cache.get(_miss_key(ip)) or 0) >= settings.TOKEN_MISS_LIMIT:
            response = HttpResponse(_("For mange forsøg. Prøv igen senere."), status=429,
                                    content_type="text/plain; charset=utf-8")
            response["Retry-After"] = str(settings.TOKEN_MISS_WINDOW_SECONDS)
            return response
        response = self.get_response(request)
        if guarded and self._is_miss(request, response):
            key = _miss_key(ip)
            cache.add(key, 0, timeout=settings.TOKEN_MISS_WINDOW_SECONDS)
            try:
                cache.incr(key)
            except ValueError:  # expired between add and incr
                cache.set(key, 1, timeout=settings.TOKEN_MISS_WINDOW_SECONDS)
        return response

    @staticmethod
    def _guarded(request: HttpRequest) -> bool:
        if SECRET_LINK_PATH.match(request.path):
            return True
        return request.path.startswith("/api/") and request.META.get("HTTP_AUTHORIZATION", "").startswith("Bearer")

    @staticmethod
    def _is_miss(request: HttpRequest, response: HttpResponse) -> bool:
        if SECRET_LINK_PATH.match(request.path):
            return response.status_code == 404
        return response.status_code == 401
