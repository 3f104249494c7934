"""The progress report (progressionsrapport) written when an enrolment closes: a numbered version per
(re)generation, the texts it was made from, the PDF itself, and the coordinator's sign-off."""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from rooms.text import PlainTextMixin
from scheduler.models.enrolments import Enrolment


class ProgressReport(PlainTextMixin, models.Model):
    enrolment = models.ForeignKey(
        Enrolment, on_delete=models.CASCADE, related_name="progress_reports", verbose_name=_("forløb")
    )
    version = models.PositiveIntegerField(_("version"))
    resources = models.TextField(_("borgerens ressourcer"), blank=True)
    barriers = models.TextField(_("barrierer"), blank=True)
    possibilities = models.TextField(_("udviklingsmuligheder"), blank=True)
    recommendation = models.TextField(_("anbefaling til det videre forløb"))
    outcome_name = models.CharField(_("udfald"), max_length=200)
    pdf = models.BinaryField(_("PDF"))
    created_at = models.DateTimeField(_("oprettet"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("oprettet af"),
    )
    signed_off_at = models.DateTimeField(_("godkendt"), null=True, blank=True)
    signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("godkendt af"),
    )

    class Meta:
        verbose_name = _("progressionsrapport")
        verbose_name_plural = _("progressionsrapporter")
        ordering = ["enrolment", "-version"]
        constraints = [models.UniqueConstraint(fields=["enrolment", "version"], name="unique_report_version")]

    def __str__(self) -> str:
        return f"Progressionsrapport v{self.version} (forløb {self.enrolment_id})"
