"""Publishing a week: numbered plan versions with stable appointment identities.

A draft Plan becomes the next version for its week and sites. Every appointment keeps its `uid`
across versions (matched by uid, else by the planner's task_key); what changed in time, place,
people or status gets `sequence` + 1 so calendar apps replace their copy; what the new version
lacks is carried over as cancelled, so nothing a citizen was told silently disappears.
"""
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import Enum

from django.db import transaction
from django.db.models import Max, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from rooms.models import Site
from scheduler.editing.services import appointment_fingerprint, plan_lock
from scheduler.errors import DomainError
from scheduler.models import Appointment, AppointmentStatus, Plan, PlanStatus
from scheduler.planning.proposals import plan_proposals, proposals_write
from scheduler.publishing.changes import (
    Change,
    appointment_change,
    appointment_moved_mark,
    appointments_match,
    with_people,
)


class PublishingError(DomainError):
    code = "publishing_error"


def _appointment_site_id(appointment: Appointment) -> int | None:
    if appointment.site_id:
        return appointment.site_id
    if appointment.room_id:
        return appointment.room.site_id
    if appointment.group_course_id:
        return appointment.group_course.site_id
    return None


def _copy_into(
    *, appointment: Appointment, plan: Plan, status: str, sequence: int, pinned: bool | None = None
) -> Appointment:
    consultants = list(appointment.consultants.all())
    citizens = list(appointment.citizens.all())
    updated_at = appointment.updated_at
    changed = status != appointment.status
    copy = Appointment.objects.create(
        plan=plan,
        uid=appointment.uid,
        task_key=appointment.task_key,
        kind=appointment.kind,
        start=appointment.start,
        end=appointment.end,
        site_id=appointment.site_id,
        room_id=appointment.room_id,
        company_id=appointment.company_id,
        place=appointment.place,
        group_course_id=appointment.group_course_id,
        status=status,
        pinned=appointment.pinned if pinned is None else pinned,
        sequence=sequence,
        rule=appointment.rule,
        enrolment_id=appointment.enrolment_id,
        activity_rule_id=appointment.activity_rule_id,
        request_id=appointment.request_id,
    )
    copy.consultants.set(consultants)
    copy.citizens.set(citizens)
    if not changed:
        # Unchanged data keeps its timestamp: LAST-MODIFIED and the feeds' validators stay put.
        Appointment.objects.filter(pk=copy.pk).update(updated_at=updated_at)
        copy.updated_at = updated_at
    return copy


_with_people = with_people


class Seen(Enum):
    # No one saw an older version: a command or a test publishes the draft as it is now.
    CURRENT = "current"


@transaction.atomic
def plan_publish(*, plan: Plan, seen_version: int | None | Seen = Seen.CURRENT, user: object | None = None) -> Plan:
    """Publish a draft as the next numbered version of its week.

    `seen_version`: the plan's lock version the coordinator looked at (the web UI and the API pass what the
    caller sent). A draft changed since raises StaleVersion (409), a missing version refuses with code
    "move_refused" on the field "version" (422): nobody publishes a plan they have not seen. Publishing an
    already published plan as it is now returns it unchanged.
    """
    if seen_version is not Seen.CURRENT:
        plan_lock(plan=plan, seen_version=seen_version)
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    if plan.status == PlanStatus.PUBLISHED:
        return plan
    if plan.status == PlanStatus.SUPERSEDED:
        raise PublishingError(_("Planen er allerede erstattet af en nyere version."), code="plan_superseded")

    site_ids = set(plan.sites.values_list("pk", flat=True))
    same_week = Plan.objects.filter(week_start=plan.week_start, sites__in=site_ids).distinct()
    # PostgreSQL refuses FOR UPDATE with DISTINCT: lock through a plain pk filter.
    previous_plans = list(
        Plan.objects.select_for_update().filter(pk__in=same_week.filter(status=PlanStatus.PUBLISHED).values("pk"))
    )
    highest = same_week.exclude(version__isnull=True).aggregate(v=Max("version"))["v"] or 0

    previous = list(_with_people(Appointment.objects.filter(plan__in=previous_plans)).order_by("start", "pk"))
    current = list(_with_people(plan.appointments.all()).order_by("start", "pk"))
    # The planner may have created a fresh uid for the same task: the match adopts the published identity.
    matched = appointments_match(current, previous)  # new pk -> previous appointment
    used = {prev.pk for prev in matched.values()}

    for a in current:
        prev = matched.get(a.pk)
        if prev is None:
            continue
        if appointment_fingerprint(a) == appointment_fingerprint(prev):
            Appointment.objects.filter(pk=a.pk).update(
                uid=prev.uid, sequence=prev.sequence, updated_at=prev.updated_at
            )
        else:
            a.uid = prev.uid
            a.sequence = max(prev.sequence + 1, a.sequence)
            a.save(update_fields=["uid", "sequence", "updated_at"])

    for prev in previous:
        if prev.pk in used:
            continue
        site_id = _appointment_site_id(prev)
        in_scope = site_id is None or site_id in site_ids
        if in_scope and prev.status == AppointmentStatus.PLANNED:
            # Cancelled because the new version lacks it, not by a coordinator: no pin holds it cancelled.
            _copy_into(
                appointment=prev, plan=plan, status=AppointmentStatus.CANCELLED, sequence=prev.sequence + 1,
                pinned=False,
            )
        else:
            # Already cancelled, or another site's appointment from a wider plan: carried as it was.
            _copy_into(appointment=prev, plan=plan, status=prev.status, sequence=prev.sequence)

    now = timezone.now()
    for old in previous_plans:
        old.status = PlanStatus.SUPERSEDED
        old.save(update_fields=["status"])
        # A plan covering more sites than the new one still answers for them through the copies above.
    plan.status = PlanStatus.PUBLISHED
    plan.version = highest + 1
    plan.published_at = now
    info = {**(plan.solver_info or {}), "replaced_plans": [old.pk for old in previous_plans]}
    if not info.get("proposals_accepted_at"):
        # The draft's contact consultants and course places become real with the plan that uses them.
        proposals_write(plan_proposals(plan))
        info["proposals_accepted_at"] = now.isoformat()
    plan.solver_info = info
    plan.save(update_fields=["status", "version", "published_at", "solver_info"])
    # "Moved" in this version means moved against the versions it replaced (scheduler.publishing.changes).
    appointment_moved_mark(plan=plan, previous=previous)
    _bookings_write(plan)
    from scheduler.publishing.feed_cache import feed_prewarm_after_publish

    feed_prewarm_after_publish(plan.pk)  # calendar apps poll soon after a publication: answers ready
    return plan


def _bookings_write(plan: Plan) -> None:
    """Occupancy rows for the published version, in the publishing transaction: the database's
    double-booking guard (Booking's unique constraint) then holds for published plans too, including the
    appointments carried over from an earlier version. A clash refuses the whole publication."""
    from django.db import IntegrityError

    from scheduler.planning.bookings import plan_bookings_write

    try:
        plan_bookings_write(plan=plan)
    except IntegrityError:
        raise PublishingError(
            _("Planen kan ikke offentliggøres: en konsulent, borger eller et lokale er dobbeltbooket i den."),
            code="double_booking",
        ) from None


def plan_publish_latest_draft(
    *, week_start: date, site: Site | None = None, user: object | None = None
) -> Plan:
    drafts = Plan.objects.filter(week_start=week_start, status=PlanStatus.DRAFT)
    if site is not None:
        drafts = drafts.filter(sites=site)
    draft = drafts.order_by("-created_at", "-pk").first()
    if draft is None:
        raise PublishingError(_("Der er ingen kladde for ugen at offentliggøre."), code="no_draft")
    return plan_publish(plan=draft, user=user)


@dataclass
class PlanDiff:
    """What changed between two versions, by stable uid. Pairs are (old, new)."""

    added: list[Appointment] = field(default_factory=list)
    moved: list[tuple[Appointment, Appointment]] = field(default_factory=list)
    cancelled: list[tuple[Appointment | None, Appointment | None]] = field(default_factory=list)
    unchanged: list[tuple[Appointment, Appointment]] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.added or self.moved or self.cancelled)


def plan_diff(old: Plan, new: Plan) -> PlanDiff:
    """Classified by scheduler.publishing.changes.appointment_change, the same computation as the
    appointments' `moved` flag: the publish summary, the export and plan_week agree."""
    previous = list(_with_people(old.appointments.all()).order_by("start", "pk"))
    current = list(_with_people(new.appointments.all()).order_by("start", "pk"))
    matched = appointments_match(current, previous)
    diff = PlanDiff()
    for a in current:
        before = matched.get(a.pk)
        change = appointment_change(before, a)
        if change == Change.ADDED:
            diff.added.append(a)
        elif change == Change.CANCELLED:
            diff.cancelled.append((before, a))
        elif change == Change.MOVED:
            diff.moved.append((before, a))
        elif before is not None:
            diff.unchanged.append((before, a))
    used = {p.pk for p in matched.values()}
    for before in previous:
        if before.pk not in used and before.status == AppointmentStatus.PLANNED:
            diff.cancelled.append((before, None))
    return diff


def published_appointments(*, start: datetime, end: datetime) -> QuerySet[Appointment]:
    """Appointments of the published versions overlapping [start, end)."""
    return Appointment.objects.filter(plan__status=PlanStatus.PUBLISHED, start__lt=end, end__gt=start)
