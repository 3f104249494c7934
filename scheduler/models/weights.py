"""How much each soft rule counts when the planner weighs one plan against another."""
from dataclasses import fields as dataclass_fields

from django.core.validators import MaxValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from solver import problem as solver_problem

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
