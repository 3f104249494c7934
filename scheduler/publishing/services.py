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
from scheduler.editing.services import plan_lock
from scheduler.errors import DomainError
from scheduler.models import Appointment, AppointmentStatus, Plan, PlanStatus
from scheduler.planning.proposals import plan_proposals, proposals_write
from scheduler.publishing.changes import (
    Change,
    appointment_change,
    appointment_fingerprint,
    appointment_moved_mark,
    appointments_match,
    with_people,
)
from scheduler.weeks import started_week_check, week_started


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


def _held_restore(a: Appointment, prev: Appointment) -> None:
    """Give `a` (the draft's row) the published appointment's time, place, people and status back."""
    for name in ("kind", "start", "end", "site_id", "room_id", "company_id", "place", "group_course_id", "status"):
        setattr(a, name, getattr(prev, name))
    a.save(update_fields=["kind", "start", "end", "site", "room", "company", "place", "group_course", "status"])
    a.consultants.set(list(prev.consultants.all()))
    a.citizens.set(list(prev.citizens.all()))


def started_appointments_keep(
    *, current: list[Appointment], previous: list[Appointment], matched: dict[int, Appointment], now: datetime,
) -> tuple[list[Appointment], list[Appointment]]:
    """In a week that has begun, what has begun is history: (kept, dropped).

    A published appointment that started before `now` stays as it was published (never moved, never
    cancelled by the new version); when there is a published version, a draft appointment that would start
    before `now` without continuing one is news about the past (nobody was told, it did not happen) and is
    left out. Both lists are of the draft's rows; the rows are changed (restored or deleted) here."""
    kept, dropped = [], []
    for a in current:
        prev = matched.get(a.pk)
        started = prev is not None and prev.start < now
        if started or (prev is None and a.start < now):
            if prev is None:
                if previous:
                    dropped.append(a)
                continue
            if appointment_fingerprint(a) != appointment_fingerprint(prev):
                _held_restore(a, prev)
                kept.append(a)
        elif prev is not None and a.start < now:  # moved into the past: it stays where it was
            _held_restore(a, prev)
            kept.append(a)
    for a in dropped:
        a.delete()
    return kept, dropped


@dataclass
class StartedWeekPreview:
    """What publishing a draft of a week that has begun will do (shown before the coordinator confirms)."""

    now: datetime
    kept: list[tuple[Appointment, Appointment]] = field(default_factory=list)  # (published, draft): kept as published
    dropped: list[Appointment] = field(default_factory=list)  # draft appointments in the past, left out
    changes: list[tuple[str, Appointment | None, Appointment | None]] = field(default_factory=list)  # rest of week


def started_week_preview(*, plan: Plan, now: datetime | None = None) -> StartedWeekPreview | None:
    """None unless the plan's week has begun; else what publishing it keeps, leaves out and changes (read only,
    the same rules as started_appointments_keep)."""
    now = now or timezone.now()
    if not week_started(plan.week_start, now=now):
        return None
    from scheduler.publishing.changes import plan_reference

    previous = plan_reference(plan)
    current = list(_with_people(plan.appointments.all()).order_by("start", "pk"))
    matched = appointments_match(current, previous)
    preview = StartedWeekPreview(now=now)
    for a in current:
        prev = matched.get(a.pk)
        if (prev is not None and prev.start < now) or a.start < now:
            if prev is None:
                if previous:
                    preview.dropped.append(a)
            elif appointment_fingerprint(a) != appointment_fingerprint(prev):
                preview.kept.append((prev, a))
            continue
        change = appointment_change(prev, a)
        if change != Change.UNCHANGED:
            preview.changes.append((str(change), prev, a))
    used = {p.pk for p in matched.values()}
    for prev in previous:
        if prev.pk not in used and prev.status == AppointmentStatus.PLANNED and prev.start >= now:
            preview.changes.append((str(Change.CANCELLED), prev, None))
    return preview


@transaction.atomic
def plan_publish(*, plan: Plan, seen_version: int | None | Seen = Seen.CURRENT, user: object | None = None,
                 allow_started_week: bool = True) -> Plan:
    """Publish a draft as the next numbered version of its week.

    `seen_version`: the plan's lock version the coordinator looked at (the web UI and the API pass what the
    caller sent). A draft changed since raises StaleVersion (409), a missing version refuses with code
    "move_refused" on the field "version" (422): nobody publishes a plan they have not seen. Publishing an
    already published plan as it is now returns it unchanged.

    In a week that has begun, appointments that already started are always kept as published
    (started_appointments_keep). Entry points people use (publish_week, the web page, the API) pass their
    explicit answer as `allow_started_week`: False refuses a started week (WeekStarted, code "week_started").
    """
    if seen_version is not Seen.CURRENT:
        plan_lock(plan=plan, seen_version=seen_version)
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    if plan.status == PlanStatus.PUBLISHED:
        return plan
    if plan.status == PlanStatus.SUPERSEDED:
        raise PublishingError(_("Planen er allerede erstattet af en nyere version."), code="plan_superseded")
    now = timezone.now()
    started_week_check(plan.week_start, allow=allow_started_week, now=now)

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
    started = {}
    if week_started(plan.week_start, now=now):
        kept, dropped = started_appointments_keep(current=current, previous=previous, matched=matched, now=now)
        current = [a for a in current if a not in dropped]
        started = {"kept": len(kept), "dropped": len(dropped), "at": now.isoformat()}
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
        if in_scope and prev.status == AppointmentStatus.PLANNED and prev.start >= now:
            # Cancelled because the new version lacks it, not by a coordinator: no pin holds it cancelled.
            _copy_into(
                appointment=prev, plan=plan, status=AppointmentStatus.CANCELLED, sequence=prev.sequence + 1,
                pinned=False,
            )
        else:
            # Already cancelled, already begun (history), or another site's appointment from a wider plan:
            # carried as it was.
            _copy_into(appointment=prev, plan=plan, status=prev.status, sequence=prev.sequence)

    for old in previous_plans:
        old.status = PlanStatus.SUPERSEDED
        old.save(update_fields=["status"])
        # A plan covering more sites than the new one still answers for them through the copies above.
    plan.status = PlanStatus.PUBLISHED
    plan.version = highest + 1
    plan.published_at = now
    info = {**(plan.solver_info or {}), "replaced_plans": [old.pk for old in previous_plans]}
    if started:
        info["started_week"] = started
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
    from scheduler.publishing.notifications import change_notices_after_publish

    change_notices_after_publish(plan)  # version N>1: e-mail the people it changes things for
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
    *, week_start: date, site: Site | None = None, user: object | None = None, allow_started_week: bool = True
) -> Plan:
    drafts = Plan.objects.filter(week_start=week_start, status=PlanStatus.DRAFT)
    if site is not None:
        drafts = drafts.filter(sites=site)
    draft = drafts.order_by("-created_at", "-pk").first()
    if draft is None:
        raise PublishingError(_("Der er ingen kladde for ugen at offentliggøre."), code="no_draft")
    return plan_publish(plan=draft, user=user, allow_started_week=allow_started_week)


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
