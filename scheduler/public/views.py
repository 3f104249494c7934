"""Views reached through secret links: calendar feeds, the citizen's page, PDF ugeskemaer.

Nobody logs in here; the token in the URL is the credential. An unknown token answers a plain 404 and
counts as a guess (config.middleware.TokenGuessThrottleMiddleware); a revoked, rotated or expired one
answers 410 Gone, so calendar apps stop polling it, and is not counted. Neither answer echoes nor logs
the token (see config.log_redaction).
"""
from collections.abc import Callable
from datetime import date
from functools import wraps

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import http_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_safe

from config.middleware import credential_note
from scheduler.attendance.services import Marker
from scheduler.audit import AuditAction, audit_record, consultant_week_citizen_ids
from scheduler.models import FeedKind, FeedToken
from scheduler.publishing.feed_cache import Cached, feed_await, feed_cached, feed_release, feed_store
from scheduler.publishing.feeds import feed_answer, feed_gzip, feed_state
from scheduler.publishing.pdf import citizen_week_pdf, consultant_week_pdf
from scheduler.publishing.tokens import (
    LinkLookup,
    LinkState,
    feed_link_lookup,
    feed_secret_from_page_token,
    page_link_lookup,
)
from scheduler.publishing.ugeskema import citizen_week, current_week_start
from scheduler.web.agreements import agreements_page
from scheduler.web.attendance import attendance_page
from scheduler.weeks import iso_week_label, parse_iso_week, week_neighbours


class _Gone(Exception):
    pass


def _not_found() -> Http404:
    # The same answer for a token that never existed and a bad week: no hint which.
    return Http404("Siden findes ikke.")


def _live(request: HttpRequest, found: LinkLookup) -> FeedToken:
    """The live token, else 404 (unknown) or _Gone (revoked/expired); the throttle hears which."""
    credential_note(request, found.state)
    if found.state == LinkState.GONE:
        raise _Gone
    if found.state != LinkState.LIVE:
        raise _not_found()
    return found.token  # type: ignore[return-value]


def _gone() -> HttpResponse:
    response = HttpResponse(
        _("Linket virker ikke længere: det er udløbet eller erstattet af et nyt. Bed dit center om et nyt link."),
        status=410, content_type="text/plain; charset=utf-8",
    )
    return _private(response)


def _answers_gone(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    def wrapped(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except _Gone:
            return _gone()

    return wrapped


def _private(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "private, no-cache"
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response


@require_safe
@_answers_gone
def calendar_feed(request: HttpRequest, secret: str) -> HttpResponse:
    cached = feed_cached(secret)
    builder = False
    if not cached.fresh:
        cached, builder = feed_await(secret, cached)
    if cached.fresh:
        # The link was live when the entry was stored and nothing it shows has changed since (the data
        # epoch), nor has it expired (scheduler.publishing.feed_cache): no database at all.
        credential_note(request, LinkState.LIVE)
        entry = cached.entry
        return _feed_answer(request, entry.etag, entry.last_modified,
                            lambda: (entry.etag, entry.last_modified, entry.body), gzipped=entry.body_gzip)
    try:
        return _feed_from_database(request, secret, cached)
    finally:
        if builder:
            feed_release(secret)


def _feed_from_database(request: HttpRequest, secret: str, cached: Cached) -> HttpResponse:
    found = feed_link_lookup(secret)
    token = _live(request, found)
    state = feed_state(token)
    if cached.epoch is None:  # no response cache (settings.RESPONSE_CACHE): the body only for a 200
        def full() -> tuple[str, float, bytes]:
            answer = feed_answer(token, state)
            return answer.etag, answer.last_modified.timestamp(), answer.body

        return _feed_answer(request, state.etag, state.last_modified.timestamp(), full)
    if cached.entry is not None and cached.entry.etag == state.etag:
        body = cached.entry.body  # the data moved elsewhere, not here: keep the body, take the new epoch
    else:
        state = feed_answer(token, state)
        body = state.body
    body_gzip = feed_gzip(state.etag, body)
    feed_store(secret, epoch=cached.epoch, link_expires_at=found.expires_at, etag=state.etag,
               last_modified=state.last_modified, body=body, body_gzip=body_gzip)
    return _feed_answer(request, state.etag, state.last_modified.timestamp(),
                        lambda: (state.etag, state.last_modified.timestamp(), body), gzipped=body_gzip)


def _accepts_gzip(request: HttpRequest) -> bool:
    return any(part.split(";")[0].strip().lower() == "gzip" and not part.replace(" ", "").endswith(";q=0")
               for part in request.headers.get("Accept-Encoding", "").split(","))


def _feed_headers(response: HttpResponse, etag: str, last_modified: float) -> HttpResponse:
    response["ETag"] = etag
    response["Last-Modified"] = http_date(last_modified)
    patch_vary_headers(response, ["Accept-Encoding"])
    return _private(response)


def _feed_answer(request: HttpRequest, etag: str, last_modified: float,
                 full: Callable[[], tuple[str, float, bytes]], *, gzipped: bytes | None = None) -> HttpResponse:
    """The feed's answer from its validators and body, the same whether they came from the response cache
    or from the database. Validators come from the data, so an unchanged feed is answered 304, with the
    same validators and Vary as the 200. `full` gives the body with the validators that belong to it.
    HEAD gets the GET's headers; a client that accepts gzip gets the body compressed."""
    gzip = _accepts_gzip(request)
    # The compressed body is the same calendar in another coding: a weak ETag (as Django's GZipMiddleware
    # makes it), which If-None-Match compares equal to the strong one.
    shown = f"W/{etag}" if gzip else etag
    headers = _feed_headers(HttpResponse(), shown, last_modified)  # what a 304 copies from the 200
    conditional = get_conditional_response(request, etag=shown, last_modified=int(last_modified), response=headers)
    if conditional is not headers:  # 304 (or 412), with the headers of `headers`
        return _private(conditional)
    new_etag, last_modified, body = full()
    response = HttpResponse(content_type="text/calendar; charset=utf-8")
    if gzip:
        body = gzipped if gzipped is not None and new_etag == etag else feed_gzip(new_etag, body)
        response["Content-Encoding"] = "gzip"
        new_etag = f"W/{new_etag}"
    response["Content-Length"] = str(len(body))
    if request.method != "HEAD":
        response.content = body
    response["Content-Disposition"] = 'inline; filename="ugeskema.ics"'
    return _feed_headers(response, new_etag, last_modified)


def _week_from(request: HttpRequest) -> date:
    code = request.GET.get("uge")
    if not code:
        return current_week_start()
    try:
        return parse_iso_week(code)
    except ValueError:
        raise _not_found() from None


def _page_token(request: HttpRequest, token: str, kind: FeedKind) -> FeedToken:
    return _live(request, page_link_lookup(token, kind))


@require_GET
@_answers_gone
def citizen_page(request: HttpRequest, token: str) -> HttpResponse:
    feed_token = _page_token(request, token, FeedKind.CITIZEN)
    week_start = _week_from(request)
    week = citizen_week(citizen=feed_token.citizen, week_start=week_start)
    audit_record(actor="borgerlink", action=AuditAction.VIEW, citizen_ids=[feed_token.citizen_id],
                 object_repr=f"Borgerside {iso_week_label(week_start)}", request=request)
    feed_url = f"{settings.SITE_URL}/kalender/{feed_secret_from_page_token(token)}.ics"
    previous_week, next_week = week_neighbours(week_start)
    context = {
        "week": week,
        "citizen": feed_token.citizen,
        "pdf_url": f"{request.path}ugeskema.pdf?uge={week.code}",
        "previous_week": previous_week,
        "next_week": next_week,
        "feed_url": feed_url,
        "webcal_url": "webcal://" + feed_url.split("://", 1)[1],
    }
    return _private(render(request, "citizen/week.html", context))


def _pdf_response(body: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return _private(response)


@require_GET
@_answers_gone
def citizen_pdf(request: HttpRequest, token: str) -> HttpResponse:
    feed_token = _page_token(request, token, FeedKind.CITIZEN)
    week_start = _week_from(request)
    body = citizen_week_pdf(citizen=feed_token.citizen, week_start=week_start)
    audit_record(actor="borgerlink", action=AuditAction.EXPORT, citizen_ids=[feed_token.citizen_id],
                 object_repr=f"Ugeskema-PDF {iso_week_label(week_start)}", request=request)
    return _pdf_response(body, f"ugeskema-{iso_week_label(week_start)}.pdf")


@require_GET
@_answers_gone
def consultant_pdf(request: HttpRequest, token: str) -> HttpResponse:
    feed_token = _page_token(request, token, FeedKind.CONSULTANT)
    week_start = _week_from(request)
    body = consultant_week_pdf(consultant=feed_token.consultant, week_start=week_start)
    audit_record(actor=f"konsulentlink {feed_token.consultant.reference}", action=AuditAction.EXPORT,
                 citizen_ids=consultant_week_citizen_ids(consultant=feed_token.consultant, week_start=week_start),
                 object_repr=f"Konsulent-PDF {iso_week_label(week_start)}", request=request)
    return _pdf_response(body, f"ugeskema-{iso_week_label(week_start)}.pdf")


@login_not_required
@require_http_methods(["GET", "POST"])
@_answers_gone
def consultant_attendance(request: HttpRequest, token: str) -> HttpResponse:
    """The consultant marks what happened at their own appointments of the last days, from the phone."""
    feed_token = _page_token(request, token, FeedKind.CONSULTANT)
    consultant = feed_token.consultant
    actor = f"konsulentlink {consultant.reference}"
    response = attendance_page(request, marker=Marker(actor=actor, consultant=consultant), title=consultant.name,
                               audit_actor=actor, full_names=False, agreements_base=request.path)
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@login_not_required
@require_http_methods(["GET", "POST"])
@_answers_gone
def consultant_agreements(request: HttpRequest, token: str, pk: int) -> HttpResponse:
    """The agreements of one of the consultant's own meetings (participants as initials or reference)."""
    feed_token = _page_token(request, token, FeedKind.CONSULTANT)
    consultant = feed_token.consultant
    marker = Marker(actor=f"konsulentlink {consultant.reference}", consultant=consultant)
    response = agreements_page(request, marker=marker, appointment_id=pk, full_names=False,
                               back_url=request.path.rsplit("/", 3)[0] + "/")
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response
