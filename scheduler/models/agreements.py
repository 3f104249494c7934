"""What a talk or round-table meeting ended with: short dated agreements ("næste samtale senest …",
tasks for the citizen, the employer or the consultant) and, for round tables, the agenda and the retention
plan's step ("fastholdelsesplan"). Art. 9 data: the citizen's page and PDF show their own agreements,
calendar feeds never do."""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from activities.models import ActivityKind
from rooms.text import PlainTextMixin
from scheduler.models.enrolments import ActivityRequest, Enrolment
from scheduler.models.people import Consultant


class AgreementKind(models.TextChoices):
    NEXT_MEETING = "next_meeting", _("Næste møde")
    TASK = "task", _("Opgave")


class Responsible(models.TextChoices):
    CITIZEN = "citizen", _("Borgeren")
    EMPLOYER = "employer", _("Arbejdsgiveren")
    CONSULTANT = "consultant", _("Konsulenten")


class RetentionStep(models.TextChoices):
    """The staircase model for the employed (seed 004), step 4 nearest to full work."""

    STEP_4 = "step_4", _("Trin 4: delvis raskmelding med færre timer")
    STEP_3 = "step_3", _("Trin 3: praktik, der fører til delvis raskmelding")
    STEP_2 = "step_2", _("Trin 2: praktik, typisk på egen arbejdsplads")
    STEP_1 = "step_1", _("Trin 1: andet forløb med støtte (mentor, hjælpemidler)")


class MeetingNote(PlainTextMixin, models.Model):
    """The agenda of one held meeting and, for an employed citizen's round table, the retention step."""

    appointment_uid = models.UUIDField(_("aftalens faste id"), unique=True)
    enrolment = models.ForeignKey(
        Enrolment, on_delete=models.CASCADE, related_name="meeting_notes", verbose_name=_("forløb")
    )
    kind = models.CharField(_("aktivitet"), max_length=30, choices=ActivityKind.choices)
    held_on = models.DateField(_("holdt"))
    agenda = models.TextField(_("dagsorden"), max_length=2000, blank=True)
    retention_step = models.CharField(
        _("fastholdelsesplan: trin"), max_length=10, choices=RetentionStep.choices, blank=True
    )
    updated_at = models.DateTimeField(_("ændret"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("ændret af"),
    )

    class Meta:
        verbose_name = _("mødenote")
        verbose_name_plural = _("mødenoter")
        ordering = ["-held_on"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.held_on:%d.%m.%Y}"


class Agreement(PlainTextMixin, models.Model):
    enrolment = models.ForeignKey(
        Enrolment, on_delete=models.CASCADE, related_name="agreements", verbose_name=_("forløb")
    )
    appointment_uid = models.UUIDField(_("aftalt ved (fast id)"), null=True, blank=True, db_index=True)
    made_on = models.DateField(_("aftalt"))
    kind = models.CharField(_("type"), max_length=20, choices=AgreementKind.choices)
    responsible = models.CharField(_("hvem"), max_length=12, choices=Responsible.choices, blank=True)
    text = models.CharField(_("aftale"), max_length=300, blank=True)
    due_by = models.DateField(_("senest"))
    next_kind = models.CharField(
        _("næste møde"), max_length=30, choices=ActivityKind.choices, blank=True,
        help_text=_("Næste møde: den aktivitet, der skal planlægges."),
    )
    request = models.ForeignKey(
        ActivityRequest, on_delete=models.SET_NULL, null=True, blank=True, related_name="agreements",
        verbose_name=_("bestilt aktivitet"),
    )
    done_on = models.DateField(_("udført"), null=True, blank=True)
    created_at = models.DateTimeField(_("oprettet"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("oprettet af"),
    )
    created_by_consultant = models.ForeignKey(
        Consultant, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("oprettet af konsulent"),
    )

    class Meta:
        verbose_name = _("aftale med borgeren")
        verbose_name_plural = _("aftaler med borgeren")
        ordering = ["due_by", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} senest {self.due_by:%d.%m.%Y}"
