"""Whole-centre import: natural keys, all-or-nothing with every error, idempotent, size limit."""
import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from activities.models import Company, GroupCourse, Internship
from rooms.models import Room, Site
from scheduler.imports import centre_export, centre_import
from scheduler.models import Citizen, Consultant, Enrolment, WorkingHours

MODELS = [Site, Room, Consultant, WorkingHours, Citizen, Enrolment, Company, Internship, GroupCourse]


def _document() -> dict:
    return {
        "format": "ugeskema-centre/1",
        "sites": [{
            "code": "fredericia", "name": "Center Fredericia", "street": "Vestre Ringvej 1", "postcode": "7000",
            "city": "Fredericia", "latitude": 55.56, "longitude": 9.75,
            "opening_hours": [{"weekday": d, "opens": "08:00", "closes": "16:00"} for d in range(5)],
            "rooms": [{"name": "Samtalerum 1", "capacity": 3},
                      {"name": "Grupperum", "capacity": 14, "features": ["group_room"]}],
        }],
        "companies": [{"name": "Bageriet", "postcode": "7000", "street": "Gothersgade 1", "city": "Fredericia",
                       "latitude": 55.57, "longitude": 9.75, "contact_name": "Lis"}],
        "consultants": [{
            "reference": "fk1", "name": "Mette Hansen", "staff_types": ["social"], "home_site": "fredericia",
            "hours_per_week": 32, "working_hours": [{"weekday": d, "start_time": "08:00", "end_time": "15:30"}
                                                    for d in range(4)],
        }],
        "citizens": [{
            "reference": "fb1", "first_name": "Anders", "last_name": "Larsen", "site": "fredericia",
            "max_hours_per_day": 3, "preferred_weekdays": [0, 2],
            "enrolments": [{
                "intervention_model": "Tværfaglig fuldindsats – sygedagpenge", "target_group": "sygedagpenge",
                "referring_jobcentre": "Fredericia Jobcenter", "start_date": "2026-11-02", "target_weeks": 13,
                "current_phase": 1, "contact_consultant": "fk1",
                "internships": [{"company": {"name": "Bageriet", "postcode": "7000"}, "start_date": "2026-11-16",
                                 "steps": [{"start_date": "2026-11-16", "hours_per_week": 10, "weekdays": [1, 3],
                                            "daily_start": "09:00"}]}],
            }],
        }],
        "group_courses": [{
            "site": "fredericia", "name": "Mestring 1", "theme": "coping", "facilitator_staff_type": "social",
            "facilitator": "fk1", "min_participants": 1, "max_participants": 12, "start_date": "2026-11-02",
            "end_date": "2027-01-29", "room_features": ["group_room"],
            "sessions": [{"weekday": 1, "start_time": "10:00", "duration_minutes": 90}],
            "members": [{"citizen": "fb1", "joined": "2026-11-02"}],
        }],
    }


def _counts() -> dict[str, int]:
    return {m.__name__: m.objects.count() for m in MODELS}


def test_it_imports_a_centre_and_a_second_import_changes_nothing(db):
    before = _counts()
    first = centre_import(document=_document())
    assert first.created["citizens"] == 1 and first.created["internship_steps"] == 1
    after_first = _counts()
    assert after_first["Citizen"] == before["Citizen"] + 1
    stamp = list(Citizen.objects.values_list("pk", "first_name", "max_hours_per_day").order_by("pk"))
    second = centre_import(document=_document())
    assert not second.created and not second.updated
    assert _counts() == after_first
    assert list(Citizen.objects.values_list("pk", "first_name", "max_hours_per_day").order_by("pk")) == stamp


def test_it_updates_by_natural_key(db):
    centre_import(document=_document())
    doc = _document()
    doc["citizens"][0]["max_hours_per_day"] = 4
    result = centre_import(document=doc)
    assert result.updated == {"citizens": 1}
    assert Citizen.objects.get(reference="fb1").max_hours_per_day == 4


def test_it_reports_every_bad_record_with_its_path_and_writes_nothing(db):
    before = _counts()
    doc = _document()
    doc["sites"][0]["rooms"][0]["capacity"] = 0
    doc["citizens"].append({**doc["citizens"][0], "reference": "fb2", "site": "ukendt", "enrolments": []})
    doc["citizens"][0]["enrolments"][0]["start_date"] = "2026-02-30"
    doc["group_courses"][0]["sessions"][0]["weekday"] = 6
    with pytest.raises(Exception) as failed:
        centre_import(document=doc)
    paths = dict(failed.value.errors)
    assert paths["$.sites[0].rooms[0].capacity"] == "Skal være mindst 1."  # the schema's range
    assert "ukendt" in paths["$.citizens[1].site"]
    assert "$.citizens[0].enrolments[0].start_date" in paths
    assert "$.group_courses[0].sessions[0].weekday" in paths
    assert _counts() == before


def test_a_round_trip_of_the_export_changes_nothing(world):
    document = json.loads(json.dumps(centre_export(site_ids=[world.site_a.pk, world.site_b.pk])))
    result = centre_import(document=document)
    assert not result.created and not result.updated and result.unchanged["citizens"] == 2


def test_the_api_imports_atomically_and_coordinators_only_touch_their_sites(world):
    doc = _document()
    assert world.coordinator_a.post("/api/import", doc).status_code == 422  # a new site: administrators only
    response = world.admin.post("/api/import?dry_run=true", doc)
    assert response.status_code == 200 and response.json()["dry_run"] is True
    assert not Site.objects.filter(code="fredericia").exists()
    assert world.admin.post("/api/import", doc).json()["created"]["sites"] == 1
    again = world.admin.post("/api/import", doc).json()
    assert again["created"] == {} and again["updated"] == {}


def test_the_api_refuses_a_too_large_upload(world, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100  # the one limit (README, docs/import-format.md)
    response = world.admin.post("/api/import", _document())
    assert response.status_code == 413
    assert response.json()["extra"] == {"max_bytes": 100}
    assert not Site.objects.filter(code="fredericia").exists()


def test_the_command_imports_and_lists_errors(db, tmp_path):
    path = tmp_path / "centre.json"
    path.write_text(json.dumps(_document()), encoding="utf-8")
    out = StringIO()
    call_command("import_centre", str(path), stdout=out)
    assert json.loads(out.getvalue())["created"]["sites"] == 1
    bad = _document()
    bad["citizens"][0]["site"] = "nowhere"
    path.write_text(json.dumps(bad), encoding="utf-8")
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("import_centre", str(path), stderr=err)
    assert "$.citizens[0].site" in err.getvalue()


def test_the_documented_json_schema_accepts_the_example_and_an_export(world):
    from pathlib import Path

    import jsonschema

    schema = json.loads((Path(__file__).resolve().parents[2] / "docs" / "import-schema.json").read_text())
    validator = jsonschema.Draft202012Validator(schema)
    assert not list(validator.iter_errors(_document()))
    exported = json.loads(json.dumps(centre_export(site_ids=[world.site_a.pk])))
    assert not list(validator.iter_errors(exported))
    assert list(validator.iter_errors({"format": "ugeskema-centre/1", "sites": [{"name": "uden kode"}]}))
