"""Views reached through secret links: calendar feeds, the citizen's page, PDF ugeskemaer.

Nobody logs in here; the token in the URL is the credential. Unknown, revoked and expired tokens all
answer the same plain 404, which neither echoes nor logs the token (see scheduler.log_redaction).
"""
from datetime import date, timedelta

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import http_date
from django.views.decorators.http import require_GET

from scheduler.audit import AuditAction, audit_record, consultant_week_citizen_ids
from scheduler.feeds import feed_body, feed_state
from scheduler.models import FeedKind, FeedToken
from scheduler.pdf import citizen_week_pdf, consultant_week_pdf
from scheduler.tokens import feed_secret_from_page_token, feed_token_for_feed, feed_token_for_page
from scheduler.ugeskema import citizen_week, current_week_start, week_code, week_start_from_code


def _not_found() -> Http404:
    # The same answer whatever was wrong: no hint whether a token ever existed.
    return Http404("Siden findes ikke.")


def _private(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "private, no-cache"
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response


@require_GET
def calendar_feed(request: HttpRequest, secret: str) -> HttpResponse:
    token = feed_token_for_feed(secret)
    if token is None:
        raise _not_found()
    state = feed_state(token)
    # Validators come from the data, so an unchanged feed is answered before rendering anything.
    not_modified = get_conditional_response(
        request, etag=state.etag, last_modified=int(state.last_modified.timestamp())
    )
    if not_modified is not None:
        return _private(not_modified)
    response = HttpResponse(feed_body(token, state), content_type="text/calendar; charset=utf-8")
    response["ETag"] = state.etag
    response["Last-Modified"] = http_date(state.last_modified.timestamp())
    response["Content-Disposition"] = 'inline; filename="ugeskema.ics"'
    patch_vary_headers(response, ["Accept-Encoding"])
    return _private(response)


def _week_from(request: HttpRequest) -> date:
    code = request.GET.get("uge")
    if not code:
        return current_week_start()
    try:
        return week_start_from_code(code)
    except ValueError:
        raise _not_found() from None


def _page_token(token: str, kind: FeedKind) -> FeedToken:
    found = feed_token_for_page(token)
    if found is None or found.kind != kind:
        raise _not_found()
    return found


@require_GET
def citizen_page(request: HttpRequest, token: str) -> HttpResponse:
    feed_token = _page_token(token, FeedKind.CITIZEN)
    week_start = _week_from(request)
    week = citizen_week(citizen=feed_token.citizen, week_start=week_start)
    audit_record(actor="borgerlink", action=AuditAction.VIEW, citizen_ids=[feed_token.citizen_id],
                 object_repr=f"Borgerside {week_code(week_start)}", request=request)
    feed_url = f"{settings.SITE_URL}/kalender/{feed_secret_from_page_token(token)}.ics"
    context = {
        "week": week,
        "citizen": feed_token.citizen,
        "pdf_url": f"{request.path}ugeskema.pdf?uge={week.code}",
        "previous_week": week_code(week_start - timedelta(weeks=1)),
        "next_week": week_code(week_start + timedelta(weeks=1)),
        "feed_url": feed_url,
        "webcal_url": "webcal://" + feed_url.split("://", 1)[1],
    }
    return _private(render(request, "citizen/week.html", context))


def _pdf_response(body: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return _private(response)


@require_GET
def citizen_pdf(request: HttpRequest, token: str) -> HttpResponse:
    feed_token = _page_token(token, FeedKind.CITIZEN)
    week_start = _week_from(request)
    body = citizen_week_pdf(citizen=feed_token.citizen, week_start=week_start)
    audit_record(actor="borgerlink", action=AuditAction.EXPORT, citizen_ids=[feed_token.citizen_id],
                 object_repr=f"Ugeskema-PDF {week_code(week_start)}", request=request)
    return _pdf_response(body, f"ugeskema-{week_code(week_start)}.pdf")


@require_GET
def consultant_pdf(request: HttpRequest, token: str) -> HttpResponse:
    feed_token = _page_token(token, FeedKind.CONSULTANT)
    week_start = _week_from(request)
    body = consultant_week_pdf(consultant=feed_token.consultant, week_start=week_start)
    audit_record(actor=f"konsulentlink {feed_token.consultant.reference}", action=AuditAction.EXPORT,
                 citizen_ids=consultant_week_citizen_ids(consultant=feed_token.consultant, week_start=week_start),
                 object_repr=f"Konsulent-PDF {week_code(week_start)}", request=request)
    return _pdf_response(body, f"ugeskema-{week_code(week_start)}.pdf")
