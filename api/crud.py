"""One router per area, built from a small description of each resource.

Every resource gets list (paginated, filterable by site and week where that means something), read,
create, PUT, PATCH and DELETE. Writes go through `model.full_clean()`, so the Danish messages written
on the models come back as 422 field errors, and through the scope check, so a coordinator can neither
see nor point at another site's data.
"""
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db import models, transaction
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Path, Query, Router, Schema, Status
from pydantic import Field

from api.auth import Scope, admin_scope, planner_scope
from api.errors import ERRORS, ApiError, FieldErrors, not_found
from rooms.models import Site
from scheduler.audit import AuditAction, audit_objects
from scheduler.weeks import WeekError, parse_iso_week

MAX_ID = 2**53  # larger ids cannot exist, and SQLite would overflow on them

ITEM_ID = Path(..., ge=1, le=MAX_ID)
SiteResolver = Callable[[Any], set[int]]


def parse_week(value: str) -> date:
    """ISO week "2026-W49" → its Monday, inside the read window (scheduler.weeks); else 422 on "week"."""
    try:
        return parse_iso_week(value)
    except WeekError as error:
        raise FieldErrors([("week", str(error))]) from None


def resolve_site(value: str, scope: Scope, field_name: str = "site") -> int:
    """A site given by code or id, visible to the caller, else a 422 on that field."""
    query = Q(code=value)
    if value.isdigit() and int(value) < MAX_ID:
        query |= Q(pk=int(value))
    site_id = Site.objects.filter(query).values_list("pk", flat=True).first()
    if site_id is None or not scope.sees_site(site_id):
        raise FieldErrors([(field_name, _("Ukendt center: %(value)s") % {"value": value[:60]})])
    return site_id


class ListParams(Schema):
    site: str | None = Field(None, max_length=60, description="Centrets kode eller id / site code or id")
    week: str | None = Field(None, max_length=10, description="ISO-uge / ISO week, e.g. 2026-W49")
    limit: int = Field(100, ge=1, le=500)
    offset: int = Field(0, ge=0, le=1_000_000)


@dataclass
class Resource:
    model: type[models.Model]
    path: str
    out: type[Schema]
    create_in: type[Schema]
    patch_in: type[Schema]
    # Lookups from the model to a site; empty = shared data that every planner sees.
    site_lookups: tuple[str, ...] = ()
    # Referenced fields whose target must be inside the caller's sites: field → resolver(value) → site ids.
    site_refs: dict[str, SiteResolver] = field(default_factory=dict)
    week_q: Callable[[date, date], Q] | None = None
    select_related: tuple[str, ...] = ()
    prefetch_related: tuple[str, ...] = ()
    admin_only_writes: bool = False
    before_write: Callable[[models.Model, bool], None] | None = None  # (instance, deleting)
    label: str = ""


def scoped(resource: Resource, scope: Scope) -> QuerySet:
    qs = resource.model._default_manager.all()
    if resource.select_related:
        qs = qs.select_related(*resource.select_related)
    if resource.prefetch_related:
        qs = qs.prefetch_related(*resource.prefetch_related)
    if scope.site_ids is not None and resource.site_lookups:
        return qs.filter(pk__in=_site_subquery(resource, scope.site_ids))
    return qs


def _site_subquery(resource: Resource, site_ids: frozenset[int] | set[int]) -> QuerySet:
    query = Q()
    for lookup in resource.site_lookups:
        query |= Q(**{f"{lookup}__in": list(site_ids)})
    return resource.model._default_manager.filter(query).values("pk")


def _get(resource: Resource, scope: Scope, pk: int) -> models.Model:
    obj = scoped(resource, scope).filter(pk=pk).first() if 0 < pk < MAX_ID else None
    if obj is None:
        raise not_found()
    return obj


def _write_scope(resource: Resource, request: HttpRequest) -> Scope:
    return admin_scope(request) if resource.admin_only_writes else planner_scope(request)


def _check_refs(resource: Resource, scope: Scope, data: dict[str, Any]) -> None:
    errors: list[tuple[str, str]] = []
    for name, value in data.items():
        model_field = resource.model._meta.get_field(name)
        if not model_field.is_relation or value is None:
            continue
        values = value if model_field.many_to_many else [value]
        target = model_field.related_model
        existing = set(target._default_manager.filter(pk__in=[v for v in values if 0 < v < MAX_ID])
                       .values_list("pk", flat=True))
        resolver = resource.site_refs.get(name)
        for item in values:
            unknown = item not in existing
            outside = (
                not unknown and resolver is not None and scope.site_ids is not None
                and not (resolver(item) & scope.site_ids)
            )
            if unknown or outside:
                errors.append((name, _("%(model)s med id %(id)s findes ikke.") % {
                    "model": str(target._meta.verbose_name).capitalize(), "id": item}))
    if errors:
        raise FieldErrors(errors)


def _apply(resource: Resource, instance: models.Model, data: dict[str, Any]) -> dict[str, list[int]]:
    m2m: dict[str, list[int]] = {}
    for name, value in data.items():
        model_field = resource.model._meta.get_field(name)
        if model_field.many_to_many:
            m2m[name] = list(dict.fromkeys(value or []))
        elif model_field.is_relation:
            setattr(instance, model_field.attname, value)
        else:
            setattr(instance, name, value)
    return m2m


def _save(resource: Resource, scope: Scope, instance: models.Model, data: dict[str, Any], creating: bool) -> None:
    _check_refs(resource, scope, data)
    m2m = _apply(resource, instance, data)
    if creating:
        missing = [
            (f.name, _("Feltet skal udfyldes."))
            for f in resource.model._meta.many_to_many
            if f.name in resource.create_in.model_fields and not f.blank and not m2m.get(f.name)
        ]
        if missing:
            raise FieldErrors(missing)
    if resource.before_write:
        resource.before_write(instance, False)
    instance.full_clean()
    with transaction.atomic():
        instance.save()
        for name, ids in m2m.items():
            getattr(instance, name).set(ids)


def _week_range(week: str) -> tuple[date, date]:
    monday = parse_week(week)
    return monday, monday + timedelta(days=6)


def build_router(resource: Resource, tags: list[str]) -> Router:
    router = Router(tags=tags)
    out, create_in, patch_in = resource.out, resource.create_in, resource.patch_in
    page = type(f"{out.__name__}Page", (Schema,), {"__annotations__": {"count": int, "items": list[out]}})
    label = resource.label or str(resource.model._meta.verbose_name_plural)

    def list_items(request: HttpRequest, params: Query[ListParams]) -> dict[str, Any]:
        scope = planner_scope(request)
        qs = scoped(resource, scope)
        if params.site:
            if not resource.site_lookups:
                raise FieldErrors([("site", _("Kan ikke filtreres på center."))])
            qs = qs.filter(pk__in=_site_subquery(resource, {resolve_site(params.site, scope)}))
        if params.week:
            if resource.week_q is None:
                raise FieldErrors([("week", _("Kan ikke filtreres på uge."))])
            qs = qs.filter(resource.week_q(*_week_range(params.week)))
        qs = qs.order_by("pk")
        items = list(qs[params.offset: params.offset + params.limit])
        audit_objects(request=request, action=AuditAction.VIEW, objects=items, label=resource.path)
        return {"count": qs.count(), "items": items}

    def read_item(request: HttpRequest, item_id: int = ITEM_ID) -> models.Model:
        instance = _get(resource, planner_scope(request), item_id)
        audit_objects(request=request, action=AuditAction.VIEW, objects=[instance], label=resource.path)
        return instance

    def create_item(request: HttpRequest, payload: create_in) -> Status:  # type: ignore[valid-type]
        scope = _write_scope(resource, request)
        instance = resource.model()
        _save(resource, scope, instance, payload.dict(), creating=True)
        audit_objects(request=request, action=AuditAction.CREATE, objects=[instance], label=resource.path)
        return Status(201, _get(resource, scope, instance.pk))

    def replace_item(request: HttpRequest, payload: create_in, item_id: int = ITEM_ID) -> models.Model:  # type: ignore[valid-type]
        scope = _write_scope(resource, request)
        instance = _get(resource, scope, item_id)
        _save(resource, scope, instance, payload.dict(), creating=True)
        audit_objects(request=request, action=AuditAction.CHANGE, objects=[instance], label=resource.path)
        return _get(resource, scope, instance.pk)

    def patch_item(request: HttpRequest, payload: patch_in, item_id: int = ITEM_ID) -> models.Model:  # type: ignore[valid-type]
        scope = _write_scope(resource, request)
        instance = _get(resource, scope, item_id)
        _save(resource, scope, instance, payload.dict(exclude_unset=True), creating=False)
        audit_objects(request=request, action=AuditAction.CHANGE, objects=[instance], label=resource.path)
        return _get(resource, scope, instance.pk)

    def delete_item(request: HttpRequest, item_id: int = ITEM_ID) -> Status:
        scope = _write_scope(resource, request)
        instance = _get(resource, scope, item_id)
        if resource.before_write:
            resource.before_write(instance, True)
        try:
            with transaction.atomic():
                audit_objects(request=request, action=AuditAction.DELETE, objects=[instance], label=resource.path)
                instance.delete()
        except models.ProtectedError:
            raise ApiError(409, _("Kan ikke slettes: andre data henviser til den."), code="protected") from None
        return Status(204, None)

    name = resource.path.replace("-", "_")
    item = "/{item_id}"
    router.add_api_operation("", ["GET"], list_items, response={200: page, **ERRORS},
                             summary=f"List {label}", operation_id=f"{name}_list")
    router.add_api_operation("", ["POST"], create_item, response={201: out, **ERRORS},
                             summary=f"Opret / create ({label})", operation_id=f"{name}_create")
    router.add_api_operation(item, ["GET"], read_item, response={200: out, **ERRORS},
                             summary=f"Læs / read ({label})", operation_id=f"{name}_read")
    router.add_api_operation(item, ["PUT"], replace_item, response={200: out, **ERRORS},
                             summary=f"Erstat / replace ({label})", operation_id=f"{name}_replace")
    router.add_api_operation(item, ["PATCH"], patch_item, response={200: out, **ERRORS},
                             summary=f"Ret / update ({label})", operation_id=f"{name}_update")
    router.add_api_operation(item, ["DELETE"], delete_item, response={204: None, **ERRORS},
                             summary=f"Slet / delete ({label})", operation_id=f"{name}_delete")
    return router
