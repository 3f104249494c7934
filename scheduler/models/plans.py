"""Plans for a week: drafts and numbered published versions, their appointments, what could not be
placed, and the bookings that make the database refuse a double booking."""
import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from activities.models import (
    ActivityKind,
    Company,
    GroupCourse,
)
from rooms.models import Room, Site
from scheduler.models.enrolments import ActivityRequest, Enrolment
from scheduler.models.people import Citizen, Consultant


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("Kladde")
    PUBLISHED = "published", _("Offentliggjort")
    SUPERSEDED = "superseded", _("Erstattet")


class Plan(models.Model):
    """A plan for one ISO week and a set of sites: a draft, or a numbered published version."""

    week_start = models.DateField(_("uge (mandag)"))
    sites = models.ManyToManyField(Site, related_name="plans", verbose_name=_("centre"))
    status = models.CharField(_("status"), max_length=12, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    version = models.PositiveIntegerField(_("version"), null=True, blank=True)
    created_at = models.DateTimeField(_("oprettet"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("oprettet af")
    )
    published_at = models.DateTimeField(_("offentliggjort"), null=True, blank=True)
    solver_status = models.CharField(_("løserstatus"), max_length=20, blank=True)
    objective = models.FloatField(_("målfunktion"), null=True, blank=True)
    best_bound = models.FloatField(_("bedste grænse"), null=True, blank=True)
    gap = models.FloatField(_("gab"), null=True, blank=True)
    solver_info = models.JSONField(_("løserparametre og statistik"), default=dict, blank=True)
    # Optimistic locking: every change through the API sends the version it saw and bumps it.
    lock_version = models.PositiveIntegerField(_("låseversion"), default=0)

    class Meta:
        verbose_name = _("plan")
        verbose_name_plural = _("planer")
        ordering = ["-week_start", "-created_at"]

    def __str__(self) -> str:
        iso = self.week_start.isocalendar()
        label = f"v{self.version}" if self.version else self.get_status_display()
        return f"Uge {iso.week} {iso.year} ({label})"


class AppointmentStatus(models.TextChoices):
    PLANNED = "planned", _("Planlagt")
    CANCELLED = "cancelled", _("Aflyst")


class CancelReason(models.TextChoices):
    CITIZEN = "afbud", _("Afbud fra borgeren")
    ILLNESS = "sygdom", _("Sygdom")
    CONSULTANT = "konsulent", _("Konsulenten kan ikke")
    OTHER = "andet", _("Andet")


class Appointment(models.Model):
    """One placed activity. `uid` stays the same across plan versions so calendars can follow it."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="appointments", verbose_name=_("plan"))
    uid = models.UUIDField(_("fast id"), default=uuid.uuid4, db_index=True)
    task_key = models.CharField(_("opgavenøgle"), max_length=120, db_index=True)
    kind = models.CharField(_("aktivitet"), max_length=30, choices=ActivityKind.choices)
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("slut"))
    site = models.ForeignKey(Site, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("center"))
    room = models.ForeignKey(Room, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("lokale"))
    company = models.ForeignKey(Company, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("virksomhed"))
    place = models.CharField(_("sted"), max_length=20, default="site")
    group_course = models.ForeignKey(
        GroupCourse, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("hold")
    )
    consultants = models.ManyToManyField(Consultant, related_name="appointments", verbose_name=_("konsulenter"))
    citizens = models.ManyToManyField(Citizen, related_name="appointments", verbose_name=_("borgere"))
    status = models.CharField(
        _("status"), max_length=12, choices=AppointmentStatus.choices, default=AppointmentStatus.PLANNED,
    )
    pinned = models.BooleanField(_("fastlåst"), default=False)
    sequence = models.PositiveIntegerField(_("sekvensnummer"), default=0)
    rule = models.CharField(_("begrundelse"), max_length=200, blank=True)
    # Where the appointment came from: demand history is read back through these links.
    enrolment = models.ForeignKey(
        Enrolment, on_delete=models.SET_NULL, null=True, blank=True, related_name="appointments",
        verbose_name=_("forløb"),
    )
    activity_rule = models.ForeignKey(
        "activities.ActivityRule", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("aktivitetsregel"),
    )
    request = models.ForeignKey(
        ActivityRequest, on_delete=models.SET_NULL, null=True, blank=True, related_name="appointments",
        verbose_name=_("bestilt aktivitet"),
    )
    cancel_reason = models.CharField(_("årsag til aflysning"), max_length=20, choices=CancelReason.choices, blank=True)
    moved = models.BooleanField(
        _("flyttet"), default=False, help_text=_("Tid eller konsulent ændret i forhold til den offentliggjorte plan.")
    )
    updated_at = models.DateTimeField(_("ændret"), auto_now=True)

    class Meta:
        verbose_name = _("aftale")
        verbose_name_plural = _("aftaler")
        ordering = ["start"]
        # Feeds read "what ends after the window starts": with years of history, the end is what
        # narrows the appointments down to the window.
        indexes = [models.Index(fields=["end"], name="appointment_end")]
        constraints = [
            models.CheckConstraint(condition=models.Q(end__gt=models.F("start")), name="appointment_ends_after_start"),
            models.UniqueConstraint(fields=["plan", "uid"], name="unique_uid_per_plan"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.start:%d.%m.%Y %H:%M}"


class UnplacedTask(models.Model):
    """A due activity the planner could not place, with the reason a coordinator can act on."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="unplaced", verbose_name=_("plan"))
    task_key = models.CharField(_("opgavenøgle"), max_length=120)
    kind = models.CharField(_("aktivitet"), max_length=30, choices=ActivityKind.choices)
    citizens = models.ManyToManyField(Citizen, blank=True, verbose_name=_("borgere"))
    reason = models.TextField(_("årsag"))
    # The same reason, structured for the UI to link to the fix (docs/plan-format.md); null for old rows.
    cause = models.JSONField(_("årsag (struktureret)"), null=True, blank=True)
    rule = models.CharField(_("begrundelse"), max_length=200, blank=True)
    due_by = models.DateField(_("senest"), null=True, blank=True)
    enrolment = models.ForeignKey(
        Enrolment, on_delete=models.SET_NULL, null=True, blank=True, related_name="unplaced_tasks",
        verbose_name=_("forløb"),
    )
    request = models.ForeignKey(
        ActivityRequest, on_delete=models.SET_NULL, null=True, blank=True, related_name="unplaced_tasks",
        verbose_name=_("bestilt aktivitet"),
    )
    group_course = models.ForeignKey(
        GroupCourse, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("hold")
    )
    activity_rule = models.ForeignKey(
        "activities.ActivityRule", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("aktivitetsregel"), help_text=_("Reglen i borgerens indsatsmodel, opgaven kommer fra."),
    )

    class Meta:
        verbose_name = _("ikke placeret opgave")
        verbose_name_plural = _("ikke placerede opgaver")

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.reason}"


class BookingResource(models.TextChoices):
    CONSULTANT = "consultant", _("Konsulent")
    CITIZEN = "citizen", _("Borger")
    ROOM = "room", _("Lokale")


class Booking(models.Model):
    """Occupancy of one resource in one 15-minute slot of a plan.

    The unique constraint makes the database itself refuse a double booking, even when two
    coordinators move appointments at the same moment.
    """

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="bookings", verbose_name=_("plan"))
    appointment = models.ForeignKey(
        Appointment, on_delete=models.CASCADE, related_name="bookings", verbose_name=_("aftale")
    )
    resource_kind = models.CharField(_("ressource"), max_length=12, choices=BookingResource.choices)
    resource_id = models.PositiveBigIntegerField(_("ressource-id"))
    slot_start = models.DateTimeField(_("tidsrum start"))

    class Meta:
        verbose_name = _("booking")
        verbose_name_plural = _("bookinger")
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "resource_kind", "resource_id", "slot_start"], name="no_double_booking"
            )
        ]

    def __str__(self) -> str:
        return f"{self.resource_kind}:{self.resource_id} {self.slot_start:%d.%m.%Y %H:%M}"
