"""Whole-centre import (docs/import-format.md): one atomic call, every error with its JSON path."""
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from pydantic import Field

from api.auth import planner_scope
from api.errors import ERRORS, ApiError, ErrorOut, FieldErrors
from scheduler.imports import ImportFailed, centre_document_parse, centre_import, import_schema

router = Router(tags=["Import"])


class ImportParams(Schema):
    dry_run: bool = Field(False, description="Kun kontrol, intet gemmes / validate only")


class ImportOut(Schema):
    created: dict[str, int]
    updated: dict[str, int]
    unchanged: dict[str, int]
    dry_run: bool


def _inlined(node: Any, defs: dict[str, Any]) -> Any:
    """The schema with every `#/$defs/...` reference replaced by its definition: inside the OpenAPI
    document a local reference would point into the OpenAPI document itself."""
    if isinstance(node, list):
        return [_inlined(item, defs) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        target = _inlined(defs[node["$ref"].removeprefix("#/$defs/")], defs)
        return {**target, **{k: _inlined(v, defs) for k, v in node.items() if k != "$ref"}}
    return {k: _inlined(v, defs) for k, v in node.items() if k not in ("$defs", "$schema", "$id")}


def request_body_schema() -> dict[str, Any]:
    """docs/import-schema.json, self-contained, as the operation's request body."""
    schema = import_schema()
    return _inlined(schema, schema.get("$defs", {}))


def upload_limit() -> int | None:
    """The one upload limit: Django's DATA_UPLOAD_MAX_MEMORY_SIZE (README, docs/import-format.md)."""
    return settings.DATA_UPLOAD_MAX_MEMORY_SIZE


def _too_large(limit: int) -> ApiError:
    return ApiError(413, _("Filen er for stor (højst %(mb)s MB).") % {"mb": round(limit / 1_048_576, 1)},
                    code="too_large", extra={"max_bytes": limit})


@router.post(
    "", response={200: ImportOut, 413: ErrorOut, **ERRORS}, operation_id="centre_import",
    summary="Importér et center (alt eller intet) / import a centre (all or nothing)",
    description=("The body is a centre document (docs/import-format.md; schema docs/import-schema.json). "
                 "At most DATA_UPLOAD_MAX_MEMORY_SIZE bytes (413 beyond). Every bad record at every level comes "
                 "back in one 422 with its JSON path; nothing is written then."),
    openapi_extra={"requestBody": {"required": True, "content": {
        "application/json": {"schema": request_body_schema()}}}},
)
def centre_import_view(request: HttpRequest, params: Query[ImportParams]) -> dict[str, Any]:
    scope = planner_scope(request)
    limit = upload_limit()
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if limit is not None and length > limit:  # before reading the body
        raise _too_large(limit)
    body = request.body
    if limit is not None and len(body) > limit:
        raise _too_large(limit)
    try:
        document = centre_document_parse(body)
        result = centre_import(document=document, allowed_site_ids=scope.site_ids, dry_run=params.dry_run)
    except ImportFailed as failed:
        raise FieldErrors(failed.errors) from None
    return result.as_dict()
