"""The weeks ahead: how many hours of talks, visits, meetings and course sessions each staff type at each
site will be asked for in the next 4–8 weeks, against the hours its consultants have.

    rows = load_forecast(site_ids=[site.pk], week_start=monday, weeks=6)

Demand is the planner's own: `week_demand` for each week (so scheduler.demand.rules decides when a rule is
due, as for planning and the overview), with the tasks of the weeks before assumed held on their due day
(a talk due "every 28 days" held in week 2 is next due four weeks later, not again in week 3). A task's
hours count once for each staff type it needs. Courses keep their current members; internships their
staircase steps; holidays and closed days take their days away.

Phases move on (`projected_phases`): an enrolment whose phase has a target length enters the model's
next phase (not an optional one) that many weeks after the phase started, and from the week that day
falls in gets the new phase's rules, with the new phase's start as the anchor of its every-N-days rules;
a phase after that moves on in the same way. Only moves after the first Monday are projected: the first
week is exactly what the planner asks for, and a phase already past its target length stays until the
coordinator moves the citizen on.

Available hours: each active consultant's weekly hours at their home site, split evenly over their staff
types and their working days; a day the site is closed or the consultant is absent all day counts
nothing, a day with a part-day absence counts the share of the working hours (the consultant's own for
that weekday, else the site's opening hours) the absence leaves.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from activities.models import Phase, StaffType
from rooms.models import Site
from scheduler.availability import minutes as clock_minutes
from scheduler.availability import site_weeks
from scheduler.demand.demand import week_demand
from scheduler.models import Absence, Consultant, Enrolment, EnrolmentStatus, WorkingHours


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


def _overlap(spans: list[tuple[int, int]], window: list[tuple[int, int]]) -> int:
    """Minutes of `window` covered by `spans` (overlapping spans count once)."""
    covered = 0
    for lo, hi in window:
        marks = sorted((max(a, lo), min(b, hi)) for a, b in spans if a < hi and lo < b)
        end = lo
        for a, b in marks:
            covered += max(0, b - max(a, end))
            end = max(end, b)
    return covered


def available_hours(site_ids: list[int], mondays: list[date]) -> dict[tuple[int, int, str], float]:
    """(week index, site, staff type) -> contracted hours available that week."""
    people = list(Consultant.objects.filter(active=True, home_site_id__in=site_ids).prefetch_related("staff_types"))
    windows: dict[int, dict[int, tuple[int, int]]] = defaultdict(dict)
    for consultant_id, weekday, start, end in WorkingHours.objects.filter(
            consultant__in=people, weekday__lt=5).values_list("consultant_id", "weekday", "start_time", "end_time"):
        windows[consultant_id][weekday] = (clock_minutes(start), clock_minutes(end))
    absent: dict[int, set[date]] = defaultdict(set)
    part: dict[tuple[int, date], list[tuple[int, int]]] = defaultdict(list)
    for a in Absence.objects.filter(consultant__in=people, start_date__lte=mondays[-1] + timedelta(days=4),
                                    end_date__gte=mondays[0]):
        day = a.start_date
        while day <= a.end_date:
            if a.start_time is None or a.end_time is None:
                absent[a.consultant_id].add(day)
            else:
                part[a.consultant_id, day].append((clock_minutes(a.start_time), clock_minutes(a.end_time)))
            day += timedelta(days=1)
    sites = list(Site.objects.filter(pk__in=site_ids))
    out: dict[tuple[int, int, str], float] = defaultdict(float)
    for w, monday in enumerate(mondays):
        weeks = site_weeks(sites=sites, week_start=monday)
        for c in people:
            days = set(windows[c.id]) or set(range(5))
            site_week = weeks.get(c.home_site_id)
            present = 0.0
            for d in sorted(days):
                day = monday + timedelta(days=d)
                if site_week is None or not site_week.open.get(d) or day in absent[c.id]:
                    continue
                window = [windows[c.id][d]] if d in windows[c.id] else list(site_week.open[d])
                length = sum(hi - lo for lo, hi in window)
                gone = _overlap(part.get((c.id, day), []), window)
                present += 1.0 - gone / length if length else 1.0
            codes = [st.code for st in c.staff_types.all()]
            for code in codes:
                out[w, c.home_site_id, code] += float(c.hours_per_week) * present / len(days) / len(codes)
    return out


def projected_phases(*, site_ids: list[int], mondays: list[date]) -> list[dict[int, tuple[Phase, date]]]:
    """Per week: enrolment -> (phase, the day it starts) for the enrolments projected into a later phase
    than the stored one that week (see the module docstring). The first week is always empty."""
    enrolments = list(
        Enrolment.objects.filter(status=EnrolmentStatus.ACTIVE, citizen__site_id__in=site_ids,
                                 current_phase__isnull=False).select_related("current_phase")
    )
    phases: dict[int, list[Phase]] = defaultdict(list)
    for p in Phase.objects.filter(model_id__in={e.current_phase.model_id for e in enrolments}).order_by(
            "model_id", "order"):
        phases[p.model_id].append(p)
    last_friday = mondays[-1] + timedelta(days=4)
    moves: dict[int, list[tuple[date, Phase]]] = {}
    for e in enrolments:
        phase, since = e.current_phase, e.phase_started or e.start_date
        ordered = phases[phase.model_id]
        while phase.target_weeks:
            begins = since + timedelta(weeks=phase.target_weeks)
            later = ordered[next(i for i, p in enumerate(ordered) if p.id == phase.id) + 1:]
            following = next((p for p in later if not p.optional), None)
            if following is None or begins <= mondays[0] or begins > last_friday:
                break
            moves.setdefault(e.id, []).append((begins, following))
            phase, since = following, begins
    out: list[dict[int, tuple[Phase, date]]] = [{} for _ in mondays]
    for w, monday in enumerate(mondays[1:], start=1):
        friday = monday + timedelta(days=4)
        for enrolment_id, steps in moves.items():
            reached = [(p, begins) for begins, p in steps if begins <= friday]
            if reached:
                out[w][enrolment_id] = reached[-1]
    return out


def load_forecast(*, site_ids: list[int], week_start: date, weeks: int = 6) -> list[ForecastRow]:
    """One row per week, site and staff type (every staff type, also those with no demand)."""
    mondays = [week_start + timedelta(weeks=w) for w in range(weeks)]
    minutes: dict[tuple[int, int, str], int] = defaultdict(int)
    tasks: dict[tuple[int, int, str], int] = defaultdict(int)
    assumed: dict[int, dict[str, date]] = defaultdict(dict)
    phases = projected_phases(site_ids=site_ids, mondays=mondays)
    for w, monday in enumerate(mondays):
        demand = week_demand(week_start=monday, site_ids=site_ids, assumed_held=assumed, assumed_phases=phases[w])
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
    available = available_hours(site_ids, mondays)
    names = dict(StaffType.objects.values_list("code", "name"))
    sites = list(Site.objects.filter(pk__in=site_ids).order_by("name"))
    return [
        ForecastRow(monday, s.pk, s.name, code, names[code], round(minutes[w, s.pk, code] / 60, 2),
                    round(available[w, s.pk, code], 2), tasks[w, s.pk, code])
        for s in sites for code in sorted(names) for w, monday in enumerate(mondays)
    ]
