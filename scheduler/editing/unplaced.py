"""Placing an unplaced task by hand at one of the ranked options (scheduler.editing.options), checked by
the same verifier as a move (scheduler.editing.services.move_violations)."""
from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.utils.translation import gettext as _

from activities.models import ActivityKind, ActivityRule, Place
from rooms.models import Room
from scheduler.availability import active_internships
from scheduler.editing.services import (
    MoveRefused,
    NotEditable,
    appointment_moved_refresh,
    move_refs_check,
    move_violations,
    plan_lock,
)
from scheduler.editing.wording import violation_message
from scheduler.models import (
    Appointment,
    PlanStatus,
    UnplacedTask,
)
from scheduler.planning.bookings import appointment_book

DEFAULT_DURATION = 60
# Kinds a coordinator can place by hand from "find a time": one citizen, one consultant.
PLACEABLE_KINDS = {
    ActivityKind.START_TALK, ActivityKind.TALK, ActivityKind.CONTACT, ActivityKind.S7A, ActivityKind.STEPUP,
    ActivityKind.ASSESSMENT, ActivityKind.FOLLOWUP_VISIT, ActivityKind.ROUNDTABLE, ActivityKind.PROGRESS,
}


# -- placing an unplaced task by hand --------------------------------------------------------------


def _rule_of(task: UnplacedTask) -> ActivityRule | None:
    return task.activity_rule if task.activity_rule_id else None


def unplaced_task_duration(*, task: UnplacedTask) -> int:
    if task.request_id:
        return task.request.duration_minutes
    rule = _rule_of(task)
    return rule.duration_minutes if rule else DEFAULT_DURATION


def unplaced_task_is_placeable(*, task: UnplacedTask) -> bool:
    return task.kind in PLACEABLE_KINDS and len(task.citizens.all()) == 1


@transaction.atomic
def unplaced_task_place(
    *, task: UnplacedTask, start: datetime, consultant_ids: list[int], room_id: int | None, seen_version: int | None,
    allowed_site_ids: frozenset[int] | set[int] | None = None,
) -> Appointment:
    """Turn an unplaced task into an appointment of the draft, if the verifier accepts it.

    The appointment is written first so the verifier sees it exactly as it would be stored; a refusal
    raises MoveRefused and the transaction rolls back. `allowed_site_ids`: the caller's sites (None:
    administrator); consultants and rooms outside them are answered like unknown ones.
    """
    move_refs_check(consultant_ids=consultant_ids, room_id=room_id, allowed_site_ids=allowed_site_ids)

    plan = task.plan
    if plan.status != PlanStatus.DRAFT:
        raise NotEditable(_("Kun en kladde kan ændres. Planlæg ugen igen for at få en kladde."))
    rule = _rule_of(task)
    request = task.request if task.request_id else None
    place = rule.place if rule else (Place.COMPANY if request and request.company_id else Place.SITE)
    company_id = None
    if place == Place.COMPANY:
        company_id = request.company_id if request and request.company_id else _company_of(task)
    room = Room.objects.filter(pk=room_id).first() if room_id and place == Place.SITE else None
    citizen = task.citizens.first()
    appointment = Appointment.objects.create(
        plan=plan, task_key=task.task_key, kind=task.kind, start=start,
        end=start + timedelta(minutes=unplaced_task_duration(task=task)),
        site_id=room.site_id if room else citizen.site_id if citizen else None, room=room, company_id=company_id,
        place=place, group_course_id=task.group_course_id, rule=task.rule, enrolment_id=task.enrolment_id,
        activity_rule=rule, request=request,
        pinned=True,  # placed by hand: re-planning keeps it where the coordinator put it
    )
    appointment.consultants.set(consultant_ids)
    appointment.citizens.set(task.citizens.all())
    violations = move_violations(
        appointment=appointment, start=start, consultant_ids=consultant_ids, room_id=room.pk if room else None
    )
    if violations:
        raise MoveRefused(violation_message(violations[0])[1])
    plan_lock(plan=plan, seen_version=seen_version)
    appointment_book(appointment=appointment)
    task.delete()
    appointment_moved_refresh(appointment)
    return appointment


def _company_of(task: UnplacedTask) -> int | None:
    if not task.enrolment_id:
        return None
    internships = active_internships(enrolment_ids=[task.enrolment_id], week_start=task.plan.week_start)
    found = next(iter(internships.get(task.enrolment_id, [])), None)
    return found.company_id if found else None
