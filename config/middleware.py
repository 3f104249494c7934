"""Cross-cutting protection: security headers, deny-by-default login, throttling of secret-link guessing.

Order in MIDDLEWARE (see the "Security" block at the end of settings.py):

- TokenGuessThrottleMiddleware right after SecurityMiddleware: it looks at what the secret-link
  view or the API's bearer auth found behind the presented credential (`credential_note`) and
  answers repeated guesses with 429, never a valid credential;
- LoginRequiredByDefaultMiddleware after AuthenticationMiddleware: every view needs a logged-in user
  unless it is one of the secret-link views, part of the API (own auth: 401), the admin (own login) or
  marked with Django's `@login_not_required`;
- SecurityHeadersMiddleware anywhere: it only adds headers to the response.
"""
import ipaddress
import math
import re
import secrets
import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.middleware import LoginRequiredMiddleware
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import resolve_url
from django.utils.translation import gettext as _

from config.client_address import client_ip  # behind a proxy: TRUSTED_PROXIES

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


CREDENTIAL_STATE_ATTR = "_credential_state"


def credential_note(request: HttpRequest, state: str) -> None:
    """What the view or the API's auth found behind the presented secret: "live", "gone" or "unknown".

    The throttle counts only "unknown" (a guess); a live credential is never throttled and a gone one
    (revoked, rotated, expired) is answered 410 / 401 without counting.
    """
    setattr(request, CREDENTIAL_STATE_ATTR, state)


def miss_network(ip: str | None) -> str:
    """The unit misses are counted per: the address, or its /64 for IPv6 (one subscriber's allocation)."""
    try:
        address = ipaddress.ip_address(ip or "")
    except ValueError:
        return "unknown"
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


class TokenGuessThrottleMiddleware:
    """Guessing secret links or API tokens is slowed down; valid credentials are never held up.

    The credential is checked first (one indexed lookup of a SHA-256 hash, as cheap as a 404), and the
    view or the API's auth tells this middleware what it found (`credential_note`):

    - live: answered normally, nothing counted, whatever the address did before;
    - gone (revoked, rotated, expired): 410 on links, 401 on the API; not counted, so a calendar
      provider polling old links from a shared address locks nobody out;
    - unknown: a miss. Up to TOKEN_MISS_LIMIT misses per address (IPv6: per /64) within
      TOKEN_MISS_WINDOW_SECONDS (from the first miss) answer 404 / 401; after that an unknown
      credential from that address answers 429 with Retry-After (the rest of the window): Danish
      text on links, the API's JSON error shape on the API.

    Counters live in the default cache: per process with the built-in local-memory cache, shared with
    Redis (REDIS_URL) when there are several web workers.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        guarded = self._guarded(request)
        response = self.get_response(request)
        if guarded is None or not self._is_miss(guarded, request, response):
            return response
        network = miss_network(client_ip(request))
        retry_after = _throttled_for(network)
        if retry_after is not None:
            return _too_many(guarded, retry_after)
        _count_miss(network)
        return response

    @staticmethod
    def _guarded(request: HttpRequest) -> str | None:
        if SECRET_LINK_PATH.match(request.path):
            return "link"
        if request.path.startswith("/api/") and request.META.get("HTTP_AUTHORIZATION", "").startswith("Bearer"):
            return "api"
        return None

    @staticmethod
    def _is_miss(guarded: str, request: HttpRequest, response: HttpResponse) -> bool:
        state = getattr(request, CREDENTIAL_STATE_ATTR, None)
        if guarded == "link":
            # No state: the path matched no secret-link view (a malformed link), a miss like any other.
            return state == "unknown" or (state is None and response.status_code == 404)
        return response.status_code == 401 and state != "gone"


def _keys(network: str) -> tuple[str, str]:
    return f"token-miss:{network}", f"token-miss-until:{network}"


def _throttled_for(network: str) -> int | None:
    """Seconds until the address may guess again, or None while it is under the limit."""
    count_key, until_key = _keys(network)
    if (cache.get(count_key) or 0) < settings.TOKEN_MISS_LIMIT:
        return None
    until = cache.get(until_key) or (time.time() + settings.TOKEN_MISS_WINDOW_SECONDS)
    return max(1, math.ceil(until - time.time()))


def _count_miss(network: str) -> None:
    count_key, until_key = _keys(network)
    window = settings.TOKEN_MISS_WINDOW_SECONDS
    if cache.add(count_key, 0, timeout=window):
        cache.set(until_key, time.time() + window, timeout=window)
    try:
        cache.incr(count_key)
    except ValueError:  # expired between add and incr
        cache.set(count_key, 1, timeout=window)
        cache.set(until_key, time.time() + window, timeout=window)


def _too_many(guarded: str, retry_after: int) -> HttpResponse:
    minutes = max(1, math.ceil(retry_after / 60))
    message = _("For mange forkerte links eller nøgler fra din adresse. Prøv igen om %(minutes)s minutter.") % {
        "minutes": minutes}
    if guarded == "api":
        response: HttpResponse = JsonResponse(
            {"detail": message, "code": "throttled", "extra": {"retry_after": retry_after}}, status=429)
    else:
        response = HttpResponse(message, status=429, content_type="text/plain; charset=utf-8")
    response["Retry-After"] = str(retry_after)
    response["Cache-Control"] = "no-store"
    return response
