"""Progress measurement (progressionsmåling): 12 indicators in 3 groups, scored with the citizen on 1–10.

The indicators are the ones of seed 001 ("Progressionsindikatorer"); they are fixed in code (reports and
statistics compare them across centres), the intervals are set in the intervention model (an activity
rule of kind `progress`).
"""
from dataclasses import dataclass

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from scheduler.models.enrolments import Enrolment

SCORE_MIN = 1
SCORE_MAX = 10


@dataclass(frozen=True)
class Indicator:
    code: str
    group: str
    label: str


class ProgressGroup(models.TextChoices):
    UDVIKLING = "udvikling", _("Udvikling")
    EMPOWERMENT = "empowerment", _("Empowerment")
    FREMTID = "fremtid", _("Fremtid")


INDICATORS: tuple[Indicator, ...] = (
    Indicator("moedestabilitet", ProgressGroup.UDVIKLING, "Mødestabilitet"),
    Indicator("personlige_ressourcer", ProgressGroup.UDVIKLING, "Personlige ressourcer (selvværd og ressourcer)"),
    Indicator("mestring", ProgressGroup.UDVIKLING, "Mestring (helbred/udfordringer)"),
    Indicator("motivation", ProgressGroup.UDVIKLING, "Motivation"),
    Indicator("ansvarstagende", ProgressGroup.EMPOWERMENT, "Ansvarstagende"),
    Indicator("aktivt_deltagende", ProgressGroup.EMPOWERMENT, "Aktivt deltagende"),
    Indicator("aaben_for_forandringer", ProgressGroup.EMPOWERMENT, "Åben for forandringer"),
    Indicator("fokus_paa_maal", ProgressGroup.EMPOWERMENT, "Fokus på opstillede mål"),
    Indicator("selvindsigt", ProgressGroup.FREMTID, "Selvindsigt om egne kompetencer"),
    Indicator("nye_muligheder", ProgressGroup.FREMTID, "Kan se nye muligheder"),
    Indicator("arbejdsmarkedsfokus", ProgressGroup.FREMTID, "Arbejdsmarkedsfokus"),
    Indicator("realistisk", ProgressGroup.FREMTID, "Realistisk om fremtidigt arbejdsliv"),
)
INDICATOR_BY_CODE = {i.code: i for i in INDICATORS}
INDICATOR_CHOICES = [(i.code, i.label) for i in INDICATORS]


class ProgressMeasurement(models.Model):
    """One scoring of all 12 indicators with the citizen, on one day."""

    enrolment = models.ForeignKey(
        Enrolment, on_delete=models.CASCADE, related_name="progress_measurements", verbose_name=_("forløb")
    )
    measured_on = models.DateField(_("målt den"))
    difficult_period = models.BooleanField(
        _("svær periode"), default=False, help_text=_("Borgeren er i en svær periode (vises i grafen).")
    )
    note = models.CharField(_("note"), max_length=500, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("registreret af")
    )
    recorded_at = models.DateTimeField(_("registreret"), auto_now=True)

    class Meta:
        verbose_name = _("progressionsmåling")
        verbose_name_plural = _("progressionsmålinger")
        ordering = ["enrolment", "measured_on"]
        constraints = [
            models.UniqueConstraint(fields=["enrolment", "measured_on"], name="one_progress_measurement_a_day"),
        ]

    def __str__(self) -> str:
        return f"Progressionsmåling {self.measured_on:%d.%m.%Y}"


class ProgressScore(models.Model):
    measurement = models.ForeignKey(
        ProgressMeasurement, on_delete=models.CASCADE, related_name="scores", verbose_name=_("måling")
    )
    indicator = models.CharField(_("indikator"), max_length=40, choices=INDICATOR_CHOICES)
    score = models.PositiveSmallIntegerField(
        _("score"), validators=[MinValueValidator(SCORE_MIN), MaxValueValidator(SCORE_MAX)]
    )

    class Meta:
        verbose_name = _("progressionsscore")
        verbose_name_plural = _("progressionsscorer")
        ordering = ["measurement", "indicator"]
        constraints = [
            models.UniqueConstraint(fields=["measurement", "indicator"], name="one_score_per_indicator"),
            models.CheckConstraint(
                condition=models.Q(score__gte=SCORE_MIN, score__lte=SCORE_MAX), name="progress_score_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator}: {self.score}"
