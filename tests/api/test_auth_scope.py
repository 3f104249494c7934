"""Who may see and change what: every area as each persona."""
import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from api.auth import api_token_revoke
from api.models import ApiToken, token_hash

LISTS = ["/api/sites", "/api/rooms", "/api/consultants", "/api/citizens", "/api/enrolments", "/api/absences",
         "/api/group-courses", "/api/course-memberships", "/api/internships", "/api/internship-steps",
         "/api/companies", "/api/staff-types", "/api/intervention-models", "/api/working-hours"]


@pytest.mark.parametrize("path", LISTS)
def test_it_answers_401_without_credentials(world, path):
    response = world.anonymous.get(path)
    assert response.status_code == 401
    assert response.json()["detail"]


def test_it_answers_401_for_a_wrong_or_revoked_token(world):
    assert Client(HTTP_AUTHORIZATION="Bearer not-a-token").get("/api/sites").status_code == 401
    token = ApiToken.objects.get(token_hash=token_hash(world.tokens["coordinator_a"]))
    api_token_revoke(token=token)
    assert world.coordinator_a.get("/api/sites").status_code == 401


def test_it_stores_only_the_hash_of_a_token(world):
    raw = world.tokens["admin"]
    assert not ApiToken.objects.filter(token_hash=raw).exists()
    assert ApiToken.objects.filter(token_hash=token_hash(raw)).exists()


def test_it_hides_other_sites_citizens(world):
    listed = world.coordinator_a.get("/api/citizens").json()
    assert [c["reference"] for c in listed["items"]] == ["ba1"]
    assert world.coordinator_a.get(f"/api/citizens/{world.citizen_b.pk}").status_code == 404
    assert world.coordinator_a.patch(f"/api/citizens/{world.citizen_b.pk}", {"phone": "1"}).status_code == 404
    assert world.coordinator_a.delete(f"/api/citizens/{world.citizen_b.pk}").status_code == 404


def test_it_answers_the_same_404_for_missing_and_foreign_objects(world):
    foreign = world.coordinator_a.get(f"/api/enrolments/{world.citizen_b.enrolments.get().pk}")
    missing = world.coordinator_a.get("/api/enrolments/999999")
    assert foreign.status_code == missing.status_code == 404
    assert foreign.json() == missing.json()


def test_it_refuses_to_point_at_another_sites_objects(world):
    response = world.coordinator_a.post("/api/citizens", {
        "reference": "new1", "first_name": "Ny", "last_name": "Borger", "site": world.site_b.pk})
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "site"


def test_it_lets_the_administrator_see_every_site(world):
    assert world.admin.get("/api/citizens").json()["count"] == 2


@pytest.mark.parametrize("path", ["/api/citizens", "/api/sites", "/api/plans/runs/1"])
def test_it_forbids_consultants_and_outsiders_the_planning_data(world, path):
    assert world.consultant.get(path).status_code == 403
    assert world.outsider.get(path).status_code == 403


def test_only_administrators_create_sites(world):
    body = {"code": "gamma", "name": "Gamma", "street": "Vej 2", "postcode": "7100", "city": "Vejle",
            "latitude": 55.7, "longitude": 9.5}
    assert world.coordinator_a.post("/api/sites", body).status_code == 403
    assert world.admin.post("/api/sites", body).status_code == 201


def test_session_auth_needs_csrf_for_writes(world):
    user = get_user_model().objects.get(username="koord-a")
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    assert client.get("/api/citizens").status_code == 200
    response = client.patch(f"/api/citizens/{world.citizen_a.pk}", '{"phone": "1"}', content_type="application/json")
    assert response.status_code in (401, 403)
    client.get("/api/docs")  # sets the CSRF cookie
    token = client.cookies["csrftoken"].value
    response = client.patch(f"/api/citizens/{world.citizen_a.pk}", '{"phone": "12345678"}',
                            content_type="application/json", HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 200
    assert response.json()["phone"] == "12345678"
