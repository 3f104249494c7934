"""When is a rule next due: the one place that decides it, for the planner (scheduler.demand.demand) and
for the overview (scheduler.overview), so the two never disagree.

A rule applies to an enrolment only through the enrolment's own model (its current phase's rules) and
only when its condition holds in the week: `in_internship` needs an internship, `employed` a partial
return to work, `after_job_start` a job that started by the week's Friday. An every-N-days rule ("a talk
is due every 28 days") counts from the last held appointment of its kind (an individual talk also counts
a start talk) on or after the start of what the rule follows (the internship, the partial return, the
job), or without one from that start, else the phase start or the enrolment start:
deadline = anchor + N days.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from activities.models import ActivityKind, ActivityRule, Condition, InternshipKind
from scheduler.availability import has_kind

if TYPE_CHECKING:
    from activities.models import Internship
    from scheduler.models import Enrolment

# A talk is a talk: the start talk is the first individual talk of a course.
HISTORY_KINDS: dict[str, tuple[str, ...]] = {
    ActivityKind.TALK: (ActivityKind.TALK, ActivityKind.START_TALK),
}


@dataclass(frozen=True)
class RuleStart:
    """A rule applies this week; `floor` is the start of what it follows (None: no such start)."""

    floor: date | None


@dataclass(frozen=True)
class RuleDue:
    """An every-N-days rule's last held appointment (None: never since the floor) and its deadline."""

    last_held: date | None
    deadline: date


def rule_start(
    rule: ActivityRule, enrolment: Enrolment, internships: list[Internship], *, week_start: date
) -> RuleStart | None:
    """None when the rule's condition does not hold for the enrolment in the week starting `week_start`."""
    if rule.condition == Condition.IN_INTERNSHIP:
        internship = has_kind(internships, InternshipKind.INTERNSHIP)
        return RuleStart(internship.start_date) if internship else None
    if rule.condition == Condition.EMPLOYED:
        partial = has_kind(internships, InternshipKind.PARTIAL_RETURN)
        return RuleStart(partial.start_date) if partial else None
    if rule.condition == Condition.AFTER_JOB_START:
        started = enrolment.job_started
        if started is None or started > week_start + timedelta(days=4):
            return None
        return RuleStart(started)
    return RuleStart(None)


def last_held(history: dict[str, date], kind: str, since: date | None = None) -> date | None:
    """The last day an appointment counting for `kind` was held, on or after `since`."""
    days = [history[k] for k in HISTORY_KINDS.get(kind, (kind,)) if k in history]
    days = [d for d in days if since is None or d >= since]
    return max(days) if days else None


def rule_due(rule: ActivityRule, enrolment: Enrolment, history: dict[str, date], start: RuleStart) -> RuleDue:
    """The deadline of an every-N-days rule (see the module docstring)."""
    last = last_held(history, rule.kind, since=start.floor)
    anchor = last or max(d for d in (start.floor, enrolment.phase_started, enrolment.start_date) if d is not None)
    return RuleDue(last, anchor + timedelta(days=max(1, rule.frequency_value)))


def own_rules(enrolments: list[Enrolment], **filters: object) -> dict[int, list[ActivityRule]]:
    """The rules of each enrolment's current phase (its own model), by phase id."""
    phase_ids = {e.current_phase_id for e in enrolments if e.current_phase_id}
    out: dict[int, list[ActivityRule]] = {}
    for rule in ActivityRule.objects.filter(phase_id__in=phase_ids, **filters).order_by("pk"):
        out.setdefault(rule.phase_id, []).append(rule)
    return out

