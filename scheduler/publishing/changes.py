"""What changed for an appointment against the published version it is compared with: the one
computation behind every "moved" the product shows.

The export's `moved` flag, `plan_week`'s summary, `plan_diff` and `publish_week`'s summary all read
`appointment_change` through `appointments_match` (or the flag it set, `appointment_moved_mark`), so
they cannot disagree. "Moved" means: still planned, and something a calendar must hear about changed
(time, place, room, people — `appointment_fingerprint`). A cancellation is never "moved".

What a plan is compared with: a draft with the published plans of its week and sites; a published
version with the versions it replaced (plan_publish compares at publishing and stores the flags).
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from enum import StrEnum

from scheduler.models import Appointment, AppointmentStatus, Plan, PlanStatus


class Change(StrEnum):
    ADDED = "added"  # new, or planned again after being cancelled
    MOVED = "moved"
    CANCELLED = "cancelled"
    UNCHANGED = "unchanged"


Fingerprint = tuple


def appointment_fingerprint(appointment: Appointment) -> Fingerprint:
    """Everything whose change a calendar (or a citizen) must hear about."""
    return (
        appointment.kind,
        appointment.start,
        appointment.end,
        appointment.site_id,
        appointment.room_id,
        appointment.company_id,
        appointment.place,
        appointment.group_course_id,
        appointment.status,
        frozenset(c.pk for c in appointment.consultants.all()),
        frozenset(c.pk for c in appointment.citizens.all()),
    )


def appointment_change(before: Appointment | None, after: Appointment) -> Change:
    """How `after` differs from `before` (the published appointment with its uid or task, or None)."""
    planned = after.status == AppointmentStatus.PLANNED
    if before is None or before.status == AppointmentStatus.CANCELLED:
        if planned:
            return Change.ADDED
        return Change.UNCHANGED  # cancelled then and now, or never shown to anyone
    if not planned:
        return Change.CANCELLED
    return Change.UNCHANGED if appointment_fingerprint(after) == appointment_fingerprint(before) else Change.MOVED


def appointments_match(current: Iterable[Appointment], previous: Iterable[Appointment]) -> dict[int, Appointment]:
    """current pk -> the previous appointment it continues: the same uid first, else the same task
    (nearest in time), each previous appointment used once."""
    current = list(current)
    by_uid = {a.uid: a for a in previous}
    by_task: dict[str, list[Appointment]] = defaultdict(list)
    for a in by_uid.values():
        by_task[a.task_key].append(a)
    matched: dict[int, Appointment] = {}
    used: set[int] = set()
    for a in current:
        prev = by_uid.get(a.uid)
        if prev is not None and prev.pk not in used:
            matched[a.pk] = prev
            used.add(prev.pk)
    for a in current:
        if a.pk in matched:
            continue
        candidates = [p for p in by_task.get(a.task_key, []) if p.pk not in used]
        if candidates:
            prev = min(candidates, key=lambda p: abs((p.start - a.start).total_seconds()))
            matched[a.pk] = prev
            used.add(prev.pk)
    return matched


def with_people(queryset):  # noqa: ANN001, ANN201 - QuerySet[Appointment]
    return queryset.select_related("room", "group_course").prefetch_related("consultants", "citizens")


def plan_reference(plan: Plan) -> list[Appointment]:
    """The published appointments a plan is compared with: for a draft the published plans of its week
    and sites, for a published version the versions it replaced (recorded at publishing)."""
    if plan.status == PlanStatus.DRAFT:
        site_ids = list(plan.sites.values_list("pk", flat=True))
        plans = Plan.objects.filter(
            week_start=plan.week_start, status=PlanStatus.PUBLISHED, sites__in=site_ids
        ).values("pk")
    else:
        plans = Plan.objects.filter(pk__in=(plan.solver_info or {}).get("replaced_plans", [])).values("pk")
    return list(with_people(Appointment.objects.filter(plan__in=plans)).order_by("start", "pk"))


def appointment_moved_mark(*, plan: Plan, previous: list[Appointment] | None = None) -> list[str]:
    """Set the `moved` flag of every appointment of the plan against `previous` (default:
    plan_reference); returns the task keys flagged, sorted. Leaves updated_at alone (feeds' validators)."""
    if previous is None:
        previous = plan_reference(plan)
    current = list(with_people(plan.appointments.all()).order_by("start", "pk"))
    matched = appointments_match(current, previous)
    moved_pks = [a.pk for a in current if appointment_change(matched.get(a.pk), a) == Change.MOVED]
    plan.appointments.exclude(pk__in=moved_pks).filter(moved=True).update(moved=False)
    plan.appointments.filter(pk__in=moved_pks, moved=False).update(moved=True)
    flagged = set(moved_pks)
    return sorted(a.task_key for a in current if a.pk in flagged)
