"""Changes to a plan, for the web UI, the API and the commands alike: optimistic locking (the version the
caller saw), pin, move (checked by the solver's own verifier), cancel, placing an unplaced task by hand,
and what a change to a published plan means for the calendars (SEQUENCE).

Occupancy rows live in scheduler.planning.bookings; the Danish wording of a refused move in
scheduler.editing.wording.
"""
import itertools
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from scheduler.data_epoch import data_changed
from scheduler.editing.wording import violation_message
from scheduler.errors import DomainError
from scheduler.models import (
    Appointment,
    AppointmentStatus,
    Booking,
    CancelReason,
    Consultant,
    Plan,
    PlanStatus,
)
from scheduler.planning.bookings import appointment_book
from scheduler.planning.proposals import plan_proposals, proposals_applied, proposals_write
from scheduler.publishing.changes import Fingerprint, appointment_fingerprint, appointment_moved_mark

if TYPE_CHECKING:
    from solver.verify import Violation

class StaleVersion(DomainError):
    code = "stale_version"
    conflict = True

    def __init__(self, plan: Plan, seen: int | None) -> None:
        super().__init__(
            _("Planen er ændret af en anden siden du hentede den (version %(seen)s, nu %(now)s). "
              "Hent planen igen.") % {"seen": seen, "now": plan.lock_version}
        )
        self.plan = plan


class MoveRefused(DomainError):
    code = "move_refused"
    field = "start"


class NotEditable(DomainError):
    code = "not_editable"
    conflict = True


def recent_changes(plan: Plan, limit: int = 10) -> list[dict[str, Any]]:
    """What changed lately in a plan: the most recently updated appointments (for a 409 answer)."""
    rows = plan.appointments.order_by("-updated_at", "-pk").prefetch_related("consultants")[:limit]
    return [
        {"id": a.pk, "start": a.start.isoformat(), "end": a.end.isoformat(), "status": a.status, "pinned": a.pinned,
         "room": a.room_id, "consultants": sorted(c.pk for c in a.consultants.all()),
         "updated_at": a.updated_at.isoformat()}
        for a in rows
    ]


def plan_lock(*, plan: Plan, seen_version: int | None) -> None:
    """Compare-and-swap on Plan.lock_version; call inside the transaction of the change."""
    if seen_version is None:
        raise MoveRefused(_("Send den version af planen du så (feltet version eller If-Match)."), field="version")
    if not Plan.objects.filter(pk=plan.pk, lock_version=seen_version).update(lock_version=F("lock_version") + 1):
        plan.refresh_from_db(fields=["lock_version"])
        raise StaleVersion(plan, seen_version)
    plan.lock_version = seen_version + 1
    data_changed()  # an update sends no signal; plan reads show lock_version


def _editable(appointment: Appointment) -> None:
    if appointment.plan.status == PlanStatus.SUPERSEDED:
        raise NotEditable(_("En erstattet planversion kan ikke ændres."))


@transaction.atomic
def appointment_pin(*, appointment: Appointment, pinned: bool, seen_version: int | None) -> Appointment:
    _editable(appointment)
    if appointment.plan.status != PlanStatus.DRAFT:
        raise NotEditable(_("Kun aftaler i en kladde kan fastlåses. Planlæg ugen igen for at få en kladde."))
    plan_lock(plan=appointment.plan, seen_version=seen_version)
    appointment.pinned = pinned
    appointment.save(update_fields=["pinned", "updated_at"])
    return appointment


@transaction.atomic
def appointment_cancel_locked(
    *, appointment: Appointment, seen_version: int | None, user: object = None, reason: str = ""
) -> Appointment:
    _editable(appointment)
    plan_lock(plan=appointment.plan, seen_version=seen_version)
    appointment = appointment_cancel(appointment=appointment, user=user, reason=reason)
    Booking.objects.filter(appointment=appointment).delete()
    return appointment


# -- changes to a plan that calendars must hear about ---------------------------------------------


@transaction.atomic
def appointment_record_change(*, appointment: Appointment, before: Fingerprint) -> Appointment:
    """Call after changing an appointment (take `before` with appointment_fingerprint first).

    In a published plan a material change bumps SEQUENCE at once, because subscribed calendars see
    it on their next refresh. In a draft, plan_publish sets the sequence against the last version.
    """
    if appointment.plan.status == PlanStatus.PUBLISHED and appointment_fingerprint(appointment) != before:
        Appointment.objects.filter(pk=appointment.pk).update(
            sequence=F("sequence") + 1, updated_at=timezone.now()
        )
        appointment.refresh_from_db(fields=["sequence", "updated_at"])
        data_changed()  # an update sends no signal; cached feeds show the sequence
    return appointment


@transaction.atomic
def appointment_cancel(*, appointment: Appointment, user: object | None = None, reason: str = "") -> Appointment:
    """Cancel (never delete): the appointment stays visible as cancelled in feeds and ugeskemaer.

    A coordinator's decision, so it is pinned: re-planning keeps it cancelled (and out of the solver)
    until someone unpins it in a draft, which hands the task back to the planner."""
    if appointment.status == AppointmentStatus.CANCELLED:
        return appointment
    before = appointment_fingerprint(appointment)
    appointment.status = AppointmentStatus.CANCELLED
    appointment.pinned = True
    appointment.cancel_reason = reason if reason in CancelReason.values else ""
    appointment.save(update_fields=["status", "pinned", "cancel_reason", "updated_at"])
    # A cancelled appointment frees its slots for re-planning.
    appointment.bookings.all().delete()
    appointment = appointment_record_change(appointment=appointment, before=before)
    appointment_moved_refresh(appointment)
    return appointment


@transaction.atomic
def appointment_restore(*, appointment: Appointment, seen_version: int | None) -> Appointment:
    """Undo a cancellation in a draft: the appointment comes back at its time if the verifier still
    accepts it there (a colleague or a re-plan may have used the time since)."""
    _editable(appointment)
    if appointment.plan.status != PlanStatus.DRAFT:
        raise NotEditable(_("Kun en aflysning i en kladde kan fortrydes. Planlæg ugen igen for at få en kladde."))
    if appointment.status != AppointmentStatus.CANCELLED:
        return appointment
    from solver.verify import Code

    # A task no longer in the week's demand may still come back (the coordinator's call); everything
    # else the verifier says holds, and the occupancy rows refuse a double booking on top.
    violations = [v for v in move_violations(appointment=appointment, start=appointment.start,
                                             consultant_ids=sorted(c.pk for c in appointment.consultants.all()),
                                             room_id=appointment.room_id) if v.code != Code.UNKNOWN_TASK]
    if violations:
        field, message = violation_message(violations[0])
        raise MoveRefused(_("Tiden er ikke længere ledig: %(why)s") % {"why": message}, field=field)
    plan_lock(plan=appointment.plan, seen_version=seen_version)
    before = appointment_fingerprint(appointment)
    appointment.status = AppointmentStatus.PLANNED
    appointment.cancel_reason = ""
    appointment.save(update_fields=["status", "cancel_reason", "updated_at"])
    appointment_book(appointment=appointment)
    appointment = appointment_record_change(appointment=appointment, before=before)
    appointment_moved_refresh(appointment)
    return appointment


def appointment_moved_refresh(appointment: Appointment) -> None:
    """The plan's `moved` flags after an edit, by the one computation (scheduler.publishing.changes)."""

    appointment_moved_mark(plan=appointment.plan)
    appointment.refresh_from_db(fields=["moved"])


# -- move, checked by the independent verifier ---------------------------------------------------

def _order_consultants(ids: list[int], requirements: tuple, types: dict[int, frozenset[str]]) -> tuple[int, ...]:
    if len(ids) == len(requirements) and all(k in types for k in ids):
        for perm in itertools.permutations(ids):
            if all(types[k] & req for k, req in zip(perm, requirements, strict=True)):
                return perm
    return tuple(ids)


def move_violations(
    *, appointment: Appointment, start: datetime, consultant_ids: list[int], room_id: int | None
) -> list["Violation"]:
    """Hard-rule violations the move would cause, via the real Problem (scheduler.editing.wording words them)."""
    from scheduler.problem.builder import grid_of, problem_build
    from solver import problem as sp
    from solver.verify import SHARED_RESOURCE_CODES, Code, Field, Violation, verify

    plan = appointment.plan
    site_ids = list(plan.sites.values_list("pk", flat=True))
    with proposals_applied(plan_proposals(plan)):  # the week as the draft sees it
        built = problem_build(week_start=plan.week_start, site_ids=site_ids)
    problem = built.problem
    grid = grid_of(problem)
    types = {c.id: c.staff_types for c in problem.consultants}
    tasks = problem.task_by_id()
    task = tasks.get(appointment.task_key)
    if task is None:  # no longer due this week
        return [Violation(Code.UNKNOWN_TASK, appointment.task_key, None)]
    slot = grid.slot_of_datetime(start)
    if slot is None:
        return [Violation(Code.NOT_WITHIN_ONE_DAY, task.id, Field.START, {"slot": -1})]
    # The coordinator moves it on purpose: its own pin and fixed time no longer bind it.
    task = replace(task, pinned=None, fixed_start=None, window=sp.Window(0, problem.num_slots))
    tasks[task.id] = task
    problem = replace(problem, tasks=tuple(tasks[t.id] for t in problem.tasks))
    placements: list[sp.Placement] = []
    others = (
        plan.appointments.filter(status=AppointmentStatus.PLANNED).exclude(pk=appointment.pk)
        .prefetch_related("consultants")
    )
    for other in others:
        other_task = tasks.get(other.task_key)
        other_slot = grid.slot_of_datetime(other.start)
        if other_task is None or other_slot is None:
            continue
        people = _order_consultants(sorted(c.pk for c in other.consultants.all()), other_task.staff_requirements, types)
        placements.append(sp.Placement(
            other_task.id, other_slot, people, other.room_id if other_task.place == "site" else None, other.site_id,
        ))
    room_site = None
    if room_id is not None:
        from rooms.models import Room

        room_site = Room.objects.filter(pk=room_id).values_list("site_id", flat=True).first()
    site_id = room_site if task.place == "site" else None
    if task.place == "site" and site_id is None:
        site_id = appointment.site_id
    moved = sp.Placement(task.id, slot, _order_consultants(consultant_ids, task.staff_requirements, types),
                         room_id if task.place == "site" else None, site_id)
    placed_ids = {p.task_id for p in placements} | {task.id}
    unplaced = tuple(sp.Unplaced(t.id, "ikke med i tjekket") for t in problem.tasks if t.id not in placed_ids)
    feasible = sp.SolveStatus.FEASIBLE
    before = set(verify(problem, sp.Solution(tuple(placements), unplaced + (sp.Unplaced(task.id, "x"),),
                                             feasible, 0, None, None, 0)))
    after = verify(problem, sp.Solution(tuple([*placements, moved]), unplaced, feasible, 0, None, None, 0))
    # The moved task's own rules, and shared resources (double bookings, daily and weekly caps) it
    # newly breaks for anyone.
    return [v for v in after if v not in before and (v.task_id == task.id or v.code in SHARED_RESOURCE_CODES)]


def move_refs_check(
    *, consultant_ids: list[int] | None, room_id: int | None, allowed_site_ids: frozenset[int] | set[int] | None
) -> None:
    """Consultants and a room named in a move must exist within the caller's sites (None: every site).
    One outside them gets the same answer as one that does not exist."""
    from rooms.models import Room

    sites = None if allowed_site_ids is None else list(allowed_site_ids)
    if consultant_ids:
        found = Consultant.objects.filter(pk__in=consultant_ids)
        if sites is not None:
            found = found.filter(Q(home_site_id__in=sites) | Q(sites__in=sites))
        known = set(found.values_list("pk", flat=True))
        for pk in consultant_ids:
            if pk not in known:
                raise MoveRefused(_("Konsulent med id %(id)s findes ikke.") % {"id": pk}, field="consultants")
    if room_id is not None:
        rooms = Room.objects.filter(pk=room_id)
        if sites is not None:
            rooms = rooms.filter(site_id__in=sites)
        if not rooms.exists():
            raise MoveRefused(_("Lokale med id %(id)s findes ikke.") % {"id": room_id}, field="room")


@transaction.atomic
def appointment_move(
    *, appointment: Appointment, start: datetime, consultant_ids: list[int] | None, room_id: int | None,
    seen_version: int | None, allowed_site_ids: frozenset[int] | set[int] | None = None,
) -> Appointment:
    """Move an appointment (and maybe give it other consultants or another room), verified by the
    planner's own checker. `allowed_site_ids`: the caller's sites (None: administrator)."""
    _editable(appointment)
    # Only what the caller names is checked: the appointment's own people and room are already in it.
    move_refs_check(consultant_ids=consultant_ids, room_id=room_id if room_id != appointment.room_id else None,
                    allowed_site_ids=allowed_site_ids)
    consultant_ids = consultant_ids or sorted(c.pk for c in appointment.consultants.all())
    if room_id is None:
        room_id = appointment.room_id
    violations = move_violations(appointment=appointment, start=start, consultant_ids=consultant_ids, room_id=room_id)
    if violations:
        field, message = violation_message(violations[0])
        raise MoveRefused(message, field=field)
    plan_lock(plan=appointment.plan, seen_version=seen_version)
    before = appointment_fingerprint(appointment)
    duration = appointment.end - appointment.start
    appointment.start, appointment.end = start, start + duration
    appointment.room_id = room_id
    if appointment.room_id:
        appointment.site_id = appointment.room.site_id
    # Moved by hand: pinned, so re-planning keeps it where the coordinator put it.
    appointment.pinned = True
    appointment.save()
    appointment.consultants.set(consultant_ids)
    appointment_book(appointment=appointment)
    appointment = appointment_record_change(appointment=appointment, before=before)
    appointment_moved_refresh(appointment)
    return appointment


_UNSEEN = object()


@transaction.atomic
def plan_proposals_accept(*, plan: Plan, seen_version: int | None | object = _UNSEEN) -> Plan:
    """Write a draft's proposals for good now (publishing does the same); the draft records when.

    `seen_version`: the plan's lock version the coordinator looked at (the API passes what the caller
    sent; a stale one raises StaleVersion). Accepting twice, or after publishing, changes nothing."""
    if seen_version is not _UNSEEN:
        plan_lock(plan=plan, seen_version=seen_version)  # type: ignore[arg-type]
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    info = plan.solver_info or {}
    if info.get("proposals_accepted_at"):
        return plan
    if plan.status != PlanStatus.DRAFT:
        raise NotEditable(_("Kun en kladdes forslag kan godkendes."))
    proposals_write(plan_proposals(plan))
    plan.solver_info = {**info, "proposals_accepted_at": timezone.now().isoformat()}
    plan.save(update_fields=["solver_info"])
    return plan
