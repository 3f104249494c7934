"""A newly issued secret link, shown exactly once after a post/redirect/get.

The link is kept in the session between the POST that issues it and the GET that shows it, and taken
out again by that GET: a reload shows nothing (and issues nothing), the link is never in a URL.
"""
from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _

from scheduler.publishing.qr import qr_svg
from scheduler.publishing.tokens import IssuedLink

SESSION_KEY = "issued_link"


def issued_link_keep(request: HttpRequest, *, name: str, link: IssuedLink, owner_key: str = "") -> None:
    is_citizen = link.feed_token.kind == "citizen"
    request.session[SESSION_KEY] = {
        "name": name, "owner": owner_key, "feed_url": link.feed_url, "webcal_url": link.webcal_url,
        "page_url": link.page_url if is_citizen else "", "pdf_url": link.pdf_url if is_citizen else "",
        # A consultant's own page for marking attendance and writing agreements (behind the same secret).
        "attendance_url": "" if is_citizen else link.attendance_url,
    }


def issued_link_take(request: HttpRequest, *, owner_key: str = "") -> dict[str, Any] | None:
    issued = request.session.get(SESSION_KEY)
    if not issued or issued.get("owner", "") != owner_key:
        return None
    del request.session[SESSION_KEY]
    # The QR code opens the citizen's page (their week on the phone), or subscribes to the calendar.
    target = issued["page_url"] or issued["webcal_url"]
    issued["qr"] = qr_svg(target, label=_("QR-kode med linket for %(name)s") % {"name": issued["name"]})
    return issued
