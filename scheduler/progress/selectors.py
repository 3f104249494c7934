"""Reading progress measurements: who may see which enrolment's scores, one enrolment's series (the
chart's data) and the distribution per site and target group (no names)."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from statistics import median

from django.db.models import Q, QuerySet

from rooms.models import Site
from scheduler.access import Scope
from scheduler.attendance.selectors import citizen_attendance
from scheduler.models import (
    INDICATORS,
    Consultant,
    Enrolment,
    ProgressGroup,
    ProgressMeasurement,
)

# A fall of at least this much in a group's mean since the previous measurement marks a difficult period.
DROP = 1.0
BINS = ((1, 3), (3, 5), (5, 7), (7, 9), (9, 11))  # half-open ranges of the mean score, 1–10


def enrolments_visible(scope: Scope) -> QuerySet[Enrolment]:
    """Enrolments whose progress the caller may read and score: a planner's sites, else a consultant's own
    citizens (as contact person); nobody else."""
    qs = Enrolment.objects.select_related("citizen", "citizen__site", "target_group", "intervention_model")
    if scope.is_admin:
        return qs
    q = Q(citizen__site_id__in=scope.site_ids or ())
    if scope.consultant_id is not None:
        q |= Q(contact_consultant_id=scope.consultant_id)
    return qs.filter(q)


def progress_site_ids(scope: Scope) -> set[int]:
    """Sites whose distribution (no names) the caller may see: a planner's, or the sites a consultant serves."""
    if scope.is_admin:
        return set(Site.objects.values_list("pk", flat=True))
    if scope.is_planner:
        return set(scope.site_ids or ())
    consultant = Consultant.objects.filter(pk=scope.consultant_id).first()
    if consultant is None:
        return set()
    return {consultant.home_site_id, *consultant.sites.values_list("pk", flat=True)}


def enrolment_visible(scope: Scope, pk: int) -> Enrolment | None:
    return enrolments_visible(scope).filter(pk=pk).first()


@dataclass
class Point:
    measured_on: date
    scores: dict[str, int]
    group_means: dict[str, float]
    difficult: bool  # flagged by the consultant, or a group fell by DROP or more
    flagged: bool
    note: str
    measurement_id: int

    @property
    def mean(self) -> float:
        return round(sum(self.scores.values()) / len(self.scores), 2) if self.scores else 0.0


@dataclass
class Series:
    enrolment_id: int
    points: list[Point] = field(default_factory=list)

    def indicator(self, code: str) -> list[tuple[date, int]]:
        return [(p.measured_on, p.scores[code]) for p in self.points if code in p.scores]

    def group(self, group: str) -> list[tuple[date, float]]:
        return [(p.measured_on, p.group_means[group]) for p in self.points if group in p.group_means]

    def difficult_periods(self) -> list[tuple[date, date]]:
        """From the measurement before a difficult one to the difficult one (the stretch that went badly)."""
        periods = []
        for i, point in enumerate(self.points):
            if point.difficult:
                start = self.points[i - 1].measured_on if i else point.measured_on
                periods.append((start, point.measured_on))
        return periods

    def change(self) -> dict[str, float]:
        """Each indicator's change from the first to the latest measurement."""
        if len(self.points) < 2:
            return {}
        first, last = self.points[0].scores, self.points[-1].scores
        return {code: last[code] - first[code] for code in last if code in first}


def _group_means(scores: dict[str, int]) -> dict[str, float]:
    out: dict[str, list[int]] = defaultdict(list)
    for ind in INDICATORS:
        if ind.code in scores:
            out[ind.group].append(scores[ind.code])
    return {group: round(sum(v) / len(v), 2) for group, v in out.items()}


def _series_of(enrolment_id: int, measurements: list[ProgressMeasurement]) -> Series:
    series = Series(enrolment_id=enrolment_id)
    previous: dict[str, float] | None = None
    for m in sorted(measurements, key=lambda m: m.measured_on):
        scores = {s.indicator: s.score for s in m.scores.all()}
        means = _group_means(scores)
        dropped = previous is not None and any(
            previous.get(g, v) - v >= DROP for g, v in means.items()
        )
        series.points.append(Point(
            measured_on=m.measured_on, scores=scores, group_means=means, difficult=m.difficult_period or dropped,
            flagged=m.difficult_period, note=m.note, measurement_id=m.pk,
        ))
        previous = means
    return series


def progress_series(enrolment: Enrolment) -> Series:
    """The enrolment's measurements in date order, with group means and difficult periods."""
    measurements = list(ProgressMeasurement.objects.filter(enrolment=enrolment).prefetch_related("scores"))
    return _series_of(enrolment.pk, measurements)


@dataclass(frozen=True)
class StabilitySuggestion:
    """A suggested "mødestabilitet" score from the attendance record since the last measurement."""

    score: int
    held: int
    settled: int  # held + no-show + afbud
    since: date


def stability_suggestion(
    enrolment: Enrolment, series: Series, *, today: date | None = None
) -> StabilitySuggestion | None:
    """Held share of the settled appointments since the last measurement (else the course start), on
    1–10: all held → 10, half → 5. None while nothing is settled (centre cancellations do not count)."""
    since = series.points[-1].measured_on if series.points else enrolment.start_date
    record = citizen_attendance(citizen_ids=[enrolment.citizen_id], since=since, until=today)[enrolment.citizen_id]
    settled = record.attended + record.missed
    if not settled:
        return None
    return StabilitySuggestion(max(1, min(10, round(10 * record.attended / settled))), record.attended, settled, since)


@dataclass
class DistributionRow:
    """One site and target group: how the citizens measured there stand and moved (no names, counts only)."""

    site_name: str
    site_code: str
    target_group: str
    enrolments: int = 0
    measured: int = 0
    latest_means: list[float] = field(default_factory=list)
    changes: list[float] = field(default_factory=list)
    group_latest: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))

    @property
    def median_latest(self) -> float | None:
        return round(median(self.latest_means), 1) if self.latest_means else None

    @property
    def median_change(self) -> float | None:
        return round(median(self.changes), 1) if self.changes else None

    @property
    def improved(self) -> int:
        return sum(1 for c in self.changes if c > 0)

    @property
    def histogram(self) -> list[int]:
        return [sum(1 for m in self.latest_means if lo <= m < hi) for lo, hi in BINS]

    @property
    def group_medians(self) -> dict[str, float | None]:
        return {g: (round(median(self.group_latest[g]), 1) if self.group_latest.get(g) else None)
                for g in ProgressGroup.values}


def progress_distribution(*, site_ids: set[int], active_on: date | None = None) -> list[DistributionRow]:
    """Per site and target group, over enrolments of those sites (active on `active_on`, or all): how many
    were measured, the median of their latest mean score, and of their change since the first measurement."""
    qs = Enrolment.objects.filter(citizen__site_id__in=site_ids).select_related("citizen__site", "target_group")
    if active_on is not None:
        qs = qs.filter(Q(end_date__isnull=True) | Q(end_date__gte=active_on), start_date__lte=active_on)
    enrolments = list(qs)
    by_enrolment: dict[int, list[ProgressMeasurement]] = defaultdict(list)
    for m in ProgressMeasurement.objects.filter(enrolment__in=enrolments).prefetch_related("scores"):
        by_enrolment[m.enrolment_id].append(m)
    rows: dict[tuple[int, int], DistributionRow] = {}
    for e in enrolments:
        key = (e.citizen.site_id, e.target_group_id)
        row = rows.get(key) or rows.setdefault(key, DistributionRow(
            site_name=e.citizen.site.name, site_code=e.citizen.site.code, target_group=e.target_group.name))
        row.enrolments += 1
        series = _series_of(e.pk, by_enrolment.get(e.pk, []))
        if not series.points:
            continue
        row.measured += 1
        last = series.points[-1]
        row.latest_means.append(last.mean)
        for g, v in last.group_means.items():
            row.group_latest[g].append(v)
        if len(series.points) > 1:
            row.changes.append(round(last.mean - series.points[0].mean, 2))
    return sorted(rows.values(), key=lambda r: (r.site_name, r.target_group))
