"""Property tests: random objects at random sites, read by random roles, never cross the scope; and the
API fuzzed (schemathesis) without a login and with another site's token."""
from collections.abc import Iterator

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error

from config.wsgi import application
from tests.api import _hypothesis_compat
from tests.publishing.factories import make_citizen, make_room
from tests.security.conftest import PERSONAS, World

_hypothesis_compat.install()


@pytest.fixture(autouse=True)
def _keep_the_test_connection() -> Iterator[None]:
    """schemathesis calls the WSGI app directly, so Django's request signals close "old" connections:
    on PostgreSQL that closes the test's transaction. Django's own test client disconnects them too."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)

names = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=40)


def _visible_to(persona: str, site_key: str) -> bool:
    return persona == "admin" or (persona, site_key) in {("coord_a", "site_a"), ("coord_b", "site_b")}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(site_key=st.sampled_from(["site_a", "site_b"]), persona=st.sampled_from(PERSONAS),
       kind=st.sampled_from(["citizens", "enrolments", "rooms"]), first=names, last=names)
def test_no_role_reads_outside_its_scope(world: World, site_key: str, persona: str, kind: str, first: str,
                                         last: str) -> None:
    site = world.objects[site_key]
    citizen = make_citizen(site, first, last)
    room = make_room(site, name=f"Rum {citizen.reference}")
    obj = {"citizens": citizen, "enrolments": citizen.enrolments.first(), "rooms": room}[kind]
    answer = world.api(persona).get(f"/api/{kind}/{obj.pk}")
    if persona == "anonymous":
        assert answer.status_code == 401
    elif persona in ("consultant", "outsider"):
        assert answer.status_code == 403
    else:
        assert answer.status_code == (200 if _visible_to(persona, site_key) else 404)
    listing = world.api(persona).get(f"/api/{kind}?limit=500")
    if listing.status_code == 200:
        ids = {item["id"] for item in listing.json()["items"]}
        assert (obj.pk in ids) == _visible_to(persona, site_key)
    if kind == "citizens":
        page = world.web(persona).get(f"/data/borgere/{citizen.pk}/")
        expected = {"anonymous": 302, "consultant": 403, "outsider": 403}.get(
            persona, 200 if _visible_to(persona, site_key) else 404)
        assert page.status_code == expected


schema = schemathesis.from_wsgi("/api/openapi.json", application, force_schema_version="30")
FUZZ = settings(max_examples=2, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                       HealthCheck.filter_too_much, HealthCheck.data_too_large])


@pytest.mark.django_db
@schema.parametrize()
@FUZZ
def test_without_a_login_every_operation_answers_401(case) -> None:
    case.headers = {k: v for k, v in (case.headers or {}).items() if k.lower() != "authorization"}
    response = case.call_wsgi()
    case.validate_response(response, checks=(not_a_server_error,))
    # Unsafe methods without a session fail ninja's CSRF check first (403): refused either way.
    allowed = (401,) if case.method == "GET" else (401, 403)
    assert response.status_code in allowed, (case.method, case.formatted_path, response.status_code)


@pytest.fixture
def coord_b_token(world: World) -> str:
    return world.tokens["coord_b"]


@schema.parametrize()
@FUZZ
def test_another_sites_token_never_sees_site_a_citizens(case, coord_b_token: str) -> None:
    case.headers = {**(case.headers or {}), "Authorization": f"Bearer {coord_b_token}"}
    response = case.call_wsgi()
    case.validate_response(response, checks=(not_a_server_error,))
    body = response.get_data(as_text=True)
    for secret in ("Jensen", "b-alfa", "Dahl"):
        assert secret not in body, (case.method, case.formatted_path)
