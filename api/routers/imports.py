"""Whole-centre import (docs/import-format.md): one atomic call, every error with its JSON path."""
import json
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from pydantic import Field

from api.auth import planner_scope
from api.errors import ERRORS, ApiError, ErrorOut, FieldErrors
from scheduler.importer import ImportFailed, centre_import

router = Router(tags=["Import"])

MAX_BYTES = settings.DATA_UPLOAD_MAX_MEMORY_SIZE


class ImportParams(Schema):
    dry_run: bool = Field(False, description="Kun kontrol, intet gemmes / validate only")


class ImportOut(Schema):
    created: dict[str, int]
    updated: dict[str, int]
    unchanged: dict[str, int]
    dry_run: bool


REQUEST_BODY = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": {
            "type": "object", "description": "Se docs/import-format.md og docs/import-schema.json",
            "properties": {"format": {"type": "string", "enum": ["ugeskema-centre/1"]}},
            "required": ["format"],
        }}},
    }
}


@router.post("", response={200: ImportOut, 413: ErrorOut, **ERRORS}, operation_id="centre_import",
             summary="Importér et center (alt eller intet) / import a centre (all or nothing)",
             openapi_extra=REQUEST_BODY)
def centre_import_view(request: HttpRequest, params: Query[ImportParams]) -> dict[str, Any]:
    scope = planner_scope(request)
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > MAX_BYTES:
        raise ApiError(413, _("Filen er for stor (højst %(mb)s MB).") % {"mb": round(MAX_BYTES / 1_000_000, 1)},
                       code="too_large")
    try:
        document = json.loads(request.body or b"null")
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise FieldErrors([("$", _("Indholdet er ikke gyldig JSON."))]) from None
    try:
        result = centre_import(document=document, allowed_site_ids=scope.site_ids, dry_run=params.dry_run)
    except ImportFailed as failed:
        raise FieldErrors(failed.errors) from None
    return result.as_dict()
