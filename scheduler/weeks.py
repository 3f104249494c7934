"""ISO weeks ("2026-W49") as the product's unit of planning: the only module that parses, formats and
bounds them.

Every week that comes from outside (a URL, a query string, an API body, a command-line argument) goes
through `parse_iso_week`, which refuses anything but YYYY-Www and anything outside the read window;
planning entry points also call `planning_week_check`. The windows are relative to today:

- read window: READ_WEEKS (104, about two years) either side of the current week. Wide enough for last
  year's plans and next year's, narrow enough that date arithmetic (previous/next week, feed windows,
  holidays) never reaches year 1 or 9999.
- planning window: from PLAN_WEEKS_BACK (4) weeks before the current week to PLAN_WEEKS_AHEAD (53) after.
  Four weeks back is as far as calendar feeds reach (scheduler.publishing.feeds.WINDOW_BACK): re-planning an older
  week would publish changes no calendar shows. 53 weeks ahead always includes the same week next year.
"""
import re
from datetime import date, datetime, time, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from scheduler.errors import DomainError

READ_WEEKS = 104
PLAN_WEEKS_BACK = 4
PLAN_WEEKS_AHEAD = 53

_WEEK = re.compile(r"^(\d{4})-W(\d{1,2})$", re.ASCII | re.IGNORECASE)


class WeekError(ValueError):
    """A week that is malformed or out of range; str() is a Danish message for people."""


def current_monday(today: date | None = None) -> date:
    """The Monday of the week `today` (default: today in the site's time zone) falls in."""
    today = today or timezone.localdate()
    return today - timedelta(days=today.weekday())


def iso_week_label(monday: date) -> str:
    iso = monday.isocalendar()
    return f"{iso.year}-W{iso.week:02d}"


def _window(back: int, ahead: int, today: date | None) -> tuple[date, date]:
    monday = current_monday(today)
    return monday - timedelta(weeks=back), monday + timedelta(weeks=ahead)


def read_window(today: date | None = None) -> tuple[date, date]:
    """(first Monday, last Monday) a week may be read for."""
    return _window(READ_WEEKS, READ_WEEKS, today)


def planning_window(today: date | None = None) -> tuple[date, date]:
    """(first Monday, last Monday) a week may be planned for."""
    return _window(PLAN_WEEKS_BACK, PLAN_WEEKS_AHEAD, today)


def parse_iso_week(text: str, *, today: date | None = None) -> date:
    """The Monday of an ISO week written as YYYY-Www inside the read window; WeekError otherwise."""
    match = _WEEK.fullmatch(text.strip()) if isinstance(text, str) and len(text) <= 20 else None
    try:
        if match is None:
            raise ValueError(text)
        monday = date.fromisocalendar(int(match.group(1)), int(match.group(2)), 1)
    except ValueError:
        raise WeekError(_("Ugyldig uge: skriv den som ÅÅÅÅ-Wuu, fx 2026-W49.")) from None
    first, last = read_window(today)
    if not first <= monday <= last:
        raise WeekError(_("Ugen skal ligge mellem %(first)s og %(last)s.") % {
            "first": iso_week_label(first), "last": iso_week_label(last)})
    return monday


def planning_week_check(monday: date, *, today: date | None = None) -> None:
    """WeekError unless the week starting `monday` may be planned now."""
    first, last = planning_window(today)
    if not first <= monday <= last:
        raise WeekError(_("Ugen kan kun planlægges fra %(first)s til %(last)s.") % {
            "first": iso_week_label(first), "last": iso_week_label(last)})


class WeekStarted(DomainError):
    """Planning or publishing a week that has begun, without saying so: it would rewrite what happened."""

    code = "week_started"
    field = "allow_started_week"


def week_starts_at(monday: date) -> datetime:
    return datetime.combine(monday, time.min, tzinfo=timezone.get_current_timezone())


def week_started(monday: date, *, now: datetime | None = None) -> bool:
    """The week's Monday 00:00 (local time) has passed: some of it may already have happened."""
    return (now or timezone.now()) >= week_starts_at(monday)


def started_week_check(monday: date, *, allow: bool, now: datetime | None = None) -> None:
    """WeekStarted unless the week has not begun or the caller said explicitly that it may change it."""
    if not allow and week_started(monday, now=now):
        raise WeekStarted(_(
            "Uge %(week)s er begyndt. Bekræft udtrykkeligt, at den skal ændres: aftaler, der allerede er "
            "begyndt, bevares som offentliggjort, og kun resten af ugen ændres."
        ) % {"week": iso_week_label(monday)})


def week_neighbours(monday: date, *, today: date | None = None) -> tuple[str | None, str | None]:
    """Labels of the previous and next week, None where that week is outside the read window."""
    first, last = read_window(today)
    previous, following = monday - timedelta(weeks=1), monday + timedelta(weeks=1)
    return (iso_week_label(previous) if previous >= first else None,
            iso_week_label(following) if following <= last else None)


def week_title(monday: date) -> str:
    """Danish heading, e.g. "Uge 49 · 30.11.–04.12.2026"."""
    friday = monday + timedelta(days=4)
    return f"Uge {monday.isocalendar().week} · {monday:%d.%m.}–{friday:%d.%m.%Y}"
