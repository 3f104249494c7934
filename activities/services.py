"""Writes on intervention models."""
from django.db import transaction

from activities.models import InterventionModel


@transaction.atomic
def intervention_model_copy(*, model: InterventionModel, name: str | None = None) -> InterventionModel:
    """A coordinator's editable copy of a model, with its phases and rules (built-in models stay intact)."""
    base = name or f"{model.name} (kopi)"
    candidate, number = base, 2
    while InterventionModel.objects.filter(name=candidate).exists():
        candidate, number = f"{base} {number}", number + 1
    # No prefetch: a prefetched many-to-many cache would make .set() on the copy think it is done.
    phases = list(model.phases.all())
    target_groups = list(model.target_groups.all())
    copy = InterventionModel.objects.create(
        name=candidate,
        description=model.description,
        builtin=False,
        copied_from=model,
        min_weeks=model.min_weeks,
        max_weeks=model.max_weeks,
        outcomes=model.outcomes,
        success_goal_percent=model.success_goal_percent,
    )
    for outcome in model.outcome_choices.all():
        outcome.pk, outcome.model = None, copy
        outcome.save()
    copy.target_groups.set(target_groups)
    for phase in phases:
        rules = list(phase.rules.all())
        phase.pk, phase.model = None, copy
        phase.save()
        for rule in rules:
            staff_types, features = list(rule.staff_types.all()), list(rule.room_features.all())
            rule.pk, rule.phase = None, phase
            rule.save()
            rule.staff_types.set(staff_types)
            rule.room_features.set(features)
    return copy
