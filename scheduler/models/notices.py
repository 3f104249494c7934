"""E-mails telling a person what changed in a published version (scheduler.publishing.notifications)."""
from django.db import models
from django.utils.translation import gettext_lazy as _

from scheduler.models.people import Citizen, Consultant
from scheduler.models.plans import Plan


class ChangeNotice(models.Model):
    """One change e-mail sent for one published version to one person: at most one each (the unique
    constraints make a repeated task delivery send nothing)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="change_notices", verbose_name=_("plan"))
    consultant = models.ForeignKey(Consultant, on_delete=models.CASCADE, null=True, blank=True, related_name="+",
                                   verbose_name=_("konsulent"))
    citizen = models.ForeignKey(Citizen, on_delete=models.CASCADE, null=True, blank=True, related_name="+",
                                verbose_name=_("borger"))
    email = models.EmailField(_("e-mail"))
    sent_at = models.DateTimeField(_("sendt"), auto_now_add=True)

    class Meta:
        verbose_name = _("ændringsbesked")
        verbose_name_plural = _("ændringsbeskeder")
        constraints = [
            models.UniqueConstraint(fields=["plan", "consultant"], condition=models.Q(consultant__isnull=False),
                                    name="one_change_notice_per_consultant_and_version"),
            models.UniqueConstraint(fields=["plan", "citizen"], condition=models.Q(citizen__isnull=False),
                                    name="one_change_notice_per_citizen_and_version"),
            models.CheckConstraint(condition=models.Q(consultant__isnull=True) ^ models.Q(citizen__isnull=True),
                                   name="change_notice_one_person"),
        ]

    def __str__(self) -> str:
        return f"{self.plan_id} → {self.consultant_id or self.citizen_id}"
