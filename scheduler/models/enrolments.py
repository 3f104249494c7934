"""A citizen's enrolment in an intervention model, and one-off activity requests."""
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from activities.models import (
    ActivityKind,
    Company,
    InterventionModel,
    Outcome,
    Phase,
    StaffType,
    TargetGroup,
)
from rooms.text import PlainTextMixin
from scheduler.models.people import Citizen, Consultant


class EnrolmentStatus(models.TextChoices):
    ACTIVE = "active", _("Aktivt")
    ENDED = "ended", _("Afsluttet")


class Enrolment(PlainTextMixin, models.Model):
    """Forløb: one citizen in one intervention model."""

    citizen = models.ForeignKey(Citizen, on_delete=models.CASCADE, related_name="enrolments", verbose_name=_("borger"))
    intervention_model = models.ForeignKey(
        InterventionModel, on_delete=models.PROTECT, related_name="enrolments", verbose_name=_("indsatsmodel")
    )
    target_group = models.ForeignKey(TargetGroup, on_delete=models.PROTECT, verbose_name=_("målgruppe"))
    referring_jobcentre = models.CharField(_("henvisende jobcenter"), max_length=120)
    start_date = models.DateField(_("startdato"))
    target_weeks = models.PositiveSmallIntegerField(
        _("planlagt længde (uger)"), validators=[MinValueValidator(1), MaxValueValidator(130)]
    )
    end_date = models.DateField(_("slutdato"), null=True, blank=True)
    current_phase = models.ForeignKey(
        Phase, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("nuværende fase")
    )
    phase_started = models.DateField(_("fase startet"), null=True, blank=True)
    contact_consultant = models.ForeignKey(
        Consultant, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="contact_enrolments", verbose_name=_("fast kontaktperson"),
    )
    job_started = models.DateField(
        _("jobstart"), null=True, blank=True, help_text=_("Efterværn: opfølgning hver måned efter jobstart.")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=EnrolmentStatus.choices, default=EnrolmentStatus.ACTIVE,
    )
    outcome = models.ForeignKey(
        Outcome, on_delete=models.PROTECT, null=True, blank=True, related_name="enrolments",
        verbose_name=_("udfald"), help_text=_("Registreres når forløbet afsluttes."),
    )

    class Meta:
        verbose_name = _("forløb")
        verbose_name_plural = _("forløb")
        ordering = ["-start_date"]

    def __str__(self) -> str:
        return f"{self.citizen} – {self.intervention_model}"

    @property
    def target_end(self):  # noqa: ANN201 - a date
        return self.start_date + timedelta(weeks=self.target_weeks)

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.start_date and self.end_date and self.end_date < self.start_date:
            errors["end_date"] = _("Slutdato skal ligge efter startdato.")
        if self.current_phase_id and self.intervention_model_id:
            if self.current_phase.model_id != self.intervention_model_id:
                errors["current_phase"] = _("Fasen hører ikke til forløbets indsatsmodel.")
        if self.phase_started and self.start_date and self.phase_started < self.start_date:
            errors["phase_started"] = _("Fasen kan ikke starte før forløbet.")
        if self.outcome_id and self.intervention_model_id and self.outcome.model_id != self.intervention_model_id:
            errors["outcome"] = _("Udfaldet hører ikke til forløbets indsatsmodel.")
        if self.contact_consultant_id and self.citizen_id:
            if not self.contact_consultant.serves(self.citizen.site_id):
                errors["contact_consultant"] = _("Kontaktpersonen arbejder ikke på borgerens center.")
        if errors:
            raise ValidationError(errors)


class RequestStatus(models.TextChoices):
    OPEN = "open", _("Åben")
    PLANNED = "planned", _("Planlagt")
    DONE = "done", _("Afholdt")
    CANCELLED = "cancelled", _("Aflyst")


class ActivityRequest(PlainTextMixin, models.Model):
    """A coordinator asks for a round-table meeting, a §7a talk, a step-up or an extra talk."""

    enrolment = models.ForeignKey(
        Enrolment, on_delete=models.CASCADE, related_name="requests", verbose_name=_("forløb"),
    )
    kind = models.CharField(_("aktivitet"), max_length=30, choices=ActivityKind.choices)
    earliest = models.DateField(_("tidligst"))
    due_by = models.DateField(_("senest"))
    duration_minutes = models.PositiveSmallIntegerField(
        _("varighed (minutter)"), default=60, validators=[MinValueValidator(15), MaxValueValidator(4 * 60)]
    )
    company = models.ForeignKey(Company, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("virksomhed"))
    staff_types = models.ManyToManyField(StaffType, blank=True, verbose_name=_("faggrupper"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=RequestStatus.choices, default=RequestStatus.OPEN)
    created_at = models.DateTimeField(_("oprettet"), auto_now_add=True)

    class Meta:
        verbose_name = _("bestilt aktivitet")
        verbose_name_plural = _("bestilte aktiviteter")
        ordering = ["due_by"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.enrolment.citizen} senest {self.due_by:%d.%m.%Y}"

    def clean(self) -> None:
        if self.earliest and self.due_by and self.due_by < self.earliest:
            raise ValidationError({"due_by": _("'Senest' skal ligge efter 'tidligst'.")})
