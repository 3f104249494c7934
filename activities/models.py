"""Intervention models (indsatsmodeller), their phases and activity rules, group courses, companies
and internships."""
from datetime import date, time

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from rooms.models import Address, RoomFeature, Site, Weekday, WeeklyWindow
from rooms.text import PlainTextMixin

# The legal full-time week in Denmark is 37 hours; nobody works, trains or interns beyond it here.
MAX_HOURS_PER_WEEK = 37
# Internship hours are presence at the workplace. A day of more than six hours includes a 30-minute
# lunch break that is no work, so 08:00-15:30 five days (37.5 hours' presence, 35 working) is a normal
# full-time internship; the 37-hour cap counts working hours.
LUNCH_AFTER_MINUTES = 6 * 60
LUNCH_MINUTES = 30
MAX_PRESENCE_HOURS_PER_WEEK = MAX_HOURS_PER_WEEK + 5 * LUNCH_MINUTES / 60


def working_hours(presence_hours_per_week: float, days: int) -> float:
    """Working hours in a week of `presence_hours_per_week` spread evenly over `days` days."""
    per_day = presence_hours_per_week * 60 / max(1, days)
    lunch = LUNCH_MINUTES if per_day > LUNCH_AFTER_MINUTES else 0
    return (per_day - lunch) * days / 60


def validate_week_range(min_weeks: int | None, max_weeks: int | None) -> None:
    if min_weeks is not None and max_weeks is not None and max_weeks < min_weeks:
        raise ValidationError({"max_weeks": _("Største længde skal være mindst lige så lang som mindste.")})


class StaffType(PlainTextMixin, models.Model):
    """Faggruppe: social (socialfaglig), job (jobkonsulent), health (sundhedskonsulent)."""

    SOCIAL = "social"
    JOB = "job"
    HEALTH = "health"

    code = models.SlugField(_("kode"), max_length=20, unique=True)
    name = models.CharField(_("navn"), max_length=80)

    class Meta:
        verbose_name = _("faggruppe")
        verbose_name_plural = _("faggrupper")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class TargetGroup(PlainTextMixin, models.Model):
    """Målgruppe, with the course length the seeds give for it."""

    code = models.SlugField(_("kode"), max_length=40, unique=True)
    name = models.CharField(_("navn"), max_length=80)
    min_weeks = models.PositiveSmallIntegerField(_("mindste forløbslængde (uger)"))
    max_weeks = models.PositiveSmallIntegerField(_("største forløbslængde (uger)"))

    class Meta:
        verbose_name = _("målgruppe")
        verbose_name_plural = _("målgrupper")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        validate_week_range(self.min_weeks, self.max_weeks)


class ActivityKind(models.TextChoices):
    START_TALK = "start_talk", _("Opstartssamtale")
    TALK = "talk", _("Individuel samtale")
    CONTACT = "contact", _("Kontakt med jobformidler")
    GROUP_SESSION = "group_session", _("Holdforløb")
    ROUNDTABLE = "roundtable", _("Rundbordssamtale")
    FOLLOWUP_VISIT = "followup_visit", _("Opfølgningsbesøg")
    S7A = "s7a", _("§7a-samtale")
    STEPUP = "stepup", _("Tværfaglig step-up-samtale")
    ASSESSMENT = "assessment", _("Funktionsvurdering")


class Place(models.TextChoices):
    SITE = "site", _("Lokale på centret")
    COMPANY = "company", _("Hos virksomheden")
    HOME = "home", _("I borgerens hjem")
    PHONE = "phone", _("Telefon/video")


class FrequencyType(models.TextChoices):
    EVERY_N_DAYS = "every_n_days", _("Mindst hver N. dag")
    PER_WEEK = "per_week", _("N gange om ugen")
    ONCE = "once", _("Én gang i fasen")
    ON_REQUEST = "on_request", _("Når koordinator beder om det")


class Condition(models.TextChoices):
    """When a rule applies to a citizen, beyond being in the phase."""

    ALWAYS = "always", _("Altid")
    IN_INTERNSHIP = "in_internship", _("Borgeren er i praktik")
    EMPLOYED = "employed", _("Borgeren har en arbejdsgiver (delvis raskmelding)")
    AFTER_JOB_START = "after_job_start", _("Efter jobstart (efterværn)")


class Theme(models.TextChoices):
    COPING = "coping", _("Mestring")
    HEALTH = "health", _("Sundhed")
    GROUP_DYNAMICS = "group_dynamics", _("Gruppedynamik")
    WELLBEING = "wellbeing", _("Trivsel og balance")


class InterventionModel(PlainTextMixin, models.Model):
    name = models.CharField(_("navn"), max_length=160, unique=True)
    description = models.TextField(_("beskrivelse"), blank=True)
    builtin = models.BooleanField(
        _("indbygget"), default=False, help_text=_("Leveret med systemet. Kopiér den for at tilpasse.")
    )
    copied_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("kopieret fra")
    )
    target_groups = models.ManyToManyField(TargetGroup, blank=True, verbose_name=_("målgrupper"))
    min_weeks = models.PositiveSmallIntegerField(_("normal længde fra (uger)"))
    max_weeks = models.PositiveSmallIntegerField(_("normal længde til (uger)"))
    outcomes = models.TextField(_("mulige afslutninger"), blank=True)

    class Meta:
        verbose_name = _("indsatsmodel")
        verbose_name_plural = _("indsatsmodeller")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        validate_week_range(self.min_weeks, self.max_weeks)


class Phase(PlainTextMixin, models.Model):
    model = models.ForeignKey(
        InterventionModel, on_delete=models.CASCADE, related_name="phases", verbose_name=_("indsatsmodel")
    )
    order = models.PositiveSmallIntegerField(_("rækkefølge"))
    name = models.CharField(_("navn"), max_length=120)
    description = models.TextField(_("beskrivelse"), blank=True)
    target_weeks = models.PositiveSmallIntegerField(_("mållængde (uger)"), null=True, blank=True)
    goals = models.TextField(_("progressionsmål"), blank=True)
    optional = models.BooleanField(
        _("efter behov"), default=False, help_text=_("Fx step-up: bruges kun når koordinator vælger den.")
    )

    class Meta:
        verbose_name = _("fase")
        verbose_name_plural = _("faser")
        ordering = ["model", "order"]
        constraints = [models.UniqueConstraint(fields=["model", "order"], name="unique_phase_order")]

    def __str__(self) -> str:
        return f"{self.model}: {self.order}. {self.name}"


class ActivityRule(PlainTextMixin, models.Model):
    """What a phase asks for: which activity, with whom, how long, how often, where."""

    phase = models.ForeignKey(Phase, on_delete=models.CASCADE, related_name="rules", verbose_name=_("fase"))
    kind = models.CharField(_("aktivitet"), max_length=30, choices=ActivityKind.choices)
    description = models.CharField(_("beskrivelse"), max_length=200, blank=True)
    staff_types = models.ManyToManyField(
        StaffType, verbose_name=_("faggrupper"), help_text=_("Én konsulent af hver valgt faggruppe deltager.")
    )
    with_contact_consultant = models.BooleanField(
        _("holdes af kontaktpersonen"), default=True,
        help_text=_("Borgerens faste kontaktperson holder aktiviteten, når det er muligt."),
    )
    duration_minutes = models.PositiveSmallIntegerField(
        _("varighed (minutter)"), validators=[MinValueValidator(15), MaxValueValidator(8 * 60)]
    )
    frequency_type = models.CharField(_("hyppighed"), max_length=20, choices=FrequencyType.choices)
    frequency_value = models.PositiveSmallIntegerField(
        _("N"), default=1, help_text=_("Dage mellem aktiviteter, eller antal pr. uge.")
    )
    place = models.CharField(_("sted"), max_length=20, choices=Place.choices, default=Place.SITE)
    room_features = models.ManyToManyField(RoomFeature, blank=True, verbose_name=_("lokalekrav"))
    theme = models.CharField(
        _("holdtema"), max_length=30, choices=Theme.choices, blank=True,
        help_text=_("Kun for holdforløb: borgeren får plads på et hold med dette tema."),
    )
    condition = models.CharField(_("gælder når"), max_length=20, choices=Condition.choices, default=Condition.ALWAYS)

    class Meta:
        verbose_name = _("aktivitetsregel")
        verbose_name_plural = _("aktivitetsregler")
        ordering = ["phase", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} – {self.frequency_text}"

    @property
    def frequency_text(self) -> str:
        n = self.frequency_value
        match self.frequency_type:
            case FrequencyType.EVERY_N_DAYS:
                return f"mindst hver {n}. dag"
            case FrequencyType.PER_WEEK:
                return f"{n} gang om ugen" if n == 1 else f"{n} gange om ugen"
            case FrequencyType.ONCE:
                return "én gang i fasen"
            case _:
                return "efter aftale"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.frequency_type in (FrequencyType.EVERY_N_DAYS, FrequencyType.PER_WEEK) and not self.frequency_value:
            errors["frequency_value"] = _("Angiv hvor ofte (N skal være mindst 1).")
        if self.frequency_type == FrequencyType.PER_WEEK and self.frequency_value and self.frequency_value > 10:
            errors["frequency_value"] = _("Højst 10 gange om ugen.")
        if self.kind == ActivityKind.GROUP_SESSION and not self.theme:
            errors["theme"] = _("Et holdforløb skal have et tema.")
        if self.kind == ActivityKind.FOLLOWUP_VISIT and self.place != Place.COMPANY:
            errors["place"] = _("Et opfølgningsbesøg foregår hos virksomheden.")
        if errors:
            raise ValidationError(errors)


class GroupCourse(PlainTextMixin, models.Model):
    name = models.CharField(_("navn"), max_length=120)
    theme = models.CharField(_("tema"), max_length=30, choices=Theme.choices)
    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="group_courses", verbose_name=_("center"))
    facilitator_staff_type = models.ForeignKey(
        StaffType, on_delete=models.PROTECT, verbose_name=_("facilitator (faggruppe)")
    )
    facilitator = models.ForeignKey(
        "scheduler.Consultant", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="facilitated_courses", verbose_name=_("fast facilitator"),
    )
    min_participants = models.PositiveSmallIntegerField(_("mindste antal deltagere"), default=6)
    max_participants = models.PositiveSmallIntegerField(_("største antal deltagere"), default=14)
    start_date = models.DateField(_("startdato"))
    end_date = models.DateField(_("slutdato"))
    room_features = models.ManyToManyField(RoomFeature, blank=True, verbose_name=_("lokalekrav"))
    members = models.ManyToManyField(
        "scheduler.Citizen", through="CourseMembership", related_name="group_courses", verbose_name=_("deltagere")
    )

    class Meta:
        verbose_name = _("holdforløb")
        verbose_name_plural = _("holdforløb")
        ordering = ["site", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.site})"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.start_date and self.end_date and self.end_date < self.start_date:
            errors["end_date"] = _("Slutdato skal ligge efter startdato.")
        if self.min_participants is not None and self.min_participants < 1:
            errors["min_participants"] = _("Mindste antal deltagere skal være mindst 1.")
        if self.max_participants is not None and self.max_participants < 1:
            errors["max_participants"] = _("Største antal deltagere skal være mindst 1.")
        elif (
            self.min_participants is not None
            and self.max_participants is not None
            and self.max_participants < self.min_participants
        ):
            errors["max_participants"] = _("Største antal skal være mindst lige så stort som mindste antal.")
        if self.facilitator_id and self.site_id and not self.facilitator.serves(self.site_id):
            errors["facilitator"] = _("Facilitatoren arbejder ikke på holdets center.")
        if errors:
            raise ValidationError(errors)


class CourseSession(models.Model):
    """The weekly pattern of a group course: one row per session a week."""

    course = models.ForeignKey(GroupCourse, on_delete=models.CASCADE, related_name="sessions", verbose_name=_("hold"))
    weekday = models.PositiveSmallIntegerField(_("ugedag"), choices=Weekday.choices[:5])
    start_time = models.TimeField(_("starttid"))
    duration_minutes = models.PositiveSmallIntegerField(
        _("varighed (minutter)"), validators=[MinValueValidator(30), MaxValueValidator(4 * 60)]
    )

    class Meta:
        verbose_name = _("holdgang")
        verbose_name_plural = _("holdgange")
        ordering = ["course", "weekday", "start_time"]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.start_time:%H:%M} ({self.duration_minutes} min)"


class CourseMembership(models.Model):
    course = models.ForeignKey(GroupCourse, on_delete=models.CASCADE, verbose_name=_("hold"))
    citizen = models.ForeignKey("scheduler.Citizen", on_delete=models.CASCADE, verbose_name=_("borger"))
    joined = models.DateField(_("startet"))
    left = models.DateField(_("stoppet"), null=True, blank=True)

    class Meta:
        verbose_name = _("holddeltagelse")
        verbose_name_plural = _("holddeltagelser")
        constraints = [models.UniqueConstraint(fields=["course", "citizen"], name="unique_course_member")]

    def __str__(self) -> str:
        return f"{self.citizen} på {self.course}"

    def clean(self) -> None:
        if self.joined and self.left and self.left < self.joined:
            raise ValidationError({"left": _("Stopdato skal ligge efter startdato.")})


class Company(Address):
    name = models.CharField(_("navn"), max_length=160)
    cvr = models.CharField(_("CVR-nummer"), max_length=8, blank=True)
    contact_name = models.CharField(_("kontaktperson"), max_length=120, blank=True)
    contact_phone = models.CharField(_("kontaktpersonens telefon"), max_length=20, blank=True)
    contact_email = models.EmailField(_("kontaktpersonens e-mail"), blank=True)

    class Meta:
        verbose_name = _("virksomhed")
        verbose_name_plural = _("virksomheder")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def location_key(self) -> str:
        return f"company:{self.pk}"


class EmployerAvailability(WeeklyWindow):
    """When the company's contact person can take part in a round-table meeting or a visit."""

    company = models.ForeignKey(
        Company, on_delete=models.CASCADE, related_name="availability", verbose_name=_("virksomhed")
    )

    class Meta:
        verbose_name = _("arbejdsgivers tilgængelighed")
        verbose_name_plural = _("arbejdsgivers tilgængelighed")
        ordering = ["company", "weekday", "start_time"]


class InternshipKind(models.TextChoices):
    INTERNSHIP = "internship", _("Virksomhedspraktik")
    PARTIAL_RETURN = "partial_return", _("Delvis raskmelding")
    JOB = "job", _("Job (efterværn)")


class Internship(PlainTextMixin, models.Model):
    """A placement at a company: internship, partial return to the own job, or a job after the course."""

    enrolment = models.ForeignKey(
        "scheduler.Enrolment", on_delete=models.CASCADE, related_name="internships", verbose_name=_("forløb")
    )
    company = models.ForeignKey(
        Company, on_delete=models.PROTECT, related_name="internships", verbose_name=_("virksomhed"),
    )
    kind = models.CharField(_("type"), max_length=20, choices=InternshipKind.choices, default=InternshipKind.INTERNSHIP)
    start_date = models.DateField(_("startdato"))
    end_date = models.DateField(_("slutdato"), null=True, blank=True)
    contact_name = models.CharField(_("kontaktperson i virksomheden"), max_length=120, blank=True)
    contact_phone = models.CharField(_("kontaktpersonens telefon"), max_length=20, blank=True)
    tasks = models.TextField(_("arbejdsopgaver"), blank=True)

    class Meta:
        verbose_name = _("praktik")
        verbose_name_plural = _("praktikker")
        ordering = ["-start_date"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} hos {self.company}"

    def clean(self) -> None:
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("Slutdato skal ligge efter startdato.")})

    def step_on(self, day: date) -> "InternshipStep | None":
        """The staircase step in force on a day (the latest that has started)."""
        steps = [step for step in self.steps.all() if step.start_date <= day]
        return max(steps, key=lambda step: step.start_date) if steps else None


class InternshipStep(models.Model):
    """One step of the staircase: from a date, these hours on these days.

    Hours grow step by step (e.g. 10 h/week for two weeks, then 15 h/week). The week's hours are spread
    evenly over the chosen days from the daily start time.
    """

    internship = models.ForeignKey(
        Internship, on_delete=models.CASCADE, related_name="steps", verbose_name=_("praktik"),
    )
    start_date = models.DateField(_("gælder fra"))
    hours_per_week = models.DecimalField(
        _("timer pr. uge"), max_digits=4, decimal_places=1,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_PRESENCE_HOURS_PER_WEEK)],
        help_text=_("Tilstedeværelse inkl. frokost: en dag over 6 timer har 30 minutters frokost, der ikke "
                    "tæller med i de højst 37 arbejdstimer (08:00–15:30 fem dage er 37,5)."),
    )
    weekdays = models.JSONField(_("ugedage"), help_text=_("Liste af ugedage, 0 = mandag … 4 = fredag."))
    daily_start = models.TimeField(_("mødetid"), default=time(8, 0))

    class Meta:
        verbose_name = _("trappetrin")
        verbose_name_plural = _("trappetrin")
        ordering = ["internship", "start_date"]
        constraints = [models.UniqueConstraint(fields=["internship", "start_date"], name="unique_step_start")]

    def __str__(self) -> str:
        return f"fra {self.start_date:%d.%m.%Y}: {self.hours_per_week} t/uge"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        days = self.weekdays if isinstance(self.weekdays, list) else None
        if not days or any(not isinstance(d, int) or d < 0 or d > 4 for d in days) or len(set(days)) != len(days):
            errors["weekdays"] = _("Vælg mindst én ugedag fra mandag (0) til fredag (4), hver højst én gang.")
        if self.hours_per_week is not None and days and not errors and (
            working_hours(float(self.hours_per_week), len(days)) > MAX_HOURS_PER_WEEK + 1e-9
        ):
            errors["hours_per_week"] = _("Højst 37 arbejdstimer pr. uge (frokost fraregnet).")
        elif self.hours_per_week is not None and self.hours_per_week > MAX_PRESENCE_HOURS_PER_WEEK:
            errors["hours_per_week"] = _("Højst 37 arbejdstimer pr. uge (frokost fraregnet).")
        elif days and not errors and self.hours_per_week and self.daily_start:
            minutes_per_day = float(self.hours_per_week) * 60 / len(days)
            if self.daily_start.hour * 60 + self.daily_start.minute + minutes_per_day > 20 * 60:
                errors["hours_per_week"] = _("For mange timer pr. dag: arbejdsdagen ville slutte efter kl. 20.")
        if errors:
            raise ValidationError(errors)

    def minutes_per_day(self) -> int:
        return int(round(float(self.hours_per_week) * 60 / max(1, len(self.weekdays))))
