"""Model validation rejects what a coordinator could mistype, in Danish, naming the field."""
from datetime import date, time
from decimal import Decimal

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.test import RequestFactory

from activities.admin import ActivityRuleForm
from activities.models import ActivityRule, GroupCourse, InternshipStep, Phase, StaffType
from rooms.models import OpeningHours, Room, Site
from scheduler.admin import ConsultantAdmin
from scheduler.models import Absence, Consultant, Enrolment

pytestmark = pytest.mark.django_db


@pytest.fixture
def site() -> Site:
    return Site.objects.create(code="vejle", name="Center Vejle", street="Dæmningen 1", postcode="7100",
                               city="Vejle", latitude=55.7, longitude=9.5)


@pytest.fixture
def consultant(site: Site) -> Consultant:
    return Consultant.objects.create(reference="k1", name="Anne Holm", home_site=site, hours_per_week=37)


def errors_of(instance) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        instance.full_clean()
    return caught.value.message_dict


def test_a_course_cannot_end_before_it_starts(site: Site) -> None:
    course = GroupCourse(name="Mestring", theme="coping", site=site, start_date=date(2026, 12, 1),
                         end_date=date(2026, 11, 1), facilitator_staff_type=StaffType.objects.get(code="health"))
    assert errors_of(course)["end_date"] == ["Slutdato skal ligge efter startdato."]


def test_max_participants_below_min_is_refused(site: Site) -> None:
    course = GroupCourse(name="Mestring", theme="coping", site=site, start_date=date(2026, 11, 1),
                         end_date=date(2026, 12, 1), min_participants=8, max_participants=6,
                         facilitator_staff_type=StaffType.objects.get(code="health"))
    assert "max_participants" in errors_of(course)


def test_a_room_needs_a_capacity_of_at_least_one(site: Site) -> None:
    assert errors_of(Room(site=site, name="Samtalerum", capacity=0))["capacity"] == [
        "Kapaciteten skal være mindst 1 person."
    ]


def test_hours_per_week_beyond_the_legal_week_are_refused(consultant: Consultant) -> None:
    consultant.hours_per_week = Decimal("40")
    assert "hours_per_week" in errors_of(consultant)


def test_internship_hours_beyond_37_are_refused() -> None:
    step = InternshipStep(internship_id=1, start_date=date(2026, 11, 2), hours_per_week=Decimal("45"),
                          weekdays=[0, 1, 2])
    errors = errors_of(step)
    assert "hours_per_week" in errors


def test_internship_days_must_be_weekdays() -> None:
    step = InternshipStep(internship_id=1, start_date=date(2026, 11, 2), hours_per_week=Decimal("15"),
                          weekdays=[5, 6])
    assert "weekdays" in errors_of(step)


def test_a_consultant_serving_no_site_is_refused_by_the_admin_form(consultant: Consultant) -> None:
    request = RequestFactory().get("/")
    request.user = get_user_model().objects.create_superuser("root", "root@example.dk", "x")
    form_class = ConsultantAdmin(Consultant, admin.site).get_form(request, obj=consultant)
    form = form_class(instance=consultant, data={
        "reference": "k1", "name": "Anne Holm", "home_site": consultant.home_site_id, "hours_per_week": "37",
        "max_caseload": "20", "active": "on", "staff_types": [StaffType.objects.get(code="job").pk], "sites": [],
    })
    assert not form.is_valid()
    assert form.errors["sites"] == ["Dette felt er påkrævet."]


def test_an_activity_rule_without_a_staff_type_is_refused() -> None:
    phase = Phase.objects.first()
    form = ActivityRuleForm(data={
        "phase": phase.pk, "kind": "talk", "duration_minutes": "60", "frequency_type": "every_n_days",
        "frequency_value": "28", "place": "site", "condition": "always", "staff_types": [],
    })
    assert not form.is_valid()
    assert "staff_types" in form.errors


def test_a_followup_visit_must_be_at_the_company() -> None:
    rule = ActivityRule(phase=Phase.objects.first(), kind="followup_visit", duration_minutes=45,
                        frequency_type="every_n_days", frequency_value=14, place="site")
    assert errors_of(rule)["place"] == ["Et opfølgningsbesøg foregår hos virksomheden."]


def test_overlapping_absences_are_refused(consultant: Consultant) -> None:
    Absence.objects.create(consultant=consultant, start_date=date(2026, 12, 1), end_date=date(2026, 12, 4))
    overlapping = Absence(consultant=consultant, start_date=date(2026, 12, 3), end_date=date(2026, 12, 8))
    assert errors_of(overlapping)["start_date"] == ["Fraværet overlapper et andet fravær for samme konsulent."]


def test_part_day_absences_on_the_same_day_may_sit_side_by_side(consultant: Consultant) -> None:
    day = date(2026, 12, 2)
    Absence.objects.create(consultant=consultant, start_date=day, end_date=day, start_time=time(8), end_time=time(10))
    Absence(consultant=consultant, start_date=day, end_date=day, start_time=time(12), end_time=time(14)).full_clean()


def test_an_absence_cannot_end_before_it_starts(consultant: Consultant) -> None:
    absence = Absence(consultant=consultant, start_date=date(2026, 12, 4), end_date=date(2026, 12, 1))
    assert "end_date" in errors_of(absence)


def test_opening_hours_must_close_after_they_open(site: Site) -> None:
    hours = OpeningHours(site=site, weekday=0, opens=time(16), closes=time(8))
    assert errors_of(hours)["closes"] == ["Lukketid skal ligge efter åbningstid."]


def test_an_enrolment_phase_must_belong_to_its_model(site: Site) -> None:
    from activities.models import InterventionModel, TargetGroup
    from scheduler.models import Citizen

    citizen = Citizen.objects.create(reference="b1", first_name="Bodil", last_name="Sørensen", site=site)
    model = InterventionModel.objects.get(name="Flere skal med II")
    other_phase = Phase.objects.exclude(model=model).first()
    enrolment = Enrolment(citizen=citizen, intervention_model=model, target_group=TargetGroup.objects.first(),
                          referring_jobcentre="Vejle Jobcenter", start_date=date(2026, 11, 2), target_weeks=13,
                          current_phase=other_phase)
    assert "current_phase" in errors_of(enrolment)
