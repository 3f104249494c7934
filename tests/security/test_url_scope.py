"""Every URL pattern and every API operation, tried as every persona.

Complete by construction: the walk over get_resolver() and over the API's OpenAPI schema fails when
a pattern or operation has no row here. Admin URLs are one group (only staff reach /admin/).

Expectations: an exact status for personas who must be refused; ALLOWED for personas who may use the
URL (anything but 401/403/404 and never 5xx: a form error or a 409 is the owner's business). For
destructive operations only the first allowed persona acts (the next would find the object gone).
Whatever the status, a persona outside site A never sees citizen A's name in the answer.
"""
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from api.api import api
from scheduler.models import INDICATOR_BY_CODE
from tests.security.conftest import PERSONAS, WEEK_CODE, World, build_world

ALLOWED = "allowed"
CITIZEN_A_NAME = "Jensen"  # citizen A's last name; never shown outside site A


@dataclass
class Case:
    url: Callable[[World], str]
    expect: dict[str, int | str]
    method: str = "get"
    body: Any = None
    destructive: bool = False
    # Personas (besides admin and coord_a) who legitimately see citizen A's name here.
    sees_citizen_a: tuple[str, ...] = ()
    public_token: bool = False
    extra: dict[str, str] = field(default_factory=dict)


def site_a(allowed_b: bool = False, **over: int | str) -> dict[str, int | str]:
    """A coordinator screen about site A data (coordinator UI)."""
    expect: dict[str, int | str] = {"admin": ALLOWED, "coord_a": ALLOWED, "coord_b": ALLOWED if allowed_b else 404,
                                    "consultant": 403, "outsider": 403, "anonymous": 302}
    return {**expect, **over}


def o(name: str) -> Callable[[World], Any]:
    return lambda w: w.objects[name].pk


WEEK = f"uge/alfa/{WEEK_CODE}/"

WEB: dict[str, Case] = {
    "web:home": Case(lambda w: "/", site_a(allowed_b=True)),
    "web:login": Case(lambda w: "/login/", dict.fromkeys(PERSONAS, ALLOWED)),
    "web:logout": Case(lambda w: "/logout/", dict.fromkeys(PERSONAS, ALLOWED), method="post"),
    "web:pick_week": Case(lambda w: "/uge/", site_a(allowed_b=True)),
    "web:week": Case(lambda w: "/" + WEEK, site_a()),
    "web:plan_start": Case(lambda w: "/" + WEEK + "planlaeg/", site_a(), method="post", destructive=True),
    "web:publish": Case(lambda w: "/" + WEEK + "offentliggoer/", site_a()),
    "web:site_pdf": Case(lambda w: "/" + WEEK + "ugeskemaer.pdf", site_a()),
    "web:site_pdf_changed": Case(lambda w: "/" + WEEK + "ugeskemaer-aendrede.pdf", site_a()),
    "web:change_notices": Case(lambda w: "/" + WEEK + "besked/", site_a()),
    "web:overview": Case(lambda w: "/" + WEEK + "overblik/", site_a()),
    "web:request_create": Case(lambda w: "/" + WEEK + "bestil/", site_a(), method="post"),
    "web:course_proposals": Case(lambda w: "/" + WEEK + "nye-hold/", site_a()),
    "web:forecast": Case(lambda w: "/" + WEEK + "kommende-uger/", site_a()),
    "web:course_proposal_accept": Case(lambda w: "/" + WEEK + "nye-hold/opret/", site_a(), method="post"),
    "web:run": Case(lambda w: f"/koersel/{o('run')(w)}/", site_a()),
    "web:run_status": Case(lambda w: f"/koersel/{o('run')(w)}/status.json", site_a()),
    "web:run_cancel": Case(lambda w: f"/koersel/{o('run')(w)}/annuller/", site_a(), method="post"),
    "web:appointment": Case(lambda w: f"/aftale/{o('draft_appointment')(w)}/", site_a()),
    "web:appointment_pin": Case(lambda w: f"/aftale/{o('draft_appointment')(w)}/fastlaas/", site_a(),
                                method="post"),
    "web:appointment_move_option": Case(lambda w: f"/aftale/{o('draft_appointment')(w)}/flyt/", site_a(),
                                        method="post"),
    "web:appointment_cancel": Case(lambda w: f"/aftale/{o('draft_appointment')(w)}/aflys/", site_a(),
                                   method="post", destructive=True),
    "web:appointment_restore": Case(lambda w: f"/aftale/{o('draft_appointment')(w)}/genopret/", site_a(),
                                    method="post"),
    "web:unplaced": Case(lambda w: f"/ikke-placeret/{o('unplaced')(w)}/", site_a()),
    # A consultant marks their own appointments, a coordinator those of their sites (site B's sees none of A's).
    "web:attendance": Case(lambda w: "/fremmoede/", {**site_a(allowed_b=True), "consultant": ALLOWED},
                           sees_citizen_a=("consultant",)),
    "web:meeting_agreements": Case(lambda w: f"/fremmoede/{o('past_appointment')(w)}/aftaler/",
                                   {**site_a(), "consultant": ALLOWED}, sees_citizen_a=("consultant",)),
    "web:feeds": Case(lambda w: "/kalenderlinks/alfa/", site_a()),
    "web:data_list": Case(lambda w: "/data/borgere/", site_a(allowed_b=True)),
    "web:data_new": Case(lambda w: "/data/borgere/ny/", site_a(allowed_b=True)),
    "web:data_edit": Case(lambda w: f"/data/borgere/{o('citizen_a')(w)}/", site_a()),
    "web:citizen_link": Case(lambda w: f"/data/borgere/{o('citizen_a')(w)}/link/", site_a(), method="post"),
    # Progress: the citizen's coordinators and their contact consultant; the centre page names only the
    # caller's own citizens (a consultant: those they are contact person for).
    "web:progress_centre": Case(lambda w: "/progression/", {**site_a(allowed_b=True), "consultant": ALLOWED},
                                sees_citizen_a=("consultant",)),
    "web:progress_enrolment": Case(lambda w: f"/forloeb/{o('enrolment')(w)}/progression/",
                                   {**site_a(), "consultant": ALLOWED}, sees_citizen_a=("consultant",)),
    # Closing and the progress report: the coordinators of the citizen's site only.
    "web:enrolment_close": Case(lambda w: f"/forloeb/{o('enrolment')(w)}/afslut/", site_a()),
    "web:progress_report": Case(lambda w: f"/forloeb/{o('enrolment')(w)}/rapport/", site_a()),
    "web:progress_report_sign": Case(lambda w: f"/rapport/{o('report')(w)}/godkend/", site_a(), method="post",
                                     destructive=True),
    "web:progress_report_pdf": Case(lambda w: f"/rapport/{o('report')(w)}/progressionsrapport.pdf", site_a()),
    "web:outcome_statistics": Case(lambda w: "/statistik/", site_a(allowed_b=True)),
    "web:outcome_statistics_csv": Case(lambda w: "/statistik/udfald.csv", site_a(allowed_b=True)),
    "web:static": Case(lambda w: "/static/css/coordinator.css", dict.fromkeys(PERSONAS, 200)),
    # Secret links: the token is the credential, whoever is logged in (see test_tokens.py for misses).
    "calendar_feed": Case(lambda w: w.links["citizen"].feed_url, dict.fromkeys(PERSONAS, 200), public_token=True),
    "citizen_page": Case(lambda w: w.links["citizen"].page_url, dict.fromkeys(PERSONAS, 200), public_token=True,
                         sees_citizen_a=PERSONAS),
    "citizen_pdf": Case(lambda w: w.links["citizen"].pdf_url, dict.fromkeys(PERSONAS, 200), public_token=True),
    "consultant_pdf": Case(lambda w: w.links["consultant"].pdf_url, dict.fromkeys(PERSONAS, 200),
                           public_token=True),
    "consultant_attendance": Case(lambda w: w.links["consultant"].pdf_url.replace("ugeskema.pdf", "fremmoede/"),
                                  dict.fromkeys(PERSONAS, 200), public_token=True),
    "consultant_agreements": Case(
        lambda w: w.links["consultant"].pdf_url.replace(
            "ugeskema.pdf", f"fremmoede/{o('past_appointment')(w)}/aftaler/"),
        dict.fromkeys(PERSONAS, 200), public_token=True),
    # The API's own pages: schema and docs carry no data.
    "api-docs-asset": Case(lambda w: "/api/docs/assets/swagger-ui.css", dict.fromkeys(PERSONAS, 200)),
    "api:openapi-json": Case(lambda w: "/api/openapi.json", dict.fromkeys(PERSONAS, 200)),
    "api:openapi-view": Case(lambda w: "/api/docs", dict.fromkeys(PERSONAS, 200)),
    "api:api-root": Case(lambda w: "/api/", dict.fromkeys(PERSONAS, 404)),
}

# API operations ----------------------------------------------------------------------------------
API_DENIED = {"consultant": 403, "outsider": 403, "anonymous": 401}
SCOPED = {  # resource path -> the site-A object it is tried on
    "rooms": "room_a", "consultants": "consultant", "working-hours": "working_hours", "absences": "absence",
    "citizens": "citizen_a", "enrolments": "enrolment", "group-courses": "course", "course-sessions": "session",
    "course-memberships": "membership", "internships": "internship", "internship-steps": "step",
}
SHARED = {"intervention-models": "intervention_model", "phases": "phase", "activity-rules": "rule",
          "companies": "company"}
ADMIN_WRITES = {"sites": "site_a", "staff-types": "staff_type"}


def planners(coord_b: int | str = ALLOWED, coord_a: int | str = ALLOWED) -> dict[str, int | str]:
    return {"admin": ALLOWED, "coord_a": coord_a, "coord_b": coord_b, **API_DENIED}


def crud_cases() -> dict[str, Case]:
    cases: dict[str, Case] = {}
    for path, obj in {**SCOPED, **SHARED, **ADMIN_WRITES}.items():
        name = path.replace("-", "_")
        item = (lambda p, ob: lambda w: f"/api/{p}/{w.objects[ob].pk}")(path, obj)
        outside_b = 404 if path in SCOPED or path == "sites" else ALLOWED
        write_a = 403 if path in ADMIN_WRITES else ALLOWED
        write_b = 403 if path in ADMIN_WRITES else outside_b
        # Bodies are validated before the scope check: an empty body is a 422 for every logged-in
        # caller (nothing is revealed), and 401 without a login.
        invalid = {"admin": 422, "coord_a": 422, "coord_b": 422, "consultant": 422, "outsider": 422,
                   "anonymous": 401}
        cases[f"{name}_list"] = Case(lambda w, p=path: f"/api/{p}", planners())
        cases[f"{name}_read"] = Case(item, planners(coord_b=outside_b))
        cases[f"{name}_update"] = Case(item, planners(coord_b=write_b, coord_a=write_a), method="patch", body={})
        cases[f"{name}_replace"] = Case(item, invalid, method="put", body={})
        cases[f"{name}_create"] = Case(lambda w, p=path: f"/api/{p}", invalid, method="post", body={})
        cases[f"{name}_delete"] = Case(item, planners(coord_b=write_b, coord_a=write_a), method="delete",
                                       destructive=True)
    return cases


PROGRESS_BODY = {"measured_on": date.today().isoformat(), "scores": dict.fromkeys(INDICATOR_BY_CODE, 5)}


def plan_url(obj: str, suffix: str = "") -> Callable[[World], str]:
    return lambda w: f"/api/plans/{w.objects[obj].pk}{suffix}"


def appointment_url(action: str) -> Callable[[World], str]:
    return lambda w: f"/api/plans/{w.objects['draft'].pk}/appointments/{w.objects['draft_appointment'].pk}/{action}"


API: dict[str, Case] = {
    **crud_cases(),
    "intervention_models_copy": Case(lambda w: f"/api/intervention-models/{w.objects['intervention_model'].pk}/copy",
                                     planners(), method="post", body={}),
    # A consultant reads published plans with their own appointments only (checked in test_consultant_*).
    "plans_for_week": Case(lambda w: f"/api/plans?week={WEEK_CODE}&site=alfa",
                           {**planners(coord_b=422), "consultant": ALLOWED}, sees_citizen_a=("consultant",)),
    "plans_read": Case(plan_url("plan"), {**planners(coord_b=404), "consultant": ALLOWED},
                       sees_citizen_a=("consultant",)),
    "appointments_pin": Case(appointment_url("pin"), planners(coord_b=404), method="post", body={}),
    "appointments_unpin": Case(appointment_url("unpin"), planners(coord_b=404), method="post", body={}),
    "appointments_move": Case(appointment_url("move"), planners(coord_b=404), method="post",
                              body={"start": "2026-11-10T13:00:00+01:00"}),
    "appointments_cancel": Case(appointment_url("cancel"), planners(coord_b=404), method="post", body={},
                                destructive=True),
    "plans_replan": Case(plan_url("draft", "/replan"), planners(coord_b=404), method="post", body={},
                         destructive=True),
    "plans_publish": Case(plan_url("draft", "/publish"), planners(coord_b=404), method="post", body={},
                          destructive=True),
    "plans_proposals_accept": Case(plan_url("draft", "/proposals/accept"), planners(coord_b=404), method="post",
                                   body={}, destructive=True),
    "plans_export": Case(plan_url("plan", "/export"), planners(coord_b=404)),
    "plans_options": Case(lambda w: f"/api/plans/{w.objects['draft'].pk}/options?citizen={w.objects['citizen_a'].pk}",
                          planners(coord_b=404)),
    "plan_runs_start": Case(lambda w: "/api/plans/runs", planners(coord_b=422), method="post",
                            body={"week": WEEK_CODE, "sites": ["alfa"]}, destructive=True),
    "plan_runs_read": Case(lambda w: f"/api/plans/runs/{w.objects['run'].pk}", planners(coord_b=404)),
    "plan_runs_cancel": Case(lambda w: f"/api/plans/runs/{w.objects['run'].pk}/cancel", planners(coord_b=404),
                             method="post"),
    "progress_read": Case(lambda w: f"/api/enrolments/{w.objects['enrolment'].pk}/progress",
                          {**planners(coord_b=404), "consultant": ALLOWED}),
    "progress_record": Case(lambda w: f"/api/enrolments/{w.objects['enrolment'].pk}/progress",
                            {**planners(coord_b=404), "consultant": ALLOWED}, method="post", body=PROGRESS_BODY),
    "progress_distribution": Case(lambda w: "/api/progress/distribution", {**planners(), "consultant": ALLOWED}),
    "forecast_read": Case(lambda w: f"/api/forecast?site=alfa&week={WEEK_CODE}", planners(coord_b=422)),
    "course_proposals_list": Case(lambda w: f"/api/course-proposals?site=alfa&week={WEEK_CODE}", planners(coord_b=422)),
    "course_proposals_accept": Case(lambda w: "/api/course-proposals/accept", planners(coord_b=422), method="post",
                                    body={"site": "alfa", "theme": "coping", "name": "Mestring 2", "weekdays": [1],
                                          "start_time": "12:00", "duration_minutes": 120, "start_date": "2030-01-08",
                                          "end_date": "2030-02-28", "staff_type": "social", "min_participants": 1,
                                          "max_participants": 12, "members": []}),
    # Attendance: a consultant their own appointments, a coordinator their sites' (B's marks nothing of A's).
    "attendance_day": Case(lambda w: f"/api/attendance?day={w.objects['past_appointment'].start.date()}&site=alfa",
                           {**planners(coord_b=422), "consultant": ALLOWED}),
    "attendance_mark": Case(lambda w: "/api/attendance", {**planners(coord_b=422), "consultant": ALLOWED},
                            method="post", body=lambda w: {"marks": [{
                                "appointment": w.objects["past_appointment"].pk,
                                "citizen": w.objects["citizen_a"].pk, "status": "no_show"}]}),
    "citizens_attendance": Case(lambda w: f"/api/citizens/{w.objects['citizen_a'].pk}/attendance",
                                planners(coord_b=404)),
    "enrolments_close": Case(lambda w: f"/api/enrolments/{w.objects['enrolment'].pk}/close", planners(coord_b=404),
                             method="post", destructive=True, body=lambda w: {
                                 "outcome": w.objects["enrolment"].intervention_model.outcome_choices.first().pk,
                                 "end_date": date.today().isoformat(), "recommendation": "Videre i job"}),
    "reports_list": Case(lambda w: f"/api/enrolments/{w.objects['enrolment'].pk}/reports", planners(coord_b=404)),
    "reports_generate": Case(lambda w: f"/api/enrolments/{w.objects['enrolment'].pk}/reports", planners(coord_b=404),
                             method="post", body={"recommendation": "Videre i job"}),
    "reports_pdf": Case(lambda w: f"/api/reports/{w.objects['report'].pk}/pdf", planners(coord_b=404)),
    "reports_sign_off": Case(lambda w: f"/api/reports/{w.objects['report'].pk}/sign-off", planners(coord_b=404),
                             method="post", body={}, destructive=True),
    "appointments_agreements": Case(
        lambda w: f"/api/appointments/{w.objects['past_appointment'].pk}/agreements",
        {**planners(coord_b=422), "consultant": ALLOWED}, method="post",
        body=lambda w: {"citizen": w.objects["citizen_a"].pk, "agreements": [
            {"kind": "task", "due_by": "2099-01-01", "responsible": "citizen", "text": "Søg job"}]}),
    "citizens_agreements": Case(lambda w: f"/api/citizens/{w.objects['citizen_a'].pk}/agreements",
                                planners(coord_b=404)),
    "centre_import": Case(lambda w: "/api/import?dry_run=true", planners(), method="post",
                          body={"format": "ugeskema-centre/1"}),
}


# Completeness ------------------------------------------------------------------------------------
def url_keys() -> set[str]:
    keys: set[str] = set()

    def walk(patterns: list, namespace: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, pattern.namespace or namespace)
            elif isinstance(pattern, URLPattern):
                keys.add(f"{namespace}:{pattern.name}" if namespace else str(pattern.name))

    walk(get_resolver().url_patterns, "")
    return keys


def api_operation_ids() -> set[str]:
    schema = api.get_openapi_schema()
    return {op["operationId"] for item in schema["paths"].values() for op in item.values()}


def test_every_url_pattern_has_a_row_in_the_table() -> None:
    keys = {k for k in url_keys() if not k.startswith("admin:")}
    api_views = {k for k in keys if k.startswith("api:")} - set(WEB)
    missing = sorted(keys - set(WEB) - api_views)
    assert not missing, f"URL patterns without an access expectation in tests/security: {missing}"
    assert not set(WEB) - keys, f"stale rows: {sorted(set(WEB) - keys)}"


def test_every_api_operation_has_a_row_in_the_table() -> None:
    ops = api_operation_ids()
    assert not ops - set(API), f"API operations without an access expectation: {sorted(ops - set(API))}"
    assert not set(API) - ops, f"stale rows: {sorted(set(API) - ops)}"


# The matrix --------------------------------------------------------------------------------------
def _send(client: Any, case: Case, url: str, world: World) -> Any:
    if case.method == "get":
        return client.get(url)
    if case.body is None:
        return getattr(client, case.method)(url)
    body = case.body(world) if callable(case.body) else case.body
    return getattr(client, case.method)(url, data=json.dumps(body), content_type="application/json")


def _order(expect: dict[str, int | str]) -> list[str]:
    # Refused personas first, so allowed ones act on untouched data.
    return sorted(PERSONAS, key=lambda p: (expect[p] == ALLOWED, p != "coord_a"))


def _check(world: World, case: Case, client_for: Callable[[str], Any]) -> list[str]:
    failures: list[str] = []
    acted = False
    for persona in _order(case.expect):
        want = case.expect[persona]
        if want == ALLOWED and case.destructive and acted:
            continue
        url = case.url(world).replace("http://127.0.0.1:8000", "")
        response = _send(client_for(persona), case, url, world)
        status = response.status_code
        if want == ALLOWED:
            acted = True
            if status in (401, 403, 404) or status >= 500:
                failures.append(f"{persona}: {case.method.upper()} {url} → {status}, expected access")
        elif status != want:
            failures.append(f"{persona}: {case.method.upper()} {url} → {status}, expected {want}")
        if want == 302 and persona == "anonymous" and "/login/" not in response.get("Location", ""):
            failures.append(f"anonymous: {url} redirected to {response.get('Location')}, not the login page")
        body = b"".join(response.streaming_content) if response.streaming else response.content
        if persona not in ("admin", "coord_a", *case.sees_citizen_a) and CITIZEN_A_NAME.encode() in body:
            failures.append(f"{persona}: {url} showed citizen A's name")
    return failures


@pytest.mark.parametrize("key", sorted(WEB))
def test_each_url_answers_each_persona_as_expected(db: None, key: str) -> None:
    world = build_world()
    assert not _check(world, WEB[key], world.web)


def _employer_window(w: World) -> int:
    from datetime import time

    from activities.models import EmployerAvailability

    return EmployerAvailability.objects.get_or_create(
        company=w.objects["company"], weekday=0, defaults={"start_time": time(9), "end_time": time(11)})[0].pk


# The everyday-data screens share web:data_list/new/edit; a resource whose scope is not simply a site
# field gets rows of its own (a company is site A's through citizen A's internship).
DATA: dict[str, Case] = {
    "arbejdsgivertider list": Case(lambda w: "/data/arbejdsgivertider/", site_a(allowed_b=True)),
    "arbejdsgivertider new": Case(lambda w: "/data/arbejdsgivertider/ny/", site_a(allowed_b=True)),
    "arbejdsgivertider edit": Case(lambda w: f"/data/arbejdsgivertider/{_employer_window(w)}/", site_a()),
}


@pytest.mark.parametrize("key", sorted(DATA))
def test_each_data_screen_answers_each_persona_as_expected(db: None, key: str) -> None:
    world = build_world()
    assert not _check(world, DATA[key], world.web)


@pytest.mark.parametrize("key", sorted(API))
def test_each_api_operation_answers_each_persona_as_expected(db: None, key: str) -> None:
    world = build_world()
    assert not _check(world, API[key], world.api)


def test_admin_urls_are_for_staff_only(world: World) -> None:
    for persona in ("coord_a", "coord_b", "consultant", "outsider", "anonymous"):
        response = world.web(persona).get("/admin/scheduler/citizen/")
        assert response.status_code == 302 and "/admin/login/" in response["Location"], persona
    assert world.web("admin").get("/admin/scheduler/citizen/").status_code == 200


def test_the_audit_log_in_the_admin_is_for_administrators_only(world: World) -> None:
    from django.contrib.auth.models import Permission

    staff = world.users["outsider"]
    staff.is_staff = True
    staff.save()
    staff.user_permissions.set(Permission.objects.all())
    client = world.web("outsider")
    assert client.get("/admin/audit/auditevent/").status_code == 403
    # Staff with every model permission still reach only the shared catalogue (scheduler.admin_access).
    assert client.get("/admin/scheduler/citizen/").status_code == 403
    assert client.get("/admin/activities/interventionmodel/").status_code == 200
    assert world.web("admin").get("/admin/audit/auditevent/").status_code == 200
