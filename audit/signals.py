"""Admin changes to citizen data go into the audit log.

The admin writes a LogEntry for every add/change/delete; we translate the ones that touch a citizen
(the citizen itself or anything hanging off a citizen) into an audit row. The admin's change form also
shows the data, so the LogEntry doubles as a read of what was changed; plain reads in the admin are
recorded by AuditedAdminMixin (audit.admin).
"""
from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.db.models.signals import post_save
from django.dispatch import receiver

_ACTIONS = {ADDITION: "create", CHANGE: "change", DELETION: "delete"}


def citizen_ids_for(model_label: str, object_id: str | None) -> list[int]:
    """Which citizens an admin object belongs to (by app_label.model and primary key)."""
    from scheduler.models import (
        ActivityRequest,
        Appointment,
        CitizenUnavailability,
        Enrolment,
        UnplacedTask,
    )

    if not object_id or not str(object_id).isdigit():
        return []
    pk = int(object_id)
    match model_label:
        case "scheduler.citizen":
            return [pk]
        case "scheduler.enrolment":
            return list(Enrolment.objects.filter(pk=pk).values_list("citizen_id", flat=True))
        case "scheduler.citizenunavailability":
            return list(CitizenUnavailability.objects.filter(pk=pk).values_list("citizen_id", flat=True))
        case "scheduler.activityrequest":
            return list(ActivityRequest.objects.filter(pk=pk).values_list("enrolment__citizen_id", flat=True))
        case "scheduler.appointment":
            return list(Appointment.objects.filter(pk=pk).values_list("citizens", flat=True))
        case "scheduler.unplacedtask":
            return list(UnplacedTask.objects.filter(pk=pk).values_list("citizens", flat=True))
        case "activities.internship":
            from activities.models import Internship

            return list(Internship.objects.filter(pk=pk).values_list("enrolment__citizen_id", flat=True))
        case "activities.coursemembership":
            from activities.models import CourseMembership

            return list(CourseMembership.objects.filter(pk=pk).values_list("citizen_id", flat=True))
    return []


@receiver(post_save, sender=LogEntry, dispatch_uid="audit_admin_log_entry")
def audit_admin_change(sender: type, instance: LogEntry, created: bool, **kwargs: object) -> None:
    from scheduler.audit import audit_record

    if not created or instance.content_type_id is None:
        return
    label = f"{instance.content_type.app_label}.{instance.content_type.model}"
    citizen_ids = citizen_ids_for(label, instance.object_id)
    if not citizen_ids and instance.action_flag == DELETION and label == "scheduler.citizen":
        citizen_ids = [int(instance.object_id)]
    audit_record(
        actor=instance.user,
        action=_ACTIONS.get(instance.action_flag, "change"),
        citizen_ids=citizen_ids,
        object_repr=f"admin {label} {instance.object_id}",
    )
