"""Attendance through the API: the consultant marks their own talk, the coordinator reads the citizen's record."""
import json

import pytest

from audit.models import AuditEvent
from tests.security.conftest import World, build_world


@pytest.fixture
def world(db: None) -> World:
    return build_world()


def test_a_consultant_marks_a_no_show_and_the_coordinator_sees_it_by_kind_and_week(world: World) -> None:
    past, citizen = world.objects["past_appointment"], world.objects["citizen_a"]
    day = past.start.date().isoformat()
    sheet = world.api("consultant").get(f"/api/attendance?day={day}").json()
    assert [(a["id"], a["participants"]) for a in sheet["appointments"]] == [
        (past.pk, [{"citizen": citizen.pk, "status": "pending", "marked": False}])]

    answer = world.api("consultant").post("/api/attendance", data=json.dumps({"marks": [
        {"appointment": past.pk, "citizen": citizen.pk, "status": "no_show"}]}), content_type="application/json")
    assert answer.status_code == 200 and answer.json() == {"saved": 1}

    record = world.api("coord_a").get(f"/api/citizens/{citizen.pk}/attendance").json()
    assert (record["attended"], record["missed"], record["rate"]) == (0, 1, 0.0)
    (line,) = record["by_kind_and_week"]
    assert (line["kind"], line["no_show"], line["held"]) == ("talk", 1, 0)
    assert AuditEvent.objects.filter(object_repr=f"Fremmøde borger {citizen.pk}", action="view").exists()


def test_marking_someone_elses_appointment_is_refused_with_a_danish_message(world: World) -> None:
    past, citizen = world.objects["past_appointment"], world.objects["citizen_a"]
    answer = world.api("coord_b").post("/api/attendance", data=json.dumps({"marks": [
        {"appointment": past.pk, "citizen": citizen.pk, "status": "held"}]}), content_type="application/json")
    assert answer.status_code == 422
    assert answer.json()["detail"][0]["field"] == "appointment"
    assert "offentliggjorte aftaler" in answer.json()["detail"][0]["message"]
