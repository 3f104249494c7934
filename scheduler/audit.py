"""Recording who viewed or changed which citizen's data (the audit log lives in the `audit` app).

Call `audit_record` from every view and API operation that shows or changes citizen data. It never
stores names or secret tokens: the caller passes a reference ("Borger 12", "Plan 7"), and the request
path is stored with secret links redacted.
"""
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

from django.http import HttpRequest
from django.utils import timezone

from audit.models import AuditAction
from audit.records import actor_label, audit_record
from config.client_address import client_ip

__all__ = ["AuditAction", "actor_label", "audit_objects", "audit_record", "client_ip", "consultant_week_citizen_ids"]


def citizen_ids_of(objects: Iterable[object]) -> set[int]:
    """The citizens behind API/UI objects: citizens, and anything linked to one directly, through an
    enrolment, or through an internship. Other objects (sites, rooms, consultants) name no citizen."""
    from activities.models import Internship
    from scheduler.models import Citizen, Enrolment

    ids: set[int] = set()
    enrolment_ids: set[int] = set()
    internship_ids: set[int] = set()
    for obj in objects:
        if isinstance(obj, Citizen):
            ids.add(obj.pk)
        elif getattr(obj, "citizen_id", None) is not None:
            ids.add(obj.citizen_id)
        elif getattr(obj, "enrolment_id", None) is not None:
            enrolment_ids.add(obj.enrolment_id)
        elif getattr(obj, "internship_id", None) is not None:
            internship_ids.add(obj.internship_id)
    if internship_ids:
        enrolment_ids |= set(Internship.objects.filter(pk__in=internship_ids).values_list("enrolment_id", flat=True))
    if enrolment_ids:
        ids |= set(Enrolment.objects.filter(pk__in=enrolment_ids).values_list("citizen_id", flat=True))
    return ids


def audit_objects(*, request: HttpRequest, action: str, objects: Iterable[object], label: str) -> None:
    """Audit an API/UI answer that showed or changed these objects (no row if no citizen is involved)."""
    objects = list(objects)
    ids = citizen_ids_of(objects)
    if not ids:
        return
    user = getattr(request, "auth", None) or getattr(request, "user", None)
    object_repr = f"{label} {objects[0].pk}" if len(objects) == 1 else f"{label} ({len(objects)})"
    audit_record(actor=user, action=action, citizen_ids=ids, object_repr=object_repr, request=request)


def consultant_week_citizen_ids(*, consultant: object, week_start: date) -> set[int]:
    """Citizens on a consultant's published week (what the consultant's PDF shows)."""
    from scheduler.models import Appointment, PlanStatus

    start = timezone.make_aware(datetime.combine(week_start, time.min))
    end = start + timedelta(days=7)
    return set(
        Appointment.objects.filter(
            plan__status=PlanStatus.PUBLISHED, start__gte=start, start__lt=end, consultants=consultant,
            citizens__isnull=False,
        ).values_list("citizens", flat=True)
    )


def audit_plan_answer(*, request: HttpRequest, body: dict, action: str = AuditAction.VIEW) -> dict:
    """Audit an API plan answer (appointments and unplaced tasks carry citizen ids); returns the body."""
    ids: set[int] = set()
    for row in [*body.get("appointments", []), *body.get("unplaced", [])]:
        ids.update(row.get("citizens", []))
    user = getattr(request, "auth", None) or getattr(request, "user", None)
    audit_record(actor=user, action=action, citizen_ids=ids, object_repr=f"Plan {body.get('id')}", request=request)
    return body
