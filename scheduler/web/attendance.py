"""The attendance day page, shared by the consultant's secret link (scheduler.public.views), the
logged-in consultant and the coordinator (scheduler.web.attendance_views): read the day, parse the
ticked list, call the marking services, answer with the page again (post/redirect/get)."""
from __future__ import annotations

import re
from datetime import date
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from activities.models import ActivityKind
from scheduler.agreements.services import MEETING_KINDS
from scheduler.attendance.selectors import day_sheet, days_to_mark
from scheduler.attendance.services import (
    AttendanceError,
    Mark,
    Marker,
    attendance_mark,
    attendance_mark_day,
)
from scheduler.audit import AuditAction, audit_record
from scheduler.models import AttendanceStatus
from scheduler.publishing.feeds import citizen_label
from solver.problem import DANISH_DAYS

FIELD = re.compile(r"^s-(\d{1,12})-(\d{1,12})$")
CHOICES = [(s.value, str(s.label)) for s in AttendanceStatus]


def day_from(request: HttpRequest) -> date | None:
    """The day asked for (?dag=YYYY-MM-DD), None when absent or malformed."""
    text = request.GET.get("dag") or request.POST.get("dag") or ""
    try:
        return date.fromisoformat(text) if len(text) == 10 else None
    except ValueError:
        return None


def day_heading(day: date) -> str:
    name = DANISH_DAYS[day.weekday()] if day.weekday() < 5 else ("lørdag", "søndag")[day.weekday() - 5]
    return f"{name} {day:%d.%m.%Y}"


def marks_from(post: Any) -> list[Mark]:
    marks = []
    for key, value in post.items():
        found = FIELD.match(key)
        if found and value in AttendanceStatus.values:
            marks.append(Mark(int(found.group(1)), int(found.group(2)), value))
    return marks


def _rest_held(marker: Marker, day: date, appointment_id: int, given: list[Mark]) -> list[Mark]:
    """A group session's list: everyone on it not ticked otherwise and not marked before came."""
    ticked = {(m.appointment_id, m.citizen_id) for m in given}
    sheet = day_sheet(day=day, consultant=marker.consultant, site_ids=marker.site_ids)
    return [Mark(appointment_id, p.citizen.pk, AttendanceStatus.HELD)
            for row in sheet.rows if row.appointment.pk == appointment_id
            for p in row.participants if not p.marked and (appointment_id, p.citizen.pk) not in ticked]


def attendance_page(request: HttpRequest, *, marker: Marker, title: str, audit_actor: object,
                    extra: dict[str, Any] | None = None, query: str = "", full_names: bool = True,
                    agreements_base: str = "") -> HttpResponse:
    """GET: the day's list; POST: save the ticked list, or mark the rest of the day held, then redirect.

    Behind a secret link (`full_names=False`) citizens appear as the consultant's PDF shows them: initials
    or reference by the site's setting; a logged-in consultant or coordinator sees full names."""
    days = days_to_mark(consultant=marker.consultant, site_ids=marker.site_ids)
    day = day_from(request) or (days[0][0] if days else timezone.localdate())
    error = ""
    if request.method == "POST":
        try:
            if "alle" in request.POST:
                saved = attendance_mark_day(marker=marker, day=day, request=request)
            else:
                marks = marks_from(request.POST)
                if request.POST.get("hold", "").isdigit():
                    marks += _rest_held(marker, day, int(request.POST["hold"]), marks)
                saved = attendance_mark(marker=marker, marks=marks, request=request)
            return HttpResponseRedirect(f"{request.path}?dag={day.isoformat()}&gemt={saved}{query}")
        except AttendanceError as refused:
            error = refused.message
    sheet = day_sheet(day=day, consultant=marker.consultant, site_ids=marker.site_ids)
    for row in sheet.rows:
        for p in row.participants:
            p.display = f"{p.citizen.first_name} {p.citizen.last_name}" if full_names else citizen_label(p.citizen)
    audit_record(actor=audit_actor, action=AuditAction.VIEW, citizen_ids=sheet.citizen_ids(),
                 object_repr=f"Fremmøde {day.isoformat()}", request=request)
    saved_text = ""
    if request.GET.get("gemt", "").isdigit():
        saved_text = _("Gemt: %(n)s markeringer.") % {"n": request.GET["gemt"]}
    context = {
        "title": title, "day": day, "heading": day_heading(day), "sheet": sheet, "choices": CHOICES,
        "days": [(d, day_heading(d), n) for d, n in days], "error": error, "saved": saved_text,
        "kinds": dict(ActivityKind.choices), "query": query, "meeting_kinds": MEETING_KINDS,
        "agreements_base": agreements_base, **(extra or {}),
    }
    response = render(request, "attendance/day.html", context, status=422 if error else 200)
    response["Cache-Control"] = "private, no-cache"
    # same-origin, not no-referrer: with no-referrer the browser sends "Origin: null" on the form's POST and
    # Django's CSRF check refuses it; the page links nowhere else, so the secret in its URL stays here.
    response["Referrer-Policy"] = "same-origin"
    return response
