"""Admin changes to citizen data go into the audit log.

The admin writes a LogEntry for every add/change/delete; we translate the ones that touch a citizen
(the citizen itself or anything hanging off a citizen) into an audit row. The admin's change form also
shows the data, so the LogEntry doubles as a read of what was changed; plain reads in the admin are
recorded by AuditedAdminMixin (audit.admin).
"""
from collections.abc import Iterable

from django.apps import apps
from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.db.models.signals import post_save
from django.dispatch import receiver

_ACTIONS = {ADDITION: "create", CHANGE: "change", DELETION: "delete"}


# Where each admin-visible model keeps its citizens (a lookup from the model to Citizen ids). A test
# checks that every model pointing at a citizen or an enrolment is listed and its admin audits reads.
CITIZEN_PATHS = {
    "scheduler.citizen": "pk",
    "scheduler.enrolment": "citizen_id",
    "scheduler.citizenunavailability": "citizen_id",
    "scheduler.activityrequest": "enrolment__citizen_id",
    "scheduler.appointment": "citizens",
    "scheduler.unplacedtask": "citizens",
    "scheduler.feedtoken": "citizen_id",
    "scheduler.progressmeasurement": "enrolment__citizen_id",
    "scheduler.progressscore": "measurement__enrolment__citizen_id",
    "scheduler.progressreport": "enrolment__citizen_id",
    "scheduler.attendance": "citizen_id",
    "scheduler.agreement": "enrolment__citizen_id",
    "scheduler.meetingnote": "enrolment__citizen_id",
    "scheduler.changenotice": "citizen_id",
    "activities.internship": "enrolment__citizen_id",
    "activities.internshipstep": "internship__enrolment__citizen_id",
    "activities.coursemembership": "citizen_id",
    "activities.groupcourse": "members",
}


def citizen_ids_of(model_label: str, pks: Iterable[object]) -> list[int]:
    """The citizens behind these objects of one model (by app_label.model); none for other models."""
    path = CITIZEN_PATHS.get(model_label)
    ids = [int(pk) for pk in pks if str(pk).isdigit()]
    if path is None or not ids:
        return []
    model = apps.get_model(model_label)
    found = model.objects.filter(pk__in=ids).values_list(path, flat=True)
    return sorted({citizen_id for citizen_id in found if citizen_id is not None})


def citizen_ids_for(model_label: str, object_id: str | None) -> list[int]:
    """Which citizens an admin object belongs to (by app_label.model and primary key)."""
    return citizen_ids_of(model_label, [object_id] if object_id else [])


@receiver(post_save, sender=LogEntry, dispatch_uid="audit_admin_log_entry")
def audit_admin_change(sender: type, instance: LogEntry, created: bool, **kwargs: object) -> None:
    from audit.records import audit_record

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
