"""Two coordinators, A (site alpha) and B (site beta): every write path that takes a reference looks it up
only within the caller's sites, and a reference outside them is answered exactly like an unknown one.

Issue 10, item 1: through the import a coordinator of A took over B's citizen (and could do so with
consultants), and facilitators and contact consultants could be another site's consultant.
"""
import json
from datetime import date, datetime, time, timedelta
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from activities.models import Company, CourseMembership, GroupCourse, Internship, InternshipStep, StaffType
from rooms.models import Room
from scheduler.imports import ImportFailed, centre_export, centre_import
from scheduler.models import Appointment, Citizen, Consultant, Enrolment, Plan
from tests.api.conftest import World

UNKNOWN = 987654


def _course(site: Any, name: str, facilitator: Consultant | None = None) -> GroupCourse:
    return GroupCourse.objects.create(
        name=name, theme="coping", site=site, facilitator_staff_type=StaffType.objects.get(code="social"),
        facilitator=facilitator, min_participants=1, max_participants=10, start_date=date(2026, 11, 2),
        end_date=date(2027, 1, 29),
    )


def _internship(enrolment: Enrolment) -> Internship:
    company = Company.objects.get_or_create(name="Bageriet", postcode="7100", defaults={
        "street": "Gade 1", "city": "Vejle", "latitude": 55.7, "longitude": 9.5})[0]
    return Internship.objects.create(enrolment=enrolment, company=company, start_date=date(2026, 11, 16))


def _same_answer(foreign: Any, unknown: Any, foreign_id: int) -> None:
    """The answer for another site's object equals the one for an object that does not exist."""
    assert foreign.status_code == unknown.status_code == 422, (foreign.content, unknown.content)
    assert json.loads(foreign.content.decode().replace(str(foreign_id), "ID")) == \
        json.loads(unknown.content.decode().replace(str(UNKNOWN), "ID"))


# -- the CRUD API ------------------------------------------------------------------------------------------


def _bodies(w: World) -> list[tuple[str, str, dict[str, Any], int, Any]]:
    """(resource, field, a valid body for site A, the id of B's object for the field, A's object to update)."""
    course_a, course_b = _course(w.site_a, "Hold A", w.consultant_a), _course(w.site_b, "Hold B", w.consultant_b)
    enrolment_a, enrolment_b = w.citizen_a.enrolments.get(), w.citizen_b.enrolments.get()
    internship_a, internship_b = _internship(enrolment_a), _internship(enrolment_b)
    step_a = InternshipStep.objects.create(internship=internship_a, start_date=date(2026, 11, 16), hours_per_week=5,
                                           weekdays=[1])
    member_a = CourseMembership.objects.create(course=course_a, citizen=w.citizen_a, joined=date(2026, 11, 2))
    room_a = Room.objects.get(site=w.site_a)
    social = StaffType.objects.get(code="social").pk
    hours_a = w.consultant_a.working_hours.get(weekday=0)
    absence = {"consultant": w.consultant_a.pk, "start_date": "2026-12-01", "end_date": "2026-12-02",
               "reason": "holiday"}
    absence_a = w.consultant_a.absences.create(start_date=date(2027, 2, 1), end_date=date(2027, 2, 2))
    course = {"name": "Nyt hold", "theme": "coping", "site": w.site_a.pk, "facilitator_staff_type": social,
              "facilitator": w.consultant_a.pk, "min_participants": 1, "max_participants": 8,
              "start_date": "2026-11-02", "end_date": "2026-12-18", "room_features": []}
    enrolment = {"citizen": w.citizen_a.pk, "intervention_model": enrolment_a.intervention_model_id,
                 "target_group": enrolment_a.target_group_id, "referring_jobcentre": "Vejle",
                 "start_date": "2027-01-04", "target_weeks": 13, "contact_consultant": w.consultant_a.pk}
    consultant = {"reference": "ny-k", "name": "Ny", "staff_types": [social], "home_site": w.site_a.pk,
                  "sites": [w.site_a.pk], "hours_per_week": 30}
    return [
        ("rooms", "site", {"site": w.site_a.pk, "name": "Nyt rum", "capacity": 2}, w.site_b.pk, room_a),
        ("consultants", "home_site", consultant, w.site_b.pk, w.consultant_a),
        ("consultants", "sites", consultant, w.site_b.pk, w.consultant_a),
        ("working-hours", "consultant", {"consultant": w.consultant_a.pk, "weekday": 0, "start_time": "08:00",
                                         "end_time": "12:00"}, w.consultant_b.pk, hours_a),
        ("absences", "consultant", absence, w.consultant_b.pk, absence_a),
        ("citizens", "site", {"reference": "ny-b", "first_name": "Ny", "last_name": "Borger", "site": w.site_a.pk},
         w.site_b.pk, w.citizen_a),
        ("enrolments", "citizen", enrolment, w.citizen_b.pk, enrolment_a),
        ("enrolments", "contact_consultant", enrolment, w.consultant_b.pk, enrolment_a),
        ("group-courses", "site", course, w.site_b.pk, course_a),
        ("group-courses", "facilitator", course, w.consultant_b.pk, course_a),
        ("course-sessions", "course", {"course": course_a.pk, "weekday": 1, "start_time": "10:00",
                                       "duration_minutes": 60}, course_b.pk, None),
        ("course-memberships", "course", {"course": course_a.pk, "citizen": w.citizen_a.pk,
                                          "joined": "2026-11-02"}, course_b.pk, member_a),
        ("course-memberships", "citizen", {"course": course_a.pk, "citizen": w.citizen_a.pk,
                                           "joined": "2026-11-02"}, w.citizen_b.pk, member_a),
        ("internships", "enrolment", {"enrolment": enrolment_a.pk, "company": internship_a.company_id,
                                      "start_date": "2027-01-04"}, enrolment_b.pk, internship_a),
        ("internship-steps", "internship", {"internship": internship_a.pk, "start_date": "2027-01-04",
                                            "hours_per_week": 5, "weekdays": [2]}, internship_b.pk, step_a),
    ]


def _with(body: dict[str, Any], field: str, value: int) -> dict[str, Any]:
    return {**body, field: [value] if isinstance(body[field], list) else value}


def test_every_crud_write_answers_another_sites_reference_like_an_unknown_one(world):
    api = world.coordinator_a
    for resource, field, body, foreign_id, mine in _bodies(world):
        where = f"{resource}.{field}"
        foreign = api.post(f"/api/{resource}", _with(body, field, foreign_id))
        _same_answer(foreign, api.post(f"/api/{resource}", _with(body, field, UNKNOWN)), foreign_id)
        assert foreign.json()["detail"][0]["field"] == field, where
        if mine is None:
            continue
        url = f"/api/{resource}/{mine.pk}"
        patch = {field: _with(body, field, foreign_id)[field]}
        _same_answer(api.patch(url, patch), api.patch(url, {field: _with(body, field, UNKNOWN)[field]}), foreign_id)
        _same_answer(api.put(url, _with(body, field, foreign_id)), api.put(url, _with(body, field, UNKNOWN)),
                     foreign_id)


def test_a_coordinator_cannot_make_another_sites_consultant_the_facilitator(world):
    course = _course(world.site_a, "Mestring A")
    body = {"name": "Mestring", "theme": "coping", "site": world.site_a.pk,
            "facilitator_staff_type": StaffType.objects.get(code="social").pk, "facilitator": world.consultant_b.pk,
            "min_participants": 1, "max_participants": 8, "start_date": "2026-11-02", "end_date": "2026-12-18"}
    assert world.coordinator_a.post("/api/group-courses", body).status_code == 422
    assert world.coordinator_a.put(f"/api/group-courses/{course.pk}", body).status_code == 422
    assert world.coordinator_a.patch(f"/api/group-courses/{course.pk}",
                                     {"facilitator": world.consultant_b.pk}).status_code == 422
    assert GroupCourse.objects.get(pk=course.pk).facilitator_id is None
    assert not GroupCourse.objects.filter(facilitator=world.consultant_b).exists()


def test_facilitators_and_contact_consultants_must_serve_the_site_even_for_an_administrator(world):
    course = _course(world.site_a, "Mestring A")
    refused = world.admin.patch(f"/api/group-courses/{course.pk}", {"facilitator": world.consultant_b.pk})
    assert refused.status_code == 422
    assert refused.json()["detail"] == [{"field": "facilitator",
                                         "message": "Facilitatoren arbejder ikke på holdets center."}]
    enrolment = world.citizen_a.enrolments.get()
    refused = world.admin.patch(f"/api/enrolments/{enrolment.pk}", {"contact_consultant": world.consultant_b.pk})
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["field"] == "contact_consultant"
    world.consultant_b.sites.add(world.site_a)  # now B's consultant also works at A
    assert world.admin.patch(f"/api/group-courses/{course.pk}",
                             {"facilitator": world.consultant_b.pk}).status_code == 200
    assert world.coordinator_a.patch(f"/api/enrolments/{enrolment.pk}",
                                     {"contact_consultant": world.consultant_b.pk}).status_code == 200


# -- the import --------------------------------------------------------------------------------------------


def _citizen_doc(reference: str, site: str = "alpha", **extra: Any) -> dict[str, Any]:
    return {"format": "ugeskema-centre/1", "citizens": [
        {"reference": reference, "first_name": "Overtaget", "last_name": "Borger", "site": site, **extra}]}


def test_a_coordinator_cannot_take_over_another_sites_citizen_through_the_import(world):
    before = Citizen.objects.values().get(pk=world.citizen_b.pk)
    for dry in ("true", "false"):
        response = world.coordinator_a.post(f"/api/import?dry_run={dry}", _citizen_doc("bb1"))
        assert response.status_code == 422, response.content
        assert response.json()["detail"] == [{"field": "$.citizens[0].reference",
                                              "message": "Borger med dette Borgerreference eksisterer allerede."}]
    assert Citizen.objects.values().get(pk=world.citizen_b.pk) == before
    assert world.coordinator_b.get(f"/api/citizens/{world.citizen_b.pk}").status_code == 200
    assert world.coordinator_a.get(f"/api/enrolments/{world.citizen_b.enrolments.get().pk}").status_code == 404


def test_the_import_answers_a_taken_reference_as_the_api_does_and_names_no_site(world):
    imported = world.coordinator_a.post("/api/import", _citizen_doc("bb1"))
    created = world.coordinator_a.post("/api/citizens", {"reference": "bb1", "first_name": "X", "last_name": "Y",
                                                         "site": world.site_a.pk})
    assert created.status_code == 422
    assert imported.json()["detail"][0]["message"] == created.json()["detail"][0]["message"]
    assert "beta" not in imported.content.decode() and "Beta" not in imported.content.decode()


def test_a_coordinator_cannot_take_over_another_sites_consultant_through_the_import(world):
    doc = {"format": "ugeskema-centre/1", "consultants": [
        {"reference": "kb", "name": "Overtaget", "home_site": "alpha", "staff_types": ["social"]}]}
    response = world.coordinator_a.post("/api/import", doc)
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "$.consultants[0].reference"
    consultant = Consultant.objects.get(pk=world.consultant_b.pk)
    assert consultant.home_site_id == world.site_b.pk and consultant.name == "Konsulent kb"
    assert list(consultant.sites.values_list("pk", flat=True)) == [world.site_b.pk]


def test_an_administrator_still_moves_a_citizen_between_sites(world):
    result = centre_import(document=_citizen_doc("bb1"))
    assert result.updated == {"citizens": 1}
    assert Citizen.objects.get(pk=world.citizen_b.pk).site_id == world.site_a.pk


@pytest.mark.parametrize("case", ["facilitator", "contact_consultant", "member"])
def test_import_references_outside_the_callers_sites_are_answered_like_unknown_ones(world, case):
    course = {"site": "alpha", "name": "Mestring", "facilitator_staff_type": "social", "theme": "coping",
              "start_date": "2026-11-02", "end_date": "2026-12-18"}
    enrolment = {"intervention_model": world.citizen_a.enrolments.get().intervention_model.name,
                 "target_group": "sygedagpenge", "start_date": "2027-01-04", "target_weeks": 13,
                 "referring_jobcentre": "Vejle"}

    def doc_for(reference: str) -> dict[str, Any]:
        if case == "facilitator":
            return {"format": "ugeskema-centre/1", "group_courses": [{**course, "facilitator": reference}]}
        if case == "contact_consultant":
            return _citizen_doc("ba1", enrolments=[{**enrolment, "contact_consultant": reference}])
        return {"format": "ugeskema-centre/1",
                "group_courses": [{**course, "members": [{"citizen": reference, "joined": "2026-11-02"}]}]}

    foreign_ref = "bb1" if case == "member" else "kb"
    for dry in (False, True):
        suffix = "?dry_run=true" if dry else ""
        foreign = world.coordinator_a.post(f"/api/import{suffix}", doc_for(foreign_ref))
        unknown = world.coordinator_a.post(f"/api/import{suffix}", doc_for("ukendt-ref"))
        assert foreign.status_code == unknown.status_code == 422, foreign.content
        assert foreign.content.decode().replace(foreign_ref, "REF") == unknown.content.decode().replace(
            "ukendt-ref", "REF")
    assert not GroupCourse.objects.filter(name="Mestring").exists()
    assert Enrolment.objects.filter(contact_consultant=world.consultant_b).count() == 1  # B's own


def test_an_imported_facilitator_must_serve_the_courses_site(world):
    doc = {"format": "ugeskema-centre/1", "group_courses": [{
        "site": "alpha", "name": "Mestring", "facilitator_staff_type": "social", "theme": "coping",
        "facilitator": "kb", "start_date": "2026-11-02", "end_date": "2026-12-18"}]}
    with pytest.raises(ImportFailed) as failed:
        centre_import(document=doc)  # an administrator sees kb, who still does not work at alpha
    assert failed.value.errors == [("$.group_courses[0].facilitator", "Facilitatoren arbejder ikke på holdets center.")]


def test_a_coordinator_updating_a_shared_consultant_keeps_the_sites_they_cannot_see(world):
    world.consultant_a.sites.add(world.site_b)
    doc = {"format": "ugeskema-centre/1", "consultants": [
        {"reference": "ka", "name": "Karen", "home_site": "alpha", "sites": ["alpha"], "staff_types": ["social"]}]}
    assert world.coordinator_a.post("/api/import", doc).status_code == 200
    assert set(Consultant.objects.get(pk=world.consultant_a.pk).sites.values_list("code", flat=True)) == \
        {"alpha", "beta"}


def test_a_coordinators_export_imports_back_unchanged(world):
    world.consultant_a.sites.add(world.site_b)
    document = json.loads(json.dumps(centre_export(site_ids=[world.site_a.pk])))
    result = world.coordinator_a.post("/api/import", document)
    assert result.status_code == 200, result.content
    assert result.json()["created"] == {} and result.json()["updated"] == {}
    assert world.consultant_a.sites.count() == 2


# -- moves in a plan ---------------------------------------------------------------------------------------


@pytest.fixture
def draft(world: World) -> tuple[Plan, Appointment]:
    monday = date(2026, 11, 30)
    plan = Plan.objects.create(week_start=monday, status="draft")
    plan.sites.set([world.site_a])
    start = timezone.make_aware(datetime.combine(monday, time(9)))
    appointment = Appointment.objects.create(
        plan=plan, task_key="talk:x", kind="talk", start=start, end=start + timedelta(hours=1), site=world.site_a,
        room=Room.objects.get(site=world.site_a), place="site")
    appointment.consultants.set([world.consultant_a])
    appointment.citizens.set([world.citizen_a])
    return plan, appointment


def test_a_move_refuses_another_sites_consultant_or_room_like_unknown_ones(world, draft):
    plan, appointment = draft
    url = f"/api/plans/{plan.pk}/appointments/{appointment.pk}/move"
    start = appointment.start.isoformat()
    api = world.coordinator_a
    room_b = Room.objects.get(site=world.site_b)
    foreign = api.post(url, {"version": 0, "start": start, "consultants": [world.consultant_b.pk]})
    _same_answer(foreign, api.post(url, {"version": 0, "start": start, "consultants": [UNKNOWN]}),
                 world.consultant_b.pk)
    assert foreign.json()["detail"][0]["field"] == "consultants"
    foreign = api.post(url, {"version": 0, "start": start, "room": room_b.pk})
    _same_answer(foreign, api.post(url, {"version": 0, "start": start, "room": UNKNOWN}), room_b.pk)
    assert foreign.json()["detail"][0]["field"] == "room"
    assert list(appointment.consultants.values_list("pk", flat=True)) == [world.consultant_a.pk]


def test_the_web_move_and_place_refuse_another_sites_consultant(world, draft):
    plan, appointment = draft
    client = Client()
    client.force_login(get_user_model().objects.get(username="koord-a"))
    response = client.post(reverse("web:appointment_move_option", args=[appointment.pk]), {
        "version": 0, "start": appointment.start.isoformat(), "consultant": [world.consultant_b.pk]})
    assert response.status_code == 302
    assert list(appointment.consultants.values_list("pk", flat=True)) == [world.consultant_a.pk]


# -- Django's admin ----------------------------------------------------------------------------------------


def test_a_coordinator_with_admin_permissions_reaches_only_the_shared_catalogue(world):
    user = get_user_model().objects.get(username="koord-a")
    user.is_staff = True
    user.save()
    user.user_permissions.set(Permission.objects.all())
    client = Client()
    client.force_login(user)
    for url in ["/admin/scheduler/citizen/", f"/admin/scheduler/citizen/{world.citizen_b.pk}/change/",
                "/admin/scheduler/consultant/", "/admin/scheduler/enrolment/add/", "/admin/activities/groupcourse/",
                "/admin/scheduler/coordinator/", "/admin/auth/user/", "/admin/rooms/site/",
                "/admin/autocomplete/?app_label=scheduler&model_name=enrolment&field_name=citizen"]:
        response = client.get(url)
        assert response.status_code in (302, 403), url
    assert client.get("/admin/activities/interventionmodel/").status_code == 200
    assert client.get("/admin/activities/company/").status_code == 200
    admin = Client()
    admin.force_login(get_user_model().objects.get(username="p-admin"))
    assert admin.get(f"/admin/scheduler/citizen/{world.citizen_b.pk}/change/").status_code == 200
