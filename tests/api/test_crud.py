"""CRUD over the master data, with the models' Danish validation coming back as 422 field errors."""
import pytest

from activities.models import InterventionModel


def test_it_creates_reads_updates_and_deletes_a_room(world):
    api = world.coordinator_a
    created = api.post("/api/rooms", {"site": world.site_a.pk, "name": "Grupperum", "capacity": 12})
    assert created.status_code == 201
    room = created.json()
    assert api.get(f"/api/rooms/{room['id']}").json()["name"] == "Grupperum"
    assert api.patch(f"/api/rooms/{room['id']}", {"capacity": 14}).json()["capacity"] == 14
    replaced = api.put(f"/api/rooms/{room['id']}", {"site": world.site_a.pk, "name": "Store sal", "capacity": 30})
    assert replaced.json()["name"] == "Store sal"
    assert api.delete(f"/api/rooms/{room['id']}").status_code == 204
    assert api.get(f"/api/rooms/{room['id']}").status_code == 404


def test_it_returns_the_models_danish_messages_as_field_errors(world):
    response = world.coordinator_a.post("/api/absences", {
        "consultant": world.consultant_a.pk, "start_date": "2026-12-02", "end_date": "2026-12-01"})
    assert response.status_code == 422
    assert response.json() == {"detail": [{"field": "end_date", "message": "Slutdato skal ligge efter startdato."}]}


def test_it_names_the_field_when_the_type_is_wrong(world):
    response = world.coordinator_a.post("/api/rooms", {"site": world.site_a.pk, "name": "X", "capacity": "mange"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "capacity"


def test_it_reports_unknown_references_as_field_errors(world):
    response = world.coordinator_a.post("/api/rooms", {"site": 987654, "name": "X", "capacity": 2})
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "site"


def test_it_paginates_and_filters_by_site(world):
    api = world.admin
    for n in range(3):
        api.post("/api/rooms", {"site": world.site_b.pk, "name": f"Rum {n}", "capacity": 2})
    page = api.get("/api/rooms?site=beta&limit=2&offset=1").json()
    assert page["count"] == 4
    assert len(page["items"]) == 2
    assert {r["site"] for r in page["items"]} == {world.site_b.pk}


def test_it_filters_absences_by_week(world):
    api = world.coordinator_a
    for start, end in [("2026-12-01", "2026-12-02"), ("2027-01-05", "2027-01-06")]:
        assert api.post("/api/absences", {"consultant": world.consultant_a.pk, "start_date": start,
                                          "end_date": end, "reason": "holiday"}).status_code == 201
    listed = api.get("/api/absences?week=2026-W49").json()
    assert [a["start_date"] for a in listed["items"]] == ["2026-12-01"]
    assert api.get("/api/absences?week=2026-W99").status_code == 422


def test_it_refuses_to_delete_a_site_others_depend_on(world):
    response = world.admin.delete(f"/api/sites/{world.site_a.pk}")
    assert response.status_code == 409


def test_it_nests_phases_and_rules_in_intervention_models(world):
    builtin = InterventionModel.objects.filter(builtin=True).first()
    body = world.coordinator_a.get(f"/api/intervention-models/{builtin.pk}").json()
    assert body["phases"]
    assert any(phase["rules"] for phase in body["phases"])


def test_it_copies_a_builtin_model_and_lets_the_copy_be_edited(world):
    builtin = InterventionModel.objects.filter(builtin=True).first()
    api = world.coordinator_a
    assert api.patch(f"/api/intervention-models/{builtin.pk}", {"description": "x"}).status_code == 409
    copy = api.post(f"/api/intervention-models/{builtin.pk}/copy", {"name": "Vores model"})
    assert copy.status_code == 201
    assert copy.json()["builtin"] is False
    assert len(copy.json()["phases"]) == builtin.phases.count()
    edited = api.patch(f"/api/intervention-models/{copy.json()['id']}", {"description": "Tilpasset"})
    assert edited.json()["description"] == "Tilpasset"


def test_it_creates_an_internship_with_steps(world):
    api = world.coordinator_a
    company = api.post("/api/companies", {"name": "Bageriet", "street": "Gade 1", "postcode": "7100",
                                          "city": "Vejle", "latitude": 55.7, "longitude": 9.5}).json()
    enrolment = world.citizen_a.enrolments.get()
    internship = api.post("/api/internships", {"enrolment": enrolment.pk, "company": company["id"],
                                               "start_date": "2026-11-30"}).json()
    step = api.post("/api/internship-steps", {"internship": internship["id"], "start_date": "2026-11-30",
                                              "hours_per_week": 10, "weekdays": [0, 2]})
    assert step.status_code == 201
    bad = api.post("/api/internship-steps", {"internship": internship["id"], "start_date": "2026-12-07",
                                             "hours_per_week": 10, "weekdays": [6]})
    assert bad.status_code == 422 and bad.json()["detail"][0]["field"] == "weekdays"
    assert api.get(f"/api/internships/{internship['id']}").json()["steps"][0]["weekdays"] == [0, 2]


def test_it_manages_group_courses_and_memberships(world):
    api = world.coordinator_a
    course = api.post("/api/group-courses", {
        "name": "Mestring", "theme": "coping", "site": world.site_a.pk, "facilitator_staff_type": 1,
        "start_date": "2026-11-02", "end_date": "2027-01-29", "min_participants": 1})
    assert course.status_code == 201, course.content
    member = api.post("/api/course-memberships", {"course": course.json()["id"], "citizen": world.citizen_a.pk,
                                                  "joined": "2026-11-02"})
    assert member.status_code == 201
    foreign = api.post("/api/course-memberships", {"course": course.json()["id"], "citizen": world.citizen_b.pk,
                                                   "joined": "2026-11-02"})
    assert foreign.status_code == 422


@pytest.mark.parametrize("path", ["/api/rooms/0", "/api/rooms/-3", "/api/rooms/99999999999999999999"])
def test_it_answers_4xx_json_for_impossible_ids(world, path):
    response = world.admin.get(path)
    assert response.status_code in (404, 422)
    assert response["Content-Type"].startswith("application/json")


def test_it_answers_422_naming_the_body_for_malformed_json(world):
    response = world.coordinator_a.client.post("/api/rooms", "{not json", content_type="application/json")
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "body"
