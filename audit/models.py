"""The audit log: who viewed or changed which citizen's data, and when.

Append-only: a saved row refuses to be saved again and refuses to be deleted. The one exception is
retention (scheduler.retention), which masks citizen references with a queryset update once the
citizen's data must be gone (GDPR storage limitation outranks an unaltered log).

Citizens are referenced by primary key in `citizen_ids` as ",12,45," so "rows about citizen 12" is a
plain, portable `__contains=",12,"` lookup on SQLite and PostgreSQL alike. Rows never hold names: the
object_repr is written by the caller as a reference ("Borger 12", "Plan 7"), not as a name.
"""
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditAction(models.TextChoices):
    VIEW = "view", _("Læst")
    EXPORT = "export", _("Eksporteret")
    CREATE = "create", _("Oprettet")
    CHANGE = "change", _("Ændret")
    DELETE = "delete", _("Slettet")
    LOGIN = "login", _("Logget ind")


class AuditEventError(Exception):
    """Raised when code tries to change or delete an audit row."""


class AuditEventQuerySet(models.QuerySet):
    def delete(self):  # noqa: ANN201 - mirrors QuerySet.delete
        raise AuditEventError("Audit rows cannot be deleted.")

    def for_citizen(self, citizen_id: int) -> "AuditEventQuerySet":
        return self.filter(citizen_ids__contains=f",{citizen_id},")


class AuditEvent(models.Model):
    at = models.DateTimeField(_("tidspunkt"), auto_now_add=True, db_index=True)
    # No foreign key to the user: deleting a user must not rewrite (or cascade into) the log.
    actor_user_id = models.PositiveBigIntegerField(_("bruger-id"), null=True, blank=True, db_index=True)
    actor = models.CharField(_("aktør"), max_length=160)
    action = models.CharField(_("handling"), max_length=12, choices=AuditAction.choices)
    citizen_ids = models.TextField(_("borgere (id)"), blank=True, default="")
    object_repr = models.CharField(_("objekt"), max_length=200, blank=True)
    path = models.CharField(_("adresse"), max_length=300, blank=True)
    method = models.CharField(_("metode"), max_length=10, blank=True)
    ip = models.GenericIPAddressField(_("IP-adresse"), null=True, blank=True)
    masked = models.BooleanField(_("anonymiseret"), default=False)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("revisionslinje")
        verbose_name_plural = _("revisionslog")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.at:%d.%m.%Y %H:%M} {self.actor} {self.get_action_display()} {self.object_repr}"

    def save(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003
        if self.pk is not None or not self._state.adding:
            raise AuditEventError("Audit rows are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):  # noqa: ANN002, ANN003, ANN201
        raise AuditEventError("Audit rows cannot be deleted.")

    @property
    def citizen_id_list(self) -> list[int]:
        return [int(part) for part in self.citizen_ids.strip(",").split(",") if part]
