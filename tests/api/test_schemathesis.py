"""Property-based run over every operation of the OpenAPI schema: no 500s, answers match the schema."""
import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error, response_schema_conformance

from scheduler.wsgi import application
from tests.api import _hypothesis_compat

_hypothesis_compat.install()

# ninja writes OpenAPI 3.1; schemathesis 3 supports it experimentally when forced.
schema = schemathesis.from_wsgi("/api/openapi.json", application, force_schema_version="30")


@pytest.fixture
def admin_token(world):
    # A raw WSGI call fires request_finished, which closes a connection inside the test's transaction
    # (on PostgreSQL). Django's own test client disconnects the handler the same way.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield world.tokens["admin"]
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(max_examples=5, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.filter_too_much, HealthCheck.data_too_large])
def test_every_operation_answers_without_server_errors_and_as_documented(case, admin_token):
    case.headers = {**(case.headers or {}), "Authorization": f"Bearer {admin_token}"}
    response = case.call_wsgi()
    case.validate_response(response, checks=(not_a_server_error, response_schema_conformance))
