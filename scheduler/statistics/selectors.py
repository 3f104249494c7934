"""Ended courses (enrolments closed with an outcome) per site, referring jobcentre or target group: how
many ended, with which outcomes, the share ended successfully against the model's goal (seed 000: at
least 70 %), the median length against the target group's normal length, and the attendance rate
(held / (held + no-show + afbud), from scheduler.attendance). Counts only, no names.
"""
from __future__ import annotations

import csv
import io
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from html import escape
from statistics import median

from django.utils import timezone

from scheduler.attendance.selectors import citizen_attendance
from scheduler.models import AttendanceStatus, Enrolment, EnrolmentStatus

DIMENSIONS = {"center": "Center", "jobcenter": "Jobcenter", "maalgruppe": "Målgruppe"}


@dataclass
class OutcomeRow:
    key: str
    ended: int = 0
    successful: int = 0
    goals: list[int] = field(default_factory=list)
    weeks: list[float] = field(default_factory=list)
    normal: set[tuple[int, int]] = field(default_factory=set)
    outcomes: Counter[str] = field(default_factory=Counter)
    held: int = 0
    missed: int = 0

    @property
    def success_share(self) -> float | None:
        return round(100 * self.successful / self.ended, 1) if self.ended else None

    @property
    def goal(self) -> int:
        return round(sum(self.goals) / len(self.goals)) if self.goals else 70

    @property
    def meets_goal(self) -> bool:
        return self.success_share is not None and self.success_share >= self.goal

    @property
    def median_weeks(self) -> float | None:
        return round(median(self.weeks), 1) if self.weeks else None

    @property
    def normal_weeks(self) -> str:
        spans = sorted(self.normal)
        return ", ".join(f"{lo}–{hi}" if lo != hi else str(lo) for lo, hi in spans)

    @property
    def outcome_list(self) -> list[tuple[str, int]]:
        return self.outcomes.most_common()

    @property
    def attendance_rate(self) -> float | None:
        settled = self.held + self.missed
        return round(100 * self.held / settled, 1) if settled else None


def _key(e: Enrolment, by: str) -> str:
    if by == "jobcenter":
        return e.referring_jobcentre
    if by == "maalgruppe":
        return e.target_group.name
    return e.citizen.site.name


def outcome_statistics(*, site_ids: set[int], by: str = "center", since: date | None = None,
                       until: date | None = None) -> tuple[list[OutcomeRow], OutcomeRow]:
    """Rows for each value of the dimension `by` (center, jobcenter, maalgruppe) and a total, over
    enrolments of these sites that ended with an outcome between `since` and `until` (end date)."""
    until = until or timezone.localdate()
    qs = Enrolment.objects.filter(citizen__site_id__in=site_ids, status=EnrolmentStatus.ENDED,
                                  outcome__isnull=False, end_date__lte=until)
    if since is not None:
        qs = qs.filter(end_date__gte=since)
    enrolments = list(qs.select_related("citizen__site", "target_group", "outcome", "intervention_model"))
    attendance = citizen_attendance(
        citizen_ids={e.citizen_id for e in enrolments},
        since=min((e.start_date for e in enrolments), default=None), until=until,
    ) if enrolments else {}
    rows: dict[str, OutcomeRow] = defaultdict(lambda: OutcomeRow(""))
    total = OutcomeRow("I alt")
    for e in enrolments:
        row = rows[_key(e, by)]
        row.key = _key(e, by)
        held = missed = 0
        for line in attendance[e.citizen_id].lines:
            day = timezone.localtime(line.start).date()
            if e.start_date <= day <= e.end_date:
                held += line.status == AttendanceStatus.HELD
                missed += line.status in (AttendanceStatus.NO_SHOW, AttendanceStatus.CITIZEN_CANCELLED)
        for r in (row, total):
            r.ended += 1
            r.successful += e.outcome.successful
            r.goals.append(e.intervention_model.success_goal_percent)
            r.weeks.append(round((e.end_date - e.start_date).days / 7, 1))
            r.normal.add((e.target_group.min_weeks, e.target_group.max_weeks))
            r.outcomes[e.outcome.name] += 1
            r.held += held
            r.missed += missed
    return sorted(rows.values(), key=lambda r: r.key), total


CSV_HEADER = ["dimension", "værdi", "afsluttede", "succesfulde", "andel succesfulde (%)", "mål (%)",
              "median længde (uger)", "normal længde (uger)", "fremmøde (%)", "udfald"]


def outcome_statistics_csv(rows: list[OutcomeRow], total: OutcomeRow, by: str) -> str:
    """Semicolon-separated, decimal comma (opens in a Danish spreadsheet as is); outcomes as "name: n"."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(CSV_HEADER)

    def num(value: float | None) -> str:
        return "" if value is None else f"{value}".replace(".", ",")

    for row in [*rows, total]:
        writer.writerow([
            DIMENSIONS[by], row.key, row.ended, row.successful, num(row.success_share), row.goal,
            num(row.median_weeks), row.normal_weeks, num(row.attendance_rate),
            " | ".join(f"{name}: {n}" for name, n in row.outcomes.most_common()),
        ])
    return out.getvalue()


def share_plot_svg(rows: list[OutcomeRow], goal: int) -> str:
    """Horizontal bars: each row's share ended successfully, with the goal as a dashed line."""
    left, width, bar, gap = 190.0, 360.0, 18.0, 8.0
    height = 30 + len(rows) * (bar + gap)
    x_goal = left + width * goal / 100
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {left + width + 60:.0f} {height:.0f}" width="100%" '
        f'role="img" aria-labelledby="share-title" font-family="sans-serif" font-size="11" fill="#222">',
        f'<title id="share-title">Andel afsluttet succesfuldt pr. række; stiplet linje: målet {goal} %</title>',
    ]
    for i, row in enumerate(rows):
        y = 10 + i * (bar + gap)
        share = row.success_share or 0.0
        colour = "#0072b2" if row.meets_goal else "#d55e00"
        parts.append(f'<text x="{left - 8}" y="{y + bar - 5:.1f}" text-anchor="end">{escape(row.key[:34])}</text>'
                     f'<rect x="{left}" y="{y:.1f}" width="{width * share / 100:.1f}" height="{bar}" fill="{colour}"/>'
                     f'<text x="{left + width * share / 100 + 4:.1f}" y="{y + bar - 5:.1f}">{share:.0f} %'
                     f' ({row.successful}/{row.ended})</text>')
    parts.append(f'<line x1="{x_goal:.1f}" x2="{x_goal:.1f}" y1="4" y2="{height - 16:.1f}" stroke="#222" '
                 f'stroke-dasharray="5 3"/><text x="{x_goal:.1f}" y="{height - 4:.1f}" text-anchor="middle">'
                 f'mål {goal} %</text></svg>')
    return "".join(parts)
