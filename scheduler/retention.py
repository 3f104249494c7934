"""Retention: citizens' data go a set number of months after their last enrolment ended.

Off until settings.RETENTION_MONTHS is set. Then the daily django-q2 task (audit migration 0002,
`retention_run_task`) and `manage.py retention_run` delete, for every citizen whose enrolments have all
ended more than that many months ago, every copy of their data:

- the citizen with enrolments, requests, internships, course memberships, unavailability, attendance
  records, agreements, meeting notes and feed tokens (database cascades);
- the links from plan appointments and unplaced tasks (plans keep anonymous statistics: kind, time,
  consultant, room), the citizen's bookings, and their initials/reference in unplaced reasons;
- audit rows: citizen ids, object and path are masked (the row keeps who did what and when);
- the admin's change log (object names carry the full name);
- django-q2 task rows (queued, finished, scheduled) whose arguments or results mention the citizen;
- sessions whose data mention the citizen.

`manage.py retention_report` shows what would go, without names.
"""
import calendar
import logging
import re
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from activities.models import CourseMembership, Internship
from audit.models import AuditEvent
from scheduler.models import (
    ActivityRequest,
    Agreement,
    Appointment,
    Attendance,
    Booking,
    BookingResource,
    Citizen,
    CitizenUnavailability,
    Enrolment,
    EnrolmentStatus,
    FeedToken,
    MeetingNote,
    UnplacedTask,
)

logger = logging.getLogger(__name__)
MASK = "[anonymiseret]"


@dataclass
class RetentionItem:
    """One citizen due for deletion, with counts of what goes (no names: the report may be shared)."""

    citizen_id: int
    reference: str
    ended: date
    counts: dict[str, int] = field(default_factory=dict)


def months_before(day: date, months: int) -> date:
    year, month0 = divmod(day.year * 12 + (day.month - 1) - months, 12)
    # The 31st of a shorter month becomes its last day.
    return date(year, month0 + 1, min(day.day, calendar.monthrange(year, month0 + 1)[1]))


def retention_due(*, months: int, today: date | None = None) -> list[tuple[Citizen, date]]:
    """Citizens with no running enrolment whose last enrolment ended before the cut-off."""
    cutoff = months_before(today or timezone.localdate(), months)
    # An enrolment still marked active, or without an end date, keeps everything (even if overdue).
    running = Enrolment.objects.filter(Q(end_date__isnull=True) | Q(status=EnrolmentStatus.ACTIVE))
    citizens = (
        Citizen.objects.exclude(pk__in=running.values("citizen_id"))
        .annotate(last_end=Max("enrolments__end_date"))
        .filter(last_end__lt=cutoff)
        .order_by("pk")
    )
    return [(c, c.last_end) for c in citizens]


def _mention_pattern(citizen: Citizen) -> re.Pattern[str]:
    words = [re.escape(citizen.reference), re.escape(citizen.full_name)]
    # "citizen=12", "'citizen_id': 12", "citizens=[12" …
    words.append(rf"citizen\w*['\"]?\s*[:=]\s*\[?\s*{citizen.pk}\b")
    return re.compile("|".join(words), re.IGNORECASE)


def _task_rows_mentioning(pattern: re.Pattern[str]) -> dict[str, list[int]]:
    from django_q.models import OrmQ, Schedule, Task

    found: dict[str, list[int]] = {"queued_tasks": [], "finished_tasks": [], "schedules": []}
    for row in OrmQ.objects.all():
        task = row.task
        text = repr((task.get("name"), task.get("args"), task.get("kwargs"))) if isinstance(task, dict) else ""
        if pattern.search(text):
            found["queued_tasks"].append(row.pk)
    for row in Task.objects.all():
        if pattern.search(repr((row.name, row.args, row.kwargs, row.result))):
            found["finished_tasks"].append(row.pk)
    for row in Schedule.objects.all():
        if pattern.search(repr((row.name, row.args, row.kwargs))):
            found["schedules"].append(row.pk)
    return found


def _sessions_mentioning(pattern: re.Pattern[str]) -> list[str]:
    keys = []
    for session in Session.objects.filter(expire_date__gt=timezone.now()):
        if pattern.search(repr(session.get_decoded())):
            keys.append(session.session_key)
    return keys


def _related_ids(citizen: Citizen) -> dict[str, list[int]]:
    enrolment_ids = list(citizen.enrolments.values_list("pk", flat=True))
    return {
        "scheduler.citizen": [citizen.pk],
        "scheduler.enrolment": enrolment_ids,
        "scheduler.citizenunavailability": list(
            CitizenUnavailability.objects.filter(citizen=citizen).values_list("pk", flat=True)),
        "scheduler.activityrequest": list(
            ActivityRequest.objects.filter(enrolment_id__in=enrolment_ids).values_list("pk", flat=True)),
        "activities.internship": list(
            Internship.objects.filter(enrolment_id__in=enrolment_ids).values_list("pk", flat=True)),
        "activities.coursemembership": list(
            CourseMembership.objects.filter(citizen=citizen).values_list("pk", flat=True)),
    }


def _admin_log_rows(citizen: Citizen, related: dict[str, list[int]]) -> "Q":
    query = Q(object_repr__icontains=citizen.full_name)
    for label, pks in related.items():
        if not pks:
            continue
        app_label, model = label.split(".")
        content_type = ContentType.objects.filter(app_label=app_label, model=model).first()
        if content_type is not None:
            query |= Q(content_type=content_type, object_id__in=[str(pk) for pk in pks])
    return query


def _inventory(citizen: Citizen) -> tuple[dict[str, int], dict[str, object]]:
    pattern = _mention_pattern(citizen)
    related = _related_ids(citizen)
    tasks = _task_rows_mentioning(pattern)
    sessions = _sessions_mentioning(pattern)
    admin_log = _admin_log_rows(citizen, related)
    counts = {
        "enrolments": len(related["scheduler.enrolment"]),
        "appointment_links": Appointment.citizens.through.objects.filter(citizen=citizen).count(),
        "unplaced_links": UnplacedTask.citizens.through.objects.filter(citizen=citizen).count(),
        "bookings": Booking.objects.filter(resource_kind=BookingResource.CITIZEN, resource_id=citizen.pk).count(),
        "feed_tokens": FeedToken.objects.filter(citizen=citizen).count(),
        "attendance": Attendance.objects.filter(citizen=citizen).count(),
        "agreements": Agreement.objects.filter(enrolment__citizen=citizen).count(),
        "meeting_notes": MeetingNote.objects.filter(enrolment__citizen=citizen).count(),
        "audit_rows": AuditEvent.objects.for_citizen(citizen.pk).count(),
        "admin_log_rows": LogEntry.objects.filter(admin_log).count(),
        "sessions": len(sessions),
        **{name: len(pks) for name, pks in tasks.items()},
    }
    return counts, {"pattern": pattern, "tasks": tasks, "sessions": sessions, "admin_log": admin_log}


def retention_report(*, months: int, today: date | None = None) -> list[RetentionItem]:
    return [
        RetentionItem(citizen_id=c.pk, reference=c.reference, ended=ended, counts=_inventory(c)[0])
        for c, ended in retention_due(months=months, today=today)
    ]


def _scrub(text: str, citizen: Citizen) -> str:
    for word in {citizen.full_name, citizen.reference, citizen.initials} - {""}:
        text = re.sub(rf"\b{re.escape(word)}\b", MASK, text)
    return text


@transaction.atomic
def citizen_erase(*, citizen: Citizen) -> dict[str, int]:
    """Delete one citizen and every copy of their data (see the module docstring)."""
    from django_q.models import OrmQ, Schedule, Task

    counts, found = _inventory(citizen)
    pk = citizen.pk
    for unplaced in UnplacedTask.objects.filter(citizens=citizen):
        UnplacedTask.objects.filter(pk=unplaced.pk).update(
            reason=_scrub(unplaced.reason, citizen), rule=_scrub(unplaced.rule, citizen)
        )
    for appointment in Appointment.objects.filter(citizens=citizen):
        Appointment.objects.filter(pk=appointment.pk).update(rule=_scrub(appointment.rule, citizen))
    Booking.objects.filter(resource_kind=BookingResource.CITIZEN, resource_id=pk).delete()
    LogEntry.objects.filter(found["admin_log"]).update(object_repr=MASK, change_message="")
    tasks = found["tasks"]
    OrmQ.objects.filter(pk__in=tasks["queued_tasks"]).delete()
    Task.objects.filter(pk__in=tasks["finished_tasks"]).delete()
    Schedule.objects.filter(pk__in=tasks["schedules"]).delete()
    Session.objects.filter(session_key__in=found["sessions"]).delete()
    # The one sanctioned change to audit rows: storage limitation outranks an unaltered log.
    AuditEvent.objects.for_citizen(pk).update(citizen_ids="", object_repr=MASK, path="", masked=True)
    citizen.delete()  # cascades: enrolments, requests, internships, memberships, feed tokens, links
    return counts


def retention_run(*, months: int | None = None, today: date | None = None) -> list[RetentionItem]:
    """Erase every citizen due; nothing when retention is off (RETENTION_MONTHS unset)."""
    months = months if months is not None else settings.RETENTION_MONTHS
    if not months:
        return []
    done = []
    for citizen, ended in retention_due(months=months, today=today):
        reference = citizen.reference
        counts = citizen_erase(citizen=citizen)
        done.append(RetentionItem(citizen_id=0, reference=reference, ended=ended, counts=counts))
    if done:
        logger.info("retention: %d citizens erased (ended more than %d months ago)", len(done), months)
    return done


def retention_run_task() -> int:
    """django-q2 entry point (daily schedule)."""
    return len(retention_run())
