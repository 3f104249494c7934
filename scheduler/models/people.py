"""People: coordinators, consultants (working hours, preferred times, absences) and citizens."""
from datetime import time

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from activities.models import (
    MAX_HOURS_PER_WEEK,
    StaffType,
)
from rooms.models import Site, WeeklyWindow
from rooms.text import PlainTextMixin


class Coordinator(models.Model):
    """A user who plans weeks for some sites."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="coordinator", verbose_name=_("bruger")
    )
    sites = models.ManyToManyField(Site, related_name="coordinators", verbose_name=_("centre"))

    class Meta:
        verbose_name = _("koordinator")
        verbose_name_plural = _("koordinatorer")

    def __str__(self) -> str:
        return self.user.get_full_name() or self.user.get_username()


class Consultant(PlainTextMixin, models.Model):
    reference = models.SlugField(_("medarbejderreference"), max_length=40, unique=True)
    name = models.CharField(_("navn"), max_length=120)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("telefon"), max_length=20, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="consultant", verbose_name=_("bruger"),
    )
    staff_types = models.ManyToManyField(StaffType, related_name="consultants", verbose_name=_("faggrupper"))
    home_site = models.ForeignKey(
        Site, on_delete=models.PROTECT, related_name="home_consultants", verbose_name=_("hjemmecenter")
    )
    sites = models.ManyToManyField(Site, related_name="consultants", verbose_name=_("centre konsulenten dækker"))
    hours_per_week = models.DecimalField(
        _("timer pr. uge"), max_digits=4, decimal_places=1,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_HOURS_PER_WEEK)],
    )
    max_caseload = models.PositiveSmallIntegerField(
        _("største sagsstamme"), default=20, help_text=_("Borgere som fast kontaktperson.")
    )
    active = models.BooleanField(_("aktiv"), default=True)

    class Meta:
        verbose_name = _("konsulent")
        verbose_name_plural = _("konsulenter")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def serves(self, site_id: int | None) -> bool:
        """May work at the site: it is their home site or one they cover."""
        if site_id is None:
            return False
        return site_id == self.home_site_id or (self.pk is not None and self.sites.filter(pk=site_id).exists())

    def clean(self) -> None:
        if self.hours_per_week is not None and self.hours_per_week > MAX_HOURS_PER_WEEK:
            raise ValidationError({"hours_per_week": _("Højst 37 timer pr. uge (en fuld arbejdsuge).")})
        if self.hours_per_week is not None and self.hours_per_week <= 0:
            raise ValidationError({"hours_per_week": _("Timer pr. uge skal være større end 0.")})


class WorkingHours(WeeklyWindow):
    """A consultant's working pattern: one row per weekday worked."""

    consultant = models.ForeignKey(
        Consultant, on_delete=models.CASCADE, related_name="working_hours", verbose_name=_("konsulent")
    )
    start_time = models.TimeField(_("fra"), default=time(8, 0))
    end_time = models.TimeField(_("til"), default=time(16, 0))

    class Meta:
        verbose_name = _("arbejdstid")
        verbose_name_plural = _("arbejdstider")
        ordering = ["consultant", "weekday"]
        constraints = [models.UniqueConstraint(fields=["consultant", "weekday"], name="one_pattern_per_weekday")]


class PreferredTime(WeeklyWindow):
    """When a consultant prefers to hold appointments (e.g. talks in the morning); a wish, not a limit."""

    consultant = models.ForeignKey(
        Consultant, on_delete=models.CASCADE, related_name="preferred_times", verbose_name=_("konsulent")
    )

    class Meta:
        verbose_name = _("foretrukken tid")
        verbose_name_plural = _("foretrukne tider")
        ordering = ["consultant", "weekday", "start_time"]


class AbsenceReason(models.TextChoices):
    HOLIDAY = "holiday", _("Ferie")
    SICK = "sick", _("Sygdom")
    TRAINING = "training", _("Kursus")
    OTHER = "other", _("Andet")


class Absence(models.Model):
    """Fravær: whole days, or part of a day when both times are given."""

    consultant = models.ForeignKey(
        Consultant, on_delete=models.CASCADE, related_name="absences", verbose_name=_("konsulent"),
    )
    start_date = models.DateField(_("fra dato"))
    end_date = models.DateField(_("til dato"))
    start_time = models.TimeField(_("fra kl."), null=True, blank=True)
    end_time = models.TimeField(_("til kl."), null=True, blank=True)
    reason = models.CharField(_("årsag"), max_length=20, choices=AbsenceReason.choices, default=AbsenceReason.HOLIDAY)

    class Meta:
        verbose_name = _("fravær")
        verbose_name_plural = _("fravær")
        ordering = ["consultant", "start_date"]

    def __str__(self) -> str:
        return f"{self.consultant}: {self.start_date:%d.%m.%Y}–{self.end_date:%d.%m.%Y} ({self.get_reason_display()})"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.start_date and self.end_date and self.end_date < self.start_date:
            errors["end_date"] = _("Slutdato skal ligge efter startdato.")
        if (self.start_time is None) != (self.end_time is None):
            errors["end_time"] = _("Angiv både fra og til klokkeslæt, eller ingen af dem (hele dage).")
        elif self.start_time and self.end_time and self.end_time <= self.start_time:
            errors["end_time"] = _("Sluttid skal ligge efter starttid.")
        if not errors and self.consultant_id and self.start_date and self.end_date:
            overlapping = Absence.objects.filter(
                consultant_id=self.consultant_id, start_date__lte=self.end_date, end_date__gte=self.start_date
            ).exclude(pk=self.pk)
            if any(self._overlaps(other) for other in overlapping):
                errors["start_date"] = _("Fraværet overlapper et andet fravær for samme konsulent.")
        if errors:
            raise ValidationError(errors)

    def _overlaps(self, other: "Absence") -> bool:
        # Two part-day absences on the same days overlap only if their hours do.
        if self.start_time is None or other.start_time is None:
            return True
        return self.start_time < other.end_time and other.start_time < self.end_time


class Citizen(PlainTextMixin, models.Model):
    """A citizen (borger). Pseudonymous reference; no CPR number is ever stored."""

    reference = models.SlugField(_("borgerreference"), max_length=40, unique=True)
    first_name = models.CharField(_("fornavn"), max_length=80)
    last_name = models.CharField(_("efternavn"), max_length=80)
    phone = models.CharField(_("telefon"), max_length=20, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    street = models.CharField(_("adresse"), max_length=200, blank=True)
    postcode = models.CharField(_("postnummer"), max_length=4, blank=True)
    city = models.CharField(_("by"), max_length=80, blank=True)
    latitude = models.FloatField(_("breddegrad"), null=True, blank=True)
    longitude = models.FloatField(_("længdegrad"), null=True, blank=True)
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="citizens", verbose_name=_("center"))
    # Skånehensyn (accommodations)
    max_hours_per_day = models.DecimalField(
        _("højst timer pr. dag"), max_digits=3, decimal_places=1, null=True, blank=True,
        validators=[MinValueValidator(0.5), MaxValueValidator(10)],
    )
    not_before = models.TimeField(_("ikke før kl."), null=True, blank=True)
    not_after = models.TimeField(_("ikke efter kl."), null=True, blank=True)
    preferred_weekdays = models.JSONField(_("foretrukne ugedage"), default=list, blank=True)

    class Meta:
        verbose_name = _("borger")
        verbose_name_plural = _("borgere")
        ordering = ["last_name", "first_name"]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def initials(self) -> str:
        return "".join(part[0].upper() for part in f"{self.first_name} {self.last_name}".split() if part)

    @property
    def address(self) -> str:
        return f"{self.street}, {self.postcode} {self.city}" if self.street else ""

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.not_before and self.not_after and self.not_after <= self.not_before:
            errors["not_after"] = _("'Ikke efter' skal ligge efter 'ikke før'.")
        days = self.preferred_weekdays or []
        if not isinstance(days, list) or any(not isinstance(d, int) or not 0 <= d <= 4 for d in days):
            errors["preferred_weekdays"] = _("Foretrukne ugedage skal være tal fra 0 (mandag) til 4 (fredag).")
        if errors:
            raise ValidationError(errors)


class CitizenUnavailability(WeeklyWindow):
    """A weekly time the citizen cannot come (besides internship hours): treatment, childcare …"""

    citizen = models.ForeignKey(
        Citizen, on_delete=models.CASCADE, related_name="unavailability", verbose_name=_("borger"),
    )

    class Meta:
        verbose_name = _("borgers faste fravær")
        verbose_name_plural = _("borgeres faste fravær")
        ordering = ["citizen", "weekday", "start_time"]
