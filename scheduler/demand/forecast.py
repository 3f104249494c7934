"""The weeks ahead: how many hours of talks, visits, meetings and course sessions each staff type at each
site will be asked for in the next 4–8 weeks, against the hours its consultants have.

    rows = load_forecast(site_ids=[site.pk], week_start=monday, weeks=6)

Demand is the planner's own: `week_demand` for each week (so scheduler.demand.rules decides when a rule is
due, as for planning and the overview), with the tasks of the weeks before assumed held on their due day
(a talk due "every 28 days" held in week 2 is next due four weeks later, not again in week 3). A task's
hours count once for each staff type it needs. Enrolments keep their current phase; courses their
current members; internships their staircase steps; holidays and closed days take their days away.

Available hours: each active consultant's weekly hours at their home site, split evenly over their staff
types, times the share of their working days that the site is open and they are not absent all day.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from activities.models import StaffType
from rooms.models import Site
from scheduler.availability import site_weeks
from scheduler.demand.demand import week_demand
from scheduler.models import Absence, Consultant, WorkingHours


@dataclass(frozen=True, slots=True)
class ForecastRow:
    week_start: date
    site_id: int
    site_name: str
    staff_type: str
    staff_type_name: str
    demand_hours: float
    available_hours: float
    tasks: int

    @property
    def fits(self) -> bool:
        return self.demand_hours <= self.available_hours

    @property
    def share(self) -> int:
        """Demand as a percentage of the available hours (999 when none are available)."""
        if self.available_hours <= 0:
            return 0 if self.demand_hours <= 0 else 999
        return round(100 * self.demand_hours / self.available_hours)


def _available(site_ids: list[int], mondays: list[date]) -> dict[tuple[int, int, str], float]:
    """(week index, site, staff type) -> contracted hours available that week."""
    people = list(Consultant.objects.filter(active=True, home_site_id__in=site_ids).prefetch_related("staff_types"))
    workdays: dict[int, set[int]] = defaultdict(set)
    for consultant_id, weekday in WorkingHours.objects.filter(
            consultant__in=people, weekday__lt=5).values_list("consultant_id", "weekday"):
        workdays[consultant_id].add(weekday)
    absent: dict[int, set[date]] = defaultdict(set)
    for a in Absence.objects.filter(consultant__in=people, start_time__isnull=True,
                                    start_date__lte=mondays[-1] + timedelta(days=4), end_date__gte=mondays[0]):
        day = a.start_date
        while day <= a.end_date:
            absent[a.consultant_id].add(day)
            day += timedelta(days=1)
    sites = list(Site.objects.filter(pk__in=site_ids))
    out: dict[tuple[int, int, str], float] = defaultdict(float)
    for w, monday in enumerate(mondays):
        open_days = {s: set(sw.open_days) for s, sw in site_weeks(sites=sites, week_start=monday).items()}
        for c in people:
            days = workdays[c.id] or set(range(5))
            present = [d for d in days if d in open_days.get(c.home_site_id, set())
                       and monday + timedelta(days=d) not in absent[c.id]]
            codes = [st.code for st in c.staff_types.all()]
            for code in codes:
                out[w, c.home_site_id, code] += float(c.hours_per_week) * len(present) / len(days) / len(codes)
    return out


def load_forecast(*, site_ids: list[int], week_start: date, weeks: int = 6) -> list[ForecastRow]:
    """One row per week, site and staff type (every staff type, also those with no demand)."""
    mondays = [week_start + timedelta(weeks=w) for w in range(weeks)]
    minutes: dict[tuple[int, int, str], int] = defaultdict(int)
    tasks: dict[tuple[int, int, str], int] = defaultdict(int)
    assumed: dict[int, dict[str, date]] = defaultdict(dict)
    for w, monday in enumerate(mondays):
        demand = week_demand(week_start=monday, site_ids=site_ids, assumed_held=assumed)
        for d in demand.demands:
            site_id = min(d.site_ids)
            for alternatives in d.staff_types:
                key = (w, site_id, min(alternatives))
                minutes[key] += d.duration_minutes
                tasks[key] += 1
            if d.enrolment_id is not None:
                kinds = assumed[d.enrolment_id]
                if d.kind not in kinds or kinds[d.kind] < d.due_by:
                    kinds[d.kind] = d.due_by
    available = _available(site_ids, mondays)
    names = dict(StaffType.objects.values_list("code", "name"))
    sites = list(Site.objects.filter(pk__in=site_ids).order_by("name"))
    return [
        ForecastRow(monday, s.pk, s.name, code, names[code], round(minutes[w, s.pk, code] / 60, 2),
                    round(available[w, s.pk, code], 2), tasks[w, s.pk, code])
        for s in sites for code in sorted(names) for w, monday in enumerate(mondays)
    ]
