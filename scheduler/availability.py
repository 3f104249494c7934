"""Day intervals, opening days and internship hours: the calendar facts both demand and the problem builder need.

Times are kept as minutes since local midnight per weekday (0 = Monday … 4 = Friday) until the
problem builder turns them into solver slots. All reads are batched per week so an M-size centre
costs a handful of queries, not one per person.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from activities.models import Internship, InternshipKind
from rooms.calendar import holiday_name
from rooms.models import ClosedDay, OpeningHours, Site

TZ = ZoneInfo("Europe/Copenhagen")
DAYS = range(5)

Interval = tuple[int, int]  # [start, end) in minutes since midnight
DayIntervals = dict[int, list[Interval]]  # weekday -> sorted, disjoint intervals


# -- weeks ------------------------------------------------------------------------------------------


def coming_week_start(today: date | None = None) -> date:
    """The Monday of the coming ISO week (next week; on a Monday still next week)."""
    today = today or timezone.localdate()
    return today - timedelta(days=today.weekday()) + timedelta(days=7)


def week_dates(week_start: date) -> list[date]:
    return [week_start + timedelta(days=d) for d in DAYS]


def minutes(t: time) -> int:
    return t.hour * 60 + t.minute


def aware(naive: datetime) -> datetime:
    """Naive Copenhagen wall time → aware datetime. zoneinfo picks the right offset on both sides of DST."""
    return naive.replace(tzinfo=TZ)


# -- interval arithmetic ----------------------------------------------------------------------------


def normalise(intervals: Iterable[Interval]) -> list[Interval]:
    out: list[Interval] = []
    for s, e in sorted(i for i in intervals if i[1] > i[0]):
        if out and s <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return out


def subtract(intervals: list[Interval], cut: Interval) -> list[Interval]:
    cs, ce = cut
    out: list[Interval] = []
    for s, e in intervals:
        if ce <= s or e <= cs:
            out.append((s, e))
            continue
        if s < cs:
            out.append((s, cs))
        if ce < e:
            out.append((ce, e))
    return out


def intersect(intervals: list[Interval], keep: Interval) -> list[Interval]:
    ks, ke = keep
    return [(max(s, ks), min(e, ke)) for s, e in intervals if min(e, ke) > max(s, ks)]


# -- sites ------------------------------------------------------------------------------------------


@dataclass(slots=True)
class SiteWeek:
    """A site's opening hours this week, and why a weekday is closed."""

    site: Site
    open: DayIntervals = field(default_factory=dict)
    closed_reason: dict[int, str] = field(default_factory=dict)

    @property
    def open_days(self) -> list[int]:
        return [d for d in DAYS if self.open.get(d)]


def site_weeks(*, sites: Iterable[Site], week_start: date) -> dict[int, SiteWeek]:
    sites = list(sites)
    days = week_dates(week_start)
    site_ids = [s.id for s in sites]
    hours: dict[int, dict[int, Interval]] = defaultdict(dict)
    for oh in OpeningHours.objects.filter(site_id__in=site_ids, weekday__lt=5):
        hours[oh.site_id][oh.weekday] = (minutes(oh.opens), minutes(oh.closes))
    closed: dict[tuple[int | None, date], str] = {
        (c.site_id, c.date): c.reason or "Lukkedag" for c in ClosedDay.objects.filter(date__range=(days[0], days[-1]))
    }
    out: dict[int, SiteWeek] = {}
    for site in sites:
        sw = SiteWeek(site)
        for d, day in enumerate(days):
            holiday = holiday_name(day)
            reason = holiday or closed.get((site.id, day)) or closed.get((None, day))
            if reason:
                sw.closed_reason[d] = reason
            elif d in hours[site.id]:
                sw.open[d] = [hours[site.id][d]]
            else:
                sw.closed_reason[d] = "Ingen åbningstid"
        out[site.id] = sw
    return out


def all_sites_closed_days(week_start: date) -> dict[int, str]:
    """Days nobody works anywhere: public holidays and closed days for all sites."""
    out: dict[int, str] = {}
    for d, day in enumerate(week_dates(week_start)):
        name = holiday_name(day)
        if name:
            out[d] = name
    for c in ClosedDay.objects.filter(site__isnull=True, date__range=(week_start, week_start + timedelta(days=4))):
        out.setdefault(c.date.weekday(), c.reason or "Lukkedag")
    return out


# -- internships ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class WorkHours:
    """Hours a citizen spends at a company on one weekday (internship, partial return or job)."""

    day: int
    start: int
    end: int
    internship_id: int
    company_id: int
    kind: str


def active_internships(*, enrolment_ids: Iterable[int], week_start: date) -> dict[int, list[Internship]]:
    """Internships running some day of the week, per enrolment, with steps and company loaded."""
    friday = week_start + timedelta(days=4)
    out: dict[int, list[Internship]] = defaultdict(list)
    qs = (
        Internship.objects.filter(enrolment_id__in=list(enrolment_ids), start_date__lte=friday)
        .exclude(end_date__lt=week_start)
        .select_related("company")
        .prefetch_related("steps")
        .order_by("start_date", "id")
    )
    for internship in qs:
        out[internship.enrolment_id].append(internship)
    return out


def work_hours(internships: Iterable[Internship], week_start: date) -> list[WorkHours]:
    """The staircase step in force each day gives that day's hours (weekdays, daily start, minutes per day)."""
    out: list[WorkHours] = []
    for internship in internships:
        for d, day in enumerate(week_dates(week_start)):
            if day < internship.start_date or (internship.end_date and day > internship.end_date):
                continue
            step = internship.step_on(day)
            if step is None or d not in (step.weekdays or []):
                continue
            start = minutes(step.daily_start)
            out.append(
                WorkHours(
                    d, start, start + step.minutes_per_day(), internship.id, internship.company_id, internship.kind
                )
            )
    return out


def has_kind(internships: Iterable[Internship], kind: str) -> Internship | None:
    return next((i for i in internships if i.kind == kind), None)


PLACEMENT_KINDS = (InternshipKind.INTERNSHIP, InternshipKind.PARTIAL_RETURN)
