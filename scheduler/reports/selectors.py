"""What a progress report says, gathered once for the PDF (no ORM objects leave this module's dataclasses
except the enrolment itself)."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from django.db.models import QuerySet
from django.utils import timezone

from activities.models import ActivityKind
from scheduler.access import Scope
from scheduler.agreements.selectors import citizen_agreements
from scheduler.attendance.selectors import citizen_attendance
from scheduler.models import INDICATORS, AgreementKind, AttendanceStatus, Enrolment, ProgressReport, Responsible
from scheduler.progress.selectors import Series, enrolments_visible, progress_series


@dataclass(frozen=True)
class AttendanceRow:
    kind: str
    week: str
    held: int
    missed: int  # no-show + afbud
    cancelled: int  # by the centre


@dataclass(frozen=True)
class IndicatorRow:
    group: str
    label: str
    first: int | None
    latest: int | None

    @property
    def change(self) -> int | None:
        return None if self.first is None or self.latest is None else self.latest - self.first


@dataclass
class ReportContent:
    enrolment: Enrolment
    outcome: str
    successful: bool | None
    end: date
    weeks: int
    attended: int = 0
    missed: int = 0
    attendance: list[AttendanceRow] = field(default_factory=list)
    series: Series | None = None
    indicators: list[IndicatorRow] = field(default_factory=list)
    agreements: list[tuple[date, str]] = field(default_factory=list)


def _agreement_line(kind: str, responsible: str, text: str, due_by: date) -> str:
    if kind == AgreementKind.NEXT_MEETING:
        return f"Næste samtale senest {due_by:%d.%m.%Y}"
    who = str(Responsible(responsible).label) if responsible else ""
    return f"{who}: {text} – senest {due_by:%d.%m.%Y}" if who else f"{text} – senest {due_by:%d.%m.%Y}"


def report_content(enrolment: Enrolment) -> ReportContent:
    end = enrolment.end_date or timezone.localdate()
    outcome = enrolment.outcome
    content = ReportContent(
        enrolment=enrolment, outcome=outcome.name if outcome else "", end=end,
        successful=outcome.successful if outcome else None,
        weeks=max(0, (end - enrolment.start_date).days + 6) // 7,
    )
    record = citizen_attendance(citizen_ids=[enrolment.citizen_id], since=enrolment.start_date, until=end)
    seen = record[enrolment.citizen_id]
    content.attended, content.missed = seen.attended, seen.missed
    for (kind, week), counts in sorted(seen.by_kind_and_week().items(), key=lambda kv: (kv[0][1], kv[0][0])):
        counts = Counter(counts)
        content.attendance.append(AttendanceRow(
            kind=str(ActivityKind(kind).label) if kind in ActivityKind.values else kind, week=week,
            held=counts[AttendanceStatus.HELD],
            missed=counts[AttendanceStatus.NO_SHOW] + counts[AttendanceStatus.CITIZEN_CANCELLED],
            cancelled=counts[AttendanceStatus.CENTRE_CANCELLED],
        ))
    series = progress_series(enrolment)
    content.series = series
    first = series.points[0].scores if series.points else {}
    last = series.points[-1].scores if series.points else {}
    content.indicators = [IndicatorRow(str(i.group).upper(), i.label, first.get(i.code), last.get(i.code))
                          for i in INDICATORS]
    lines = citizen_agreements(citizen_ids=[enrolment.citizen_id])[enrolment.citizen_id]
    content.agreements = [(a.made_on, _agreement_line(a.kind, a.responsible, a.text, a.due_by)) for a in lines
                          if a.made_on >= enrolment.start_date]
    return content


def reports_visible(scope: Scope) -> QuerySet[ProgressReport]:
    """Reports of the enrolments whose progress the caller may see (scheduler.progress.selectors)."""
    return ProgressReport.objects.filter(enrolment__in=enrolments_visible(scope)).select_related("enrolment")
