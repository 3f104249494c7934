import pytest
from django.apps import apps

from activities.models import ActivityRule, InterventionModel, StaffType, TargetGroup
from activities.reference_data import install_reference_data
from activities.services import intervention_model_copy

pytestmark = pytest.mark.django_db


def test_it_ships_the_three_builtin_intervention_models() -> None:
    names = set(InterventionModel.objects.filter(builtin=True).values_list("name", flat=True))
    assert names == {"Tværfaglig fuldindsats – sygedagpenge", "Flere skal med II", "Kom godt tilbage i job"}


def test_sickness_benefit_model_has_talks_every_28_days_and_visits_every_14() -> None:
    model = InterventionModel.objects.get(name="Tværfaglig fuldindsats – sygedagpenge")
    assert (model.min_weeks, model.max_weeks) == (6, 13)
    rules = ActivityRule.objects.filter(phase__model=model)
    assert rules.filter(kind="talk", frequency_type="every_n_days", frequency_value=28).count() == 3
    visit = rules.get(kind="followup_visit")
    assert (visit.frequency_value, visit.place, visit.condition) == (14, "company", "in_internship")
    assert list(visit.staff_types.values_list("code", flat=True)) == ["job"]


def test_flere_skal_med_has_three_steps_and_an_optional_step_up() -> None:
    model = InterventionModel.objects.get(name="Flere skal med II")
    phases = list(model.phases.order_by("order"))
    assert [p.name for p in phases] == [
        "Trin 1: Startafklaring", "Trin 2: På vej mod job", "Trin 3: Virksomhedsforløb", "Step-up",
    ]
    assert phases[1].rules.get().frequency_type == "per_week"
    assert phases[3].optional


def test_target_group_lengths_follow_the_seed() -> None:
    lengths = {g.code: (g.min_weeks, g.max_weeks) for g in TargetGroup.objects.all()}
    assert lengths["sygedagpenge"] == (6, 13)
    assert lengths["jobafklaring"] == (13, 26)
    assert lengths["integration"] == (13, 13)


def test_installing_reference_data_twice_changes_nothing() -> None:
    before = (StaffType.objects.count(), InterventionModel.objects.count(), ActivityRule.objects.count())
    install_reference_data(apps.get_model)
    assert (StaffType.objects.count(), InterventionModel.objects.count(), ActivityRule.objects.count()) == before


def test_a_coordinator_copy_is_editable_and_leaves_the_original_intact() -> None:
    original = InterventionModel.objects.get(name="Kom godt tilbage i job")
    copy = intervention_model_copy(model=original)
    assert not copy.builtin and copy.copied_from == original
    assert copy.name == "Kom godt tilbage i job (kopi)"
    copy_rules = ActivityRule.objects.filter(phase__model=copy)
    assert copy_rules.count() == ActivityRule.objects.filter(phase__model=original).count()
    rule = copy_rules.get(kind="group_session")
    rule.frequency_value = 2
    rule.save()
    assert ActivityRule.objects.get(phase__model=original, kind="group_session").frequency_value == 1
    assert set(rule.staff_types.values_list("code", flat=True)) == {"social"}
    assert intervention_model_copy(model=original).name == "Kom godt tilbage i job (kopi) 2"
