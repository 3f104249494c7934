"""Planning runs: one "plan the week" request and the parts it is solved in."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from rooms.models import Site
from scheduler.models.plans import Plan


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
    # A run of several weeks (scheduler.planning.weeks): this many weeks from week_start, one draft each;
    # `plan` is the first week's, `week_plans` all of them in order of week.
    weeks = models.PositiveSmallIntegerField(_("uger"), default=1)
    week_plans = models.ManyToManyField(Plan, blank=True, related_name="week_runs", verbose_name=_("ugernes planer"))
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
