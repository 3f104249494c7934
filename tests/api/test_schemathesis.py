"""Property-based run over every operation of the OpenAPI schema, with a bearer token per role: no 5xx,
no status code the operation does not declare, answers that match their schema.

Each generated case is sent by every role in turn, least privileged first, so a destructive call by the
administrator comes last; a made-up token is sent too, so the guess throttle's 401s and 429s are
checked against the schema as well. SCHEMATHESIS_EXAMPLES (default 3) sets the examples per operation;
a heavier run: `SCHEMATHESIS_EXAMPLES=50 python -m pytest tests/api/test_schemathesis.py` (docs/api.md).
"""
import os

import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from config.wsgi import application
from tests.api import _hypothesis_compat

_hypothesis_compat.install()

# ninja writes OpenAPI 3.1; schemathesis 3 supports it experimentally when forced.
schema = schemathesis.from_wsgi("/api/openapi.json", application, force_schema_version="30")

EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "3"))
# Least privileged first: an administrator's DELETE must not leave the others nothing to be refused.
ROLES = ("unknown_token", "outsider", "consultant", "coordinator_b", "coordinator_a", "admin")
CHECKS = (not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance)


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.filter_too_much, HealthCheck.data_too_large])
def test_every_operation_answers_every_role_without_server_errors_and_as_documented(case, world) -> None:
    tokens = {**world.tokens, "unknown_token": "ugs_" + "u" * 43}
    # A raw WSGI call fires request_finished, which closes a connection inside the test's transaction
    # (on PostgreSQL). Django's own test client disconnects the handler the same way.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        for role in ROLES:
            case.headers = {**(case.headers or {}), "Authorization": f"Bearer {tokens[role]}"}
            response = case.call_wsgi()
            try:
                case.validate_response(response, checks=CHECKS)
            except AssertionError as failure:
                failure.add_note(f"role: {role}")
                raise
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
