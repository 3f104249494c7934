"""The import validates before it touches anything (issue 10, item 4): types by the JSON Schema, depth and
size limits, duplicates, no silent coercion, every bad record at every level in one 422 — never a 500."""
import copy
import json
from io import StringIO
from typing import Any

import jsonschema
import pytest
from django.core.exceptions import FieldDoesNotExist
from django.core.management import CommandError, call_command

from api.routers.imports import request_body_schema
from rooms.models import Site
from scheduler.imports import ImportFailed, centre_import, import_schema
from scheduler.models import Citizen
from tests.api.test_import import _document

REPLACEMENTS: list[Any] = [1.5, 7, [1], {"a": 1}, True, "x", None]


def _post(api: Any, body: Any, dry_run: bool = True) -> Any:
    raw = body if isinstance(body, str | bytes) else json.dumps(body)
    return api.client.post(f"/api/import{'?dry_run=true' if dry_run else ''}", raw, content_type="application/json")


def _fields(response: Any) -> dict[str, str]:
    assert response.status_code == 422, response.content
    detail = response.json()["detail"]
    assert detail and all(d["field"].startswith("$") and d["message"] for d in detail), detail
    return {d["field"]: d["message"] for d in detail}


def _paths(value: Any, parts: tuple = ()) -> list[tuple]:
    found = [parts] if parts else []
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*parts, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            found += _paths(item, (*parts, i))
    return found


def _json_path(parts: tuple) -> str:
    return "$" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in parts)


def _related(a: str, b: str) -> bool:
    def under(x: str, y: str) -> bool:
        return x == y or x.startswith((y + ".", y + "["))

    return under(a, b) or under(b, a)


def test_one_field_type_changes_answer_422_with_the_path_and_never_500(world):
    """The issue's probe: a number, list, object, boolean, string or null in place of each field of a
    valid document (58 of 342 such changes answered 500)."""
    base = _document()
    validator = jsonschema.Draft202012Validator(import_schema(), format_checker=jsonschema.FormatChecker())
    assert not list(validator.iter_errors(base))
    cases = 0
    for parts in _paths(base):
        for replacement in REPLACEMENTS:
            doc = copy.deepcopy(base)
            holder = doc
            for part in parts[:-1]:
                holder = holder[part]
            if type(holder[parts[-1]]) is type(replacement):  # a type change only
                continue
            holder[parts[-1]] = replacement
            cases += 1
            response = _post(world.admin, doc)
            where = f"{_json_path(parts)} = {replacement!r}"
            assert response.status_code in (200, 422), (where, response.status_code, response.content[:300])
            schema_refuses = any(True for _e in validator.iter_errors(doc)) or (
                isinstance(replacement, float) and parts[-1] in ("weekday", "capacity"))
            if schema_refuses:
                fields = _fields(response)
                assert any(_related(f, _json_path(parts)) for f in fields), (where, fields)
    assert cases > 400
    assert not Site.objects.filter(code="fredericia").exists()


@pytest.mark.parametrize("opening, closing", [("[", "]"), ('{"a":', "}")])
def test_a_document_nested_100000_levels_is_refused_with_422(world, opening, closing):
    depth = 100_000
    body = opening * depth + "1" + closing * depth
    assert _fields(_post(world.admin, body)) == {"$": "Dokumentet er indlejret for dybt (højst 32 niveauer)."}
    inside = '{"format": "ugeskema-centre/1", "citizens": [' + body + "]}"
    assert "$" in _fields(_post(world.admin, inside))


def test_a_document_deeper_than_the_limit_but_parseable_is_refused_at_its_path(world):
    nested: Any = 1
    for _level in range(40):
        nested = [nested]
    doc = {**_document(), "citizens": [{**_document()["citizens"][0], "first_name": nested}]}
    fields = _fields(_post(world.admin, doc))
    assert list(fields.values()) == ["Dokumentet er indlejret for dybt (højst 32 niveauer)."]
    assert next(iter(fields)).startswith("$.citizens[0].first_name[0]")
    with pytest.raises(ImportFailed):
        centre_import(document=doc)


@pytest.mark.parametrize("body", ["null", "[]", '"x"', "5", "true", "", "{", "\xff", '{"format": NaN}'])
def test_a_body_that_is_no_document_answers_422(world, body):
    assert "$" in _fields(_post(world.admin, body.encode("latin-1")))


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity", "1e400", "1" * 5000],
                         ids=["nan", "infinity", "-infinity", "1e400", "5000-digits"])
def test_numbers_that_are_no_finite_json_numbers_are_refused(world, literal):
    body = json.dumps(_document()).replace('"latitude": 55.56', f'"latitude": {literal}')
    assert literal in body or literal == "1" * 5000
    fields = _fields(_post(world.admin, body))
    assert list(fields) == ["$"]


def test_non_finite_numbers_given_from_python_are_refused_at_their_path(db):
    doc = _document()
    doc["sites"][0]["latitude"] = float("nan")
    doc["companies"][0]["longitude"] = float("inf")
    with pytest.raises(ImportFailed) as failed:
        centre_import(document=doc)
    assert dict(failed.value.errors) == {"$.companies[0].longitude": "Skal være et endeligt tal.",
                                         "$.sites[0].latitude": "Skal være et endeligt tal."}


def test_nothing_is_coerced(world):
    doc = _document()
    doc["citizens"][0]["first_name"] = ["Anders"]  # was stored as "['Anders']"
    doc["group_courses"][0]["sessions"][0]["weekday"] = 1.5  # was stored as 1
    doc["sites"][0]["opening_hours"][0]["weekday"] = 1.0  # an integer is written as one
    doc["citizens"][0]["enrolments"][0]["current_phase"] = "1"  # was a 500
    doc["companies"][0]["postcode"] = 7000
    doc["sites"][0]["rooms"][0]["active"] = "yes"
    doc["citizens"][0]["enrolments"][0]["start_date"] = 20261102  # a number for a date: was a 500
    doc["group_courses"][0]["sessions"][0]["start_time"] = {"h": 10}  # an object for a time: was a 500
    fields = _fields(_post(world.admin, doc))
    assert fields == {
        "$.citizens[0].enrolments[0].current_phase": "Skal være et heltal eller null.",
        "$.citizens[0].enrolments[0].start_date": "Skal være tekst.",
        "$.citizens[0].first_name": "Skal være tekst.",
        "$.companies[0].postcode": "Skal være tekst.",
        "$.group_courses[0].sessions[0].start_time": "Skal være tekst.",
        "$.group_courses[0].sessions[0].weekday": "Skal være et heltal.",
        "$.sites[0].opening_hours[0].weekday": "Skal være et heltal.",
        "$.sites[0].rooms[0].active": "Skal være true eller false.",
    }


@pytest.mark.parametrize("bad", ["Anders\nLarsen", "Anders\x00", "Anders\u202e", "An\u2028ders", "\ud800"])
def test_control_characters_in_names_are_refused(world, bad):
    doc = _document()
    doc["citizens"][0]["first_name"] = bad
    doc["consultants"][0]["name"] = bad
    fields = _fields(_post(world.admin, json.dumps(doc)))
    message = "Må ikke indeholde linjeskift eller andre styretegn."
    assert fields == {"$.citizens[0].first_name": message, "$.consultants[0].name": message}


def test_a_trailing_line_break_is_refused_too(db):
    doc = _document()
    doc["citizens"][0]["last_name"] = "Larsen\n"  # a regular expression's $ matches before a final \n
    with pytest.raises(ImportFailed) as failed:
        centre_import(document=doc)
    assert failed.value.errors == [("$.citizens[0].last_name", "Må ikke indeholde linjeskift eller andre styretegn.")]


def test_line_breaks_are_allowed_in_multi_line_text(db):
    doc = _document()
    doc["citizens"][0]["enrolments"][0]["internships"][0]["tasks"] = "Lager\nKasse\r\n\tOprydning"
    assert centre_import(document=doc).created["internships"] == 1


def test_duplicate_references_and_keys_in_one_file_are_reported(world):
    doc = _document()
    doc["citizens"].append({**doc["citizens"][0], "first_name": "Anden"})
    doc["sites"][0]["rooms"].append({"name": "Grupperum", "capacity": 3})
    doc["group_courses"][0]["sessions"].append({"weekday": 1, "start_time": "10:00:00", "duration_minutes": 60})
    fields = _fields(_post(world.admin, doc))
    assert fields == {
        "$.citizens[1]": "Står også i $.citizens[0] (samme reference).",
        "$.sites[0].rooms[2]": "Står også i $.sites[0].rooms[1] (samme name).",
        "$.group_courses[0].sessions[1]": "Står også i $.group_courses[0].sessions[0] (samme weekday + start_time).",
    }
    similar = _document()  # keys that merely begin alike are different keys
    similar["citizens"] += [{**similar["citizens"][0], "reference": f"borger-0000{i}", "enrolments": []}
                            for i in range(1, 4)]
    similar["group_courses"][0]["sessions"].append({"weekday": 1, "start_time": "10:01", "duration_minutes": 60})
    assert _post(world.admin, similar).status_code == 200
    raw = json.dumps(_document())[:-1] + ', "format": "ugeskema-centre/1"}'
    assert _fields(_post(world.admin, raw)) == {"$.format": "Feltet står flere gange i samme objekt."}


def test_every_bad_record_at_every_level_comes_in_one_answer(world):
    doc = _document()
    citizen = doc["citizens"][0]
    citizen["site"] = "ukendt"  # the parent fails ...
    enrolment = citizen["enrolments"][0]
    enrolment["target_group"] = "ukendt-gruppe"  # ... and so do the records below it, at every level
    enrolment["end_date"] = "2026-01-01"  # before the start: the model's own rule
    internship = enrolment["internships"][0]
    internship["company"] = {"name": "Ukendt ApS", "postcode": "9999"}
    internship["steps"][0]["weekdays"] = [7]
    internship["steps"][0]["hours_per_week"] = 99
    del doc["sites"][0]["street"]  # a new site needs its address: it fails, but its rooms are still checked,
    doc["sites"][0]["rooms"][0]["capacity"] = 0  # and references to it add no second error
    doc["consultants"][0]["staff_types"] = ["ukendt"]
    doc["consultants"][0]["working_hours"][0]["end_time"] = "07:00"
    fields = _fields(_post(world.admin, doc))
    assert fields == {
        "$.citizens[0].enrolments[0].end_date": "Slutdato skal ligge efter startdato.",
        "$.citizens[0].enrolments[0].internships[0].company": "Ukendt virksomhed: Ukendt ApS, 9999",
        "$.citizens[0].enrolments[0].internships[0].steps[0].hours_per_week": "Må højst være 39,5.",
        "$.citizens[0].enrolments[0].internships[0].steps[0].weekdays[0]": "Må højst være 4.",
        "$.citizens[0].enrolments[0].target_group": "Ukendt målgruppe: ukendt-gruppe",
        "$.citizens[0].site": "Ukendt center: ukendt",
        "$.consultants[0].staff_types[0]": "Ukendt faggruppe: ukendt",
        "$.consultants[0].working_hours[0].end_time": "Sluttid skal ligge efter starttid.",
        "$.sites[0].street": "Dette felt kan ikke være tomt.",
        "$.sites[0].rooms[0].capacity": "Skal være mindst 1.",
    }
    assert not Citizen.objects.filter(reference="fb1").exists()
    doc["sites"][0]["code"] = 5  # without a usable code, references to the site cannot be told from unknown ones
    fields = _fields(_post(world.admin, doc))
    assert fields["$.sites[0].code"] == "Skal være tekst."
    assert fields["$.consultants[0].home_site"] == "Ukendt center: fredericia"


def test_a_partial_update_below_a_failed_parent_reports_no_missing_fields(world):
    """Check mode validates what a record gives: an update that leaves fields out is no error."""
    doc = {"format": "ugeskema-centre/1", "citizens": [{
        "reference": "ba1", "site": "ukendt", "enrolments": [{
            "intervention_model": world.citizen_a.enrolments.get().intervention_model.name,
            "target_group": "sygedagpenge", "start_date": "2026-11-02"}]}]}
    assert _fields(_post(world.admin, doc)) == {"$.citizens[0].site": "Ukendt center: ukendt"}


def test_the_command_prints_the_same_errors_as_the_api(world, tmp_path):
    doc = _document()
    doc["citizens"][0]["first_name"] = ["Anders"]
    doc["citizens"][0]["enrolments"][0]["target_group"] = "ukendt"
    doc["citizens"].append(copy.deepcopy(doc["citizens"][0]))
    raw = json.dumps(doc)
    expected = [f"{d['field']}: {d['message']}" for d in _post(world.admin, raw).json()["detail"]]
    path = tmp_path / "centre.json"
    path.write_text(raw, encoding="utf-8")
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("import_centre", str(path), stderr=err)
    assert err.getvalue().splitlines() == expected
    path.write_bytes(b"[" * 100_000)
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("import_centre", str(path), stderr=err)
    assert err.getvalue().splitlines() == ["$: Dokumentet er indlejret for dybt (højst 32 niveauer)."]


def test_the_openapi_document_serves_the_schema_as_the_request_body(world):
    spec = world.admin.get("/api/openapi.json").json()
    body = spec["paths"]["/api/import"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert body == request_body_schema()
    assert set(body["properties"]) == {"format", "sites", "companies", "consultants", "citizens", "group_courses",
                                       "travel_overrides", "intervention_models"}
    assert "$ref" not in json.dumps(body)
    citizen = body["properties"]["citizens"]["items"]
    assert citizen["additionalProperties"] is False and "enrolments" in citizen["properties"]
    validator = jsonschema.Draft202012Validator(body, format_checker=jsonschema.FormatChecker())
    assert not list(validator.iter_errors(_document()))
    assert list(validator.iter_errors({**_document(), "extra": 1}))
    responses = spec["paths"]["/api/import"]["post"]["responses"]
    assert {"200", "413", "422"} <= set(responses)


def test_the_schema_states_the_rules_the_issue_names(db):
    schema = import_schema()
    defs = schema["$defs"]
    hours = defs["site"]["properties"]["opening_hours"]["items"]["properties"]["weekday"]
    assert hours == {"type": "integer", "minimum": 0, "maximum": 6, "description": "0 = mandag … 6 = søndag"}
    assert defs["site"]["properties"]["latitude"]["type"] == "number"

    def objects(node: Any) -> list[dict]:
        found = []
        if isinstance(node, dict):
            if node.get("type") == "object":
                found.append(node)
            for value in node.values():
                found += objects(value)
        elif isinstance(node, list):
            for value in node:
                found += objects(value)
        return found

    assert all(o.get("additionalProperties") is False for o in objects(schema))
    dates = json.dumps(schema).count('"format": "date"')
    assert dates == 16  # every date field, nullable or not (closed days, absences and requests added 5)


def test_every_pattern_of_the_schema_has_a_danish_message_and_lengths_match_the_models(db):
    from activities.models import Company, GroupCourse, Internship
    from rooms.models import Room
    from scheduler.imports import _PATTERN_MESSAGES
    from scheduler.models import Consultant, Enrolment

    schema = import_schema()
    patterns = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("pattern"), str):
                patterns.add(node["pattern"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(schema)
    assert patterns <= set(_PATTERN_MESSAGES), patterns - set(_PATTERN_MESSAGES)
    defs = schema["$defs"]
    records = {
        "site": (Site, defs["site"]), "company": (Company, defs["company"]),
        "consultant": (Consultant, defs["consultant"]), "citizen": (Citizen, defs["citizen"]),
        "enrolment": (Enrolment, defs["enrolment"]), "internship": (Internship, defs["internship"]),
        "group_course": (GroupCourse, defs["group_course"]),
        "room": (Room, defs["site"]["properties"]["rooms"]["items"]),
    }
    checked = 0
    for name, (model, record) in records.items():
        for field_name, prop in record["properties"].items():
            try:
                model_field = model._meta.get_field(field_name)
            except FieldDoesNotExist:  # nested records have no column
                continue
            if getattr(model_field, "max_length", None) and "maxLength" in prop:
                assert prop["maxLength"] == model_field.max_length, (name, field_name)
                checked += 1
    assert checked >= 27
