"""The OpenAPI schema and the docs page (which must work without internet access)."""
import re

import pytest
from django.test import Client


@pytest.fixture
def schema(db):
    return Client().get("/api/openapi.json").json()


def test_it_serves_an_openapi_schema_with_danish_and_english_descriptions(schema):
    assert schema["info"]["title"] == "Ugeskema API"
    assert "Dansk" in schema["info"]["description"] and "English" in schema["info"]["description"]


def test_every_operation_declares_its_error_responses(schema):
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            declared = set(operation["responses"])
            assert {"401", "403", "404", "409", "422"} <= declared, f"{method.upper()} {path}: {declared}"


def test_the_docs_page_loads_nothing_from_another_host(db):
    client = Client()
    html = client.get("/api/docs").content.decode()
    references = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert references
    assert all(ref.startswith("/") for ref in references), references
    assert "cdn" not in html.lower()
    assert '"validatorUrl": null' in html
    for ref in references:
        assert client.get(ref).status_code == 200, ref
