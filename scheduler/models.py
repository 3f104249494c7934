"""The planning core: people, enrolments, plans and appointments."""
import uuid
from dataclasses import fields as dataclass_fields
from datetime import time, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from activities.models import (
    MAX_HOURS_PER_WEEK,
    ActivityKind,
    Company,
    GroupCourse,
    InterventionModel,
    Phase,
    StaffType,
    TargetGroup,
)
from rooms.models import Room, Site, WeeklyWindow
from rooms.text import PlainTextMixin
from solver import problem as solver_problem


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
    moved = models.BooleanField(
        _("flyttet"), default=False, help_text=_("Tid eller konsulent ændret i forhold til den offentliggjorte plan.")
    )
    updated_at = models.DateTimeField(_("ændret"), auto_now=True)

    class Meta:
        verbose_name = _("aftale")
        verbose_name_plural = _("aftaler")
        ordering = ["start"]
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

    class Meta:
        verbose_name = _("ikke placeret opgave")
        verbose_name_plural = _("ikke placerede opgaver")

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.reason}"


class SolveRunStatus(models.TextChoices):
    QUEUED = "queued", _("I kø")
    RUNNING = "running", _("Kører")
    DONE = "done", _("Færdig")
    FAILED = "failed", _("Fejlet")
    CANCELLED = "cancelled", _("Annulleret")


class SolveRun(models.Model):
    """One "plan the week" request: created before the background task is enqueued, polled by the UI/API."""

    week_start = models.DateField(_("uge (mandag)"))
    sites = models.ManyToManyField(Site, related_name="solve_runs", verbose_name=_("centre"))
    status = models.CharField(
        _("status"), max_length=12, choices=SolveRunStatus.choices, default=SolveRunStatus.QUEUED, db_index=True
    )
    time_limit = models.PositiveIntegerField(_("tidsgrænse (sekunder)"), null=True, blank=True)
    progress = models.FloatField(_("fremdrift"), default=0.0)
    objective = models.FloatField(_("bedste målfunktion"), null=True, blank=True)
    best_bound = models.FloatField(_("bedste grænse"), null=True, blank=True)
    gap = models.FloatField(_("gab"), null=True, blank=True)
    elapsed_seconds = models.FloatField(_("forløbet tid (sekunder)"), default=0.0)
    unplaced_count = models.PositiveIntegerField(_("ikke placerede"), null=True, blank=True)
    message = models.TextField(_("besked"), blank=True)
    cancel_requested = models.BooleanField(_("annullering ønsket"), default=False)
    plan = models.ForeignKey(
        Plan, on_delete=models.SET_NULL, null=True, blank=True, related_name="solve_runs", verbose_name=_("plan")
    )
    replan_of = models.ForeignKey(
        Plan, on_delete=models.SET_NULL, null=True, blank=True, related_name="replans",
        verbose_name=_("genplanlægning af"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("oprettet af")
    )
    task_id = models.CharField(_("opgave-id"), max_length=64, blank=True)
    attempts = models.PositiveSmallIntegerField(_("forsøg"), default=0)
    created_at = models.DateTimeField(_("oprettet"), auto_now_add=True)
    started_at = models.DateTimeField(_("startet"), null=True, blank=True)
    finished_at = models.DateTimeField(_("afsluttet"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("sidste livstegn"), null=True, blank=True)

    class Meta:
        verbose_name = _("planlægningskørsel")
        verbose_name_plural = _("planlægningskørsler")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Kørsel {self.pk} ({self.get_status_display()})"


class SolvePart(models.Model):
    """One independent part of a large run (solver.decompose), solved as its own background task.

    The planning task stores each part's problem (solver.serialize.problem_to_dict) here and enqueues
    one task per part; a part is claimed atomically (queued -> running), writes its solution dict
    and progress, and the last part to finish merges all parts and stores the draft.
    """

    run = models.ForeignKey(SolveRun, on_delete=models.CASCADE, related_name="parts", verbose_name=_("kørsel"))
    index = models.PositiveSmallIntegerField(_("delnummer"))
    status = models.CharField(
        _("status"), max_length=12, choices=SolveRunStatus.choices, default=SolveRunStatus.QUEUED, db_index=True
    )
    task_count = models.PositiveIntegerField(_("opgaver"), default=0)
    problem = models.JSONField(_("delproblem"))
    solution = models.JSONField(_("delløsning"), null=True, blank=True)
    progress = models.FloatField(_("fremdrift"), default=0.0)
    objective = models.FloatField(_("bedste målfunktion"), null=True, blank=True)
    best_bound = models.FloatField(_("bedste grænse"), null=True, blank=True)
    elapsed_seconds = models.FloatField(_("forløbet tid (sekunder)"), default=0.0)
    attempts = models.PositiveSmallIntegerField(_("forsøg"), default=0)
    message = models.TextField(_("besked"), blank=True)
    started_at = models.DateTimeField(_("startet"), null=True, blank=True)
    finished_at = models.DateTimeField(_("afsluttet"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("sidste livstegn"), null=True, blank=True)

    class Meta:
        verbose_name = _("delkørsel")
        verbose_name_plural = _("delkørsler")
        ordering = ["run", "index"]
        constraints = [models.UniqueConstraint(fields=["run", "index"], name="one_part_per_index")]

    def __str__(self) -> str:
        return f"Kørsel {self.run_id} del {self.index} ({self.get_status_display()})"


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


class FeedKind(models.TextChoices):
    CONSULTANT = "consultant", _("Konsulent")
    CITIZEN = "citizen", _("Borger")
    ROOM = "room", _("Lokale")
    SITE = "site", _("Center")
    GROUP_COURSE = "group_course", _("Hold")


class FeedToken(models.Model):
    """A secret link to a calendar feed, a citizen's page or a PDF.

    Only the SHA-256 hash of the token is stored: a database leak does not reveal working links.
    Exactly one owner field is set, matching `kind`.
    """

    kind = models.CharField(_("type"), max_length=20, choices=FeedKind.choices)
    token_hash = models.CharField(_("token (SHA-256)"), max_length=64, unique=True)
    consultant = models.ForeignKey(
        Consultant, on_delete=models.CASCADE, null=True, blank=True, related_name="feed_tokens",
        verbose_name=_("konsulent"),
    )
    citizen = models.ForeignKey(
        Citizen, on_delete=models.CASCADE, null=True, blank=True, related_name="feed_tokens",
        verbose_name=_("borger"),
    )
    room = models.ForeignKey(
        Room, on_delete=models.CASCADE, null=True, blank=True, related_name="feed_tokens", verbose_name=_("lokale")
    )
    site = models.ForeignKey(
        Site, on_delete=models.CASCADE, null=True, blank=True, related_name="feed_tokens", verbose_name=_("center")
    )
    group_course = models.ForeignKey(
        GroupCourse, on_delete=models.CASCADE, null=True, blank=True, related_name="feed_tokens",
        verbose_name=_("hold"),
    )
    created_at = models.DateTimeField(_("oprettet"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("oprettet af"),
    )
    expires_at = models.DateTimeField(_("udløber"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("tilbagekaldt"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("tilbagekaldt af"),
    )

    class Meta:
        verbose_name = _("kalenderlink")
        verbose_name_plural = _("kalenderlinks")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                name="feed_token_owner_matches_kind",
                condition=(
                    models.Q(kind="consultant", consultant__isnull=False, citizen__isnull=True, room__isnull=True,
                             site__isnull=True, group_course__isnull=True)
                    | models.Q(kind="citizen", consultant__isnull=True, citizen__isnull=False, room__isnull=True,
                               site__isnull=True, group_course__isnull=True)
                    | models.Q(kind="room", consultant__isnull=True, citizen__isnull=True, room__isnull=False,
                               site__isnull=True, group_course__isnull=True)
                    | models.Q(kind="site", consultant__isnull=True, citizen__isnull=True, room__isnull=True,
                               site__isnull=False, group_course__isnull=True)
                    | models.Q(kind="group_course", consultant__isnull=True, citizen__isnull=True,
                               room__isnull=True, site__isnull=True, group_course__isnull=False)
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.owner}"

    @property
    def owner(self) -> models.Model | None:
        return self.consultant or self.citizen or self.room or self.site or self.group_course


_WEIGHT_DEFAULTS = solver_problem.Weights()
_WEIGHT_LIMIT = [MaxValueValidator(1_000_000)]


class PlanningWeights(models.Model):
    """How much each soft rule counts when the planner weighs one plan against another (one row for the
    installation). Higher counts more; 0 switches a rule off. Unset, the planner uses its defaults."""

    unplaced = models.PositiveIntegerField(
        _("opgave ikke placeret"), default=_WEIGHT_DEFAULTS.unplaced, validators=_WEIGHT_LIMIT,
        help_text=_("Pr. aktivitet, der ikke kommer med i ugen (×100 for en fastlåst aftale)."))
    not_contact_consultant = models.PositiveIntegerField(
        _("ikke borgerens kontaktperson"), default=_WEIGHT_DEFAULTS.not_contact_consultant, validators=_WEIGHT_LIMIT,
        help_text=_("Pr. samtale, som en anden end borgerens faste kontaktperson holder."))
    load_balance = models.PositiveIntegerField(
        _("jævn arbejdsbelastning"), default=_WEIGHT_DEFAULTS.load_balance, validators=_WEIGHT_LIMIT,
        help_text=_("Pr. promille af den højeste belastning i forhold til timetallet, pr. faggruppe."))
    citizen_trip = models.PositiveIntegerField(
        _("ekstra fremmødedag for borgeren"), default=_WEIGHT_DEFAULTS.citizen_trip, validators=_WEIGHT_LIMIT,
        help_text=_("Pr. dag, borgeren skal møde op på centret uden at komme der i forvejen."))
    citizen_gap = models.PositiveIntegerField(
        _("ventetid for borgeren"), default=_WEIGHT_DEFAULTS.citizen_gap, validators=_WEIGHT_LIMIT,
        help_text=_("Pr. kvarter, borgeren venter på centret mellem to aftaler samme dag."))
    moved_from_published = models.PositiveIntegerField(
        _("ændring af offentliggjort aftale"), default=_WEIGHT_DEFAULTS.moved_from_published,
        validators=_WEIGHT_LIMIT, help_text=_("Pr. offentliggjort aftale, der flyttes eller får en anden konsulent."))
    preference = models.PositiveIntegerField(
        _("ønsker om tidspunkter"), default=_WEIGHT_DEFAULTS.preference, validators=_WEIGHT_LIMIT,
        help_text=_("Pr. aftale uden for konsulentens foretrukne tid eller på en dag, borgeren helst undgår."))
    caseload = models.PositiveIntegerField(
        _("sagsstamme over grænsen"), default=_WEIGHT_DEFAULTS.caseload, validators=_WEIGHT_LIMIT,
        help_text=_("Pr. ny borger, der får en kontaktperson, som allerede har fuld sagsstamme."))
    updated_at = models.DateTimeField(_("ændret"), auto_now=True)

    class Meta:
        verbose_name = _("planlægningsvægte")
        verbose_name_plural = _("planlægningsvægte")

    def __str__(self) -> str:
        return str(_("Planlægningsvægte"))

    def save(self, *args: object, **kwargs: object) -> None:
        self.pk = 1  # one row for the installation
        super().save(*args, **kwargs)

    def to_solver(self) -> solver_problem.Weights:
        names = [f.name for f in dataclass_fields(solver_problem.Weights)]
        return solver_problem.Weights(**{name: getattr(self, name) for name in names})
