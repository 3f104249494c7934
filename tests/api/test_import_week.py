"""The import carries a whole centre's week: closed days, employer availability, absences, citizens'
fixed unavailability, requests and travel overrides — idempotent, all or nothing, and every reference
only within the caller's sites. And the 37-hour cap on internship hours counts presence with lunch."""
import copy
from datetime import date, time
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from activities.models import EmployerAvailability, Internship, InternshipStep
from rooms.models import ClosedDay, Site, TravelTimeOverride
from scheduler.imports import ImportFailed, centre_import
from scheduler.models import Absence, ActivityRequest, CitizenUnavailability

from .test_import import _document

pytestmark = pytest.mark.django_db


def _week_document() -> dict:
    doc = _document()
    doc["sites"][0]["closed_days"] = [{"date": "2026-12-04", "reason": "Personaledag"}]
    doc["companies"][0]["availability"] = [{"weekday": 1, "start_time": "09:00", "end_time": "12:00"},
                                           {"weekday": 3, "start_time": "09:00", "end_time": "12:00"}]
    doc["consultants"][0]["absences"] = [
        {"start_date": "2026-12-02", "end_date": "2026-12-04", "reason": "sick"},
        {"start_date": "2026-12-01", "end_date": "2026-12-01", "start_time": "12:00", "end_time": "16:00",
         "reason": "training"},
    ]
    citizen = doc["citizens"][0]
    citizen["unavailability"] = [{"weekday": 0, "start_time": "09:00", "end_time": "11:00"}]
    citizen["enrolments"][0]["requests"] = [
        {"kind": "roundtable", "earliest": "2026-11-30", "due_by": "2026-12-04", "duration_minutes": 60,
         "company": {"name": "Bageriet", "postcode": "7000"}, "note": "Trappemodel"},
        {"kind": "s7a", "earliest": "2026-11-30", "due_by": "2026-12-04", "duration_minutes": 45},
        {"kind": "talk", "earliest": "2026-12-01", "due_by": "2026-12-03", "staff_types": ["job"]},
    ]
    doc["travel_overrides"] = [{"from": {"site": "fredericia"}, "to": {"company": {"name": "Bageriet",
                                                                                "postcode": "7000"}},
                                "minutes": 25, "note": "Målt"}]
    return doc


def test_a_whole_week_is_imported_and_a_second_import_changes_nothing() -> None:
    result = centre_import(document=_week_document())

    assert result.created["closed_days"] == 1 and result.created["employer_availability"] == 2
    assert result.created["absences"] == 2 and result.created["citizen_unavailability"] == 1
    assert result.created["requests"] == 3 and result.created["travel_overrides"] == 1
    site = Site.objects.get(code="fredericia")
    assert ClosedDay.objects.get(site=site).date == date(2026, 12, 4)
    assert list(EmployerAvailability.objects.values_list("weekday", flat=True).order_by("weekday")) == [1, 3]
    partial = Absence.objects.get(start_time=time(12))
    assert partial.end_time == time(16) and partial.reason == "training"
    assert CitizenUnavailability.objects.get().start_time == time(9)
    roundtable = ActivityRequest.objects.get(kind="roundtable")
    assert roundtable.company.name == "Bageriet"
    assert sorted(roundtable.staff_types.values_list("code", flat=True)) == ["job", "social"]
    assert list(ActivityRequest.objects.get(kind="talk").staff_types.values_list("code", flat=True)) == ["job"]
    override = TravelTimeOverride.objects.get()
    assert override.minutes == 25
    assert {override.origin, override.destination} == {site.location_key, roundtable.company.location_key}

    again = centre_import(document=_week_document())
    assert not again.created and not again.updated

    changed = _week_document()
    changed["travel_overrides"][0]["minutes"] = 30
    changed["travel_overrides"][0]["from"], changed["travel_overrides"][0]["to"] = (
        changed["travel_overrides"][0]["to"], changed["travel_overrides"][0]["from"])
    assert centre_import(document=changed).updated["travel_overrides"] == 1  # the same pair, either order
    assert TravelTimeOverride.objects.get().minutes == 30


def test_references_outside_the_callers_sites_are_unknown_and_nothing_is_written() -> None:
    centre_import(document=_document())  # fredericia exists
    other = copy.deepcopy(_document())
    other["sites"][0].update(code="vejle", name="Center Vejle")
    for key in ("consultants", "citizens", "group_courses", "companies"):
        other.pop(key)
    centre_import(document=other)
    mine = frozenset(Site.objects.filter(code="vejle").values_list("pk", flat=True))

    doc = _week_document()
    doc.pop("sites")
    doc.pop("group_courses")
    doc["travel_overrides"].append({"from": {"site": "vejle"}, "to": {"site": "fredericia"}, "minutes": 30})
    with pytest.raises(ImportFailed) as failed:
        centre_import(document=doc, allowed_site_ids=mine)

    fields = {path for path, _message in failed.value.errors}
    assert "$.travel_overrides[0].from.site" in fields and "$.travel_overrides[1].to.site" in fields
    assert "$.citizens[0].site" in fields and "$.consultants[0].home_site" in fields
    assert not Absence.objects.exists() and not ActivityRequest.objects.exists()
    assert not TravelTimeOverride.objects.exists() and not CitizenUnavailability.objects.exists()


def test_a_pair_of_places_without_a_site_is_refused() -> None:
    doc = _week_document()
    doc["travel_overrides"] = [{"from": {"company": {"name": "Bageriet", "postcode": "7000"}},
                                "to": {"company": {"name": "Bageriet", "postcode": "7000"}}, "minutes": 5}]
    with pytest.raises(ImportFailed) as failed:
        centre_import(document=doc)
    assert ("$.travel_overrides[0].from", "Mindst den ene ende skal være et center.") in failed.value.errors


def test_a_normal_full_time_internship_of_0800_to_1530_is_accepted_and_more_than_37_working_hours_not() -> None:
    doc = _document()
    step = doc["citizens"][0]["enrolments"][0]["internships"][0]["steps"][0]
    step.update(hours_per_week=37.5, weekdays=[0, 1, 2, 3, 4], daily_start="08:00")
    centre_import(document=doc)
    saved = InternshipStep.objects.get()
    assert saved.hours_per_week == Decimal("37.5")
    assert saved.minutes_per_day() == 7 * 60 + 30  # 08:00-15:30: 7 hours' work and 30 minutes' lunch

    internship = Internship.objects.get()
    too_much = InternshipStep(internship=internship, start_date=date(2026, 12, 7), hours_per_week=Decimal("39.6"),
                              weekdays=[0, 1, 2, 3, 4], daily_start=time(8))
    with pytest.raises(ValidationError) as error:
        too_much.full_clean()
    assert "hours_per_week" in error.value.message_dict
    # Lunch is no work on long days: 37 hours' presence over four days is well within the cap.
    InternshipStep(internship=internship, start_date=date(2026, 12, 7), hours_per_week=Decimal("37"),
                   weekdays=[0, 1, 2, 3], daily_start=time(8)).full_clean()
    doc["citizens"][0]["enrolments"][0]["internships"][0]["steps"][0].update(hours_per_week=39.6)
    with pytest.raises(ImportFailed):
        centre_import(document=doc)


def _model_document() -> dict:
    return {
        "format": "ugeskema-centre/1",
        "intervention_models": [{
            "name": "Fredericia-modellen", "min_weeks": 8, "max_weeks": 16, "target_groups": ["sygedagpenge"],
            "phases": [
                {"order": 1, "name": "Afklaring", "target_weeks": 4, "rules": [
                    {"kind": "talk", "staff_types": ["social"], "duration_minutes": 60,
                     "frequency_type": "every_n_days", "frequency_value": 14, "with_contact_consultant": True},
                    {"kind": "group_session", "theme": "coping", "staff_types": ["social"], "duration_minutes": 90,
                     "frequency_type": "per_week", "frequency_value": 1, "room_features": ["group_room"]},
                ]},
                {"order": 2, "name": "Praktik", "rules": [
                    {"kind": "followup_visit", "condition": "in_internship", "staff_types": ["job"],
                     "duration_minutes": 45, "frequency_type": "every_n_days", "frequency_value": 21,
                     "place": "company"},
                ]},
            ],
        }],
    }


def test_an_administrator_imports_an_intervention_model_with_phases_and_rules_used_by_enrolments() -> None:
    from activities.models import ActivityRule, InterventionModel, Phase

    doc = _model_document()
    enrolment = _document()["citizens"][0]["enrolments"][0]
    enrolment.update(intervention_model="Fredericia-modellen", current_phase=2)
    doc.update({k: v for k, v in _document().items() if k != "format"})
    doc["citizens"][0]["enrolments"] = [enrolment]

    result = centre_import(document=doc)

    assert result.created["intervention_models"] == 1 and result.created["phases"] == 2
    assert result.created["activity_rules"] == 3
    model = InterventionModel.objects.get(name="Fredericia-modellen")
    assert list(model.target_groups.values_list("code", flat=True)) == ["sygedagpenge"]
    visit = ActivityRule.objects.get(phase__model=model, kind="followup_visit")
    assert visit.condition == "in_internship" and visit.place == "company"
    session = ActivityRule.objects.get(phase__model=model, kind="group_session")
    assert list(session.room_features.values_list("code", flat=True)) == ["group_room"]
    from scheduler.models import Enrolment
    assert Enrolment.objects.get().current_phase == Phase.objects.get(model=model, order=2)
    assert not centre_import(document=doc).created and not centre_import(document=doc).updated

    changed = _model_document()
    changed["intervention_models"][0]["phases"][0]["rules"][0]["frequency_value"] = 28
    assert centre_import(document=changed).updated["activity_rules"] == 1
    assert ActivityRule.objects.get(phase__model=model, kind="talk").frequency_value == 28


def test_only_an_administrator_imports_models_and_the_built_in_ones_stay_as_they_are() -> None:
    from activities.models import InterventionModel

    centre_import(document=_document())
    mine = frozenset(Site.objects.values_list("pk", flat=True))
    with pytest.raises(ImportFailed) as failed:
        centre_import(document=_model_document(), allowed_site_ids=mine)
    assert ("$.intervention_models[0].name", "Kun en administrator kan indlæse indsatsmodeller.") in failed.value.errors
    assert not InterventionModel.objects.filter(name="Fredericia-modellen").exists()

    builtin = InterventionModel.objects.filter(builtin=True).first()
    doc = {"format": "ugeskema-centre/1", "intervention_models": [{"name": builtin.name, "min_weeks": 1}]}
    with pytest.raises(ImportFailed) as failed:
        centre_import(document=doc)
    assert failed.value.errors[0][0] == "$.intervention_models[0].name"
    builtin.refresh_from_db()
    assert builtin.min_weeks != 1
