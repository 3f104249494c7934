"""Request and response schemas generated from the models, so the API cannot drift from them.

Foreign keys are plain ids named like the field (`"site": 3`), many-to-many fields lists of ids,
choices become enums in the OpenAPI schema. Validation beyond types stays on the models (full_clean).
"""
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from django.db import models
from ninja import Schema
from pydantic import Field

MAX_ID = 2**53
TIME_PATTERN = r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$"


def _python_type(f: models.Field, *, for_input: bool) -> Any:  # one branch per field type
    if f.many_to_many:
        return list[int]
    if f.is_relation:
        return int
    if f.choices:
        values = [value for value, _label in f.choices]
        if f.blank and isinstance(values[0], str) and "" not in values:
            values.append("")
        # Outputs stay plain: an unexpected stored value must not turn a read into a 500.
        if not for_input:
            return type(values[0])
        return Literal[tuple(values)]  # type: ignore[misc]
    if isinstance(f, models.BooleanField):
        return bool
    if isinstance(f, models.JSONField):
        return list[int]
    if isinstance(f, models.DecimalField):
        return Decimal if for_input else float
    if isinstance(f, models.FloatField):
        return float
    if isinstance(f, models.IntegerField | models.AutoField):
        return int
    if isinstance(f, models.DateTimeField):
        return datetime
    if isinstance(f, models.DateField):
        return date
    if isinstance(f, models.TimeField):
        # "HH:MM" both ways: JSON Schema's "time" format demands a UTC offset, which a wall-clock
        # opening hour does not have.
        return str
    if isinstance(f, models.UUIDField):
        return str
    return str


def _constraints(f: models.Field) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if f.is_relation and not f.many_to_many:
        out.update(ge=1, le=MAX_ID)
    elif isinstance(f, models.PositiveSmallIntegerField):
        out.update(ge=0, le=32767)
    elif isinstance(f, models.PositiveIntegerField | models.PositiveBigIntegerField):
        out.update(ge=0, le=2**31 - 1)
    elif isinstance(f, models.DecimalField):
        out.update(ge=-(10 ** (f.max_digits - f.decimal_places)), le=10 ** (f.max_digits - f.decimal_places),
                   allow_inf_nan=False)
    elif isinstance(f, models.FloatField):
        out.update(ge=-1e9, le=1e9, allow_inf_nan=False)
    elif isinstance(f, models.TimeField):
        out["pattern"] = TIME_PATTERN
    elif isinstance(f, models.CharField | models.TextField) and not f.choices:
        out["max_length"] = f.max_length or 10_000
    if isinstance(f, models.JSONField):
        out["max_length"] = 7
    return out


def _describe(f: models.Field) -> str:
    text = str(f.verbose_name)
    return f"{text[:1].upper()}{text[1:]}" + (f". {f.help_text}" if f.help_text else "")


def input_schema(model: type[models.Model], fields: list[str], name: str, *, partial: bool = False) -> type[Schema]:
    annotations: dict[str, Any] = {}
    namespace: dict[str, Any] = {}
    for field_name in fields:
        f = model._meta.get_field(field_name)
        python_type = _python_type(f, for_input=True)
        nullable = getattr(f, "null", False) and not f.many_to_many
        has_default = f.has_default() or nullable or (f.blank and not f.is_relation) or f.many_to_many and f.blank
        if nullable:
            python_type = python_type | None
        extra = {"description": _describe(f), **_constraints(f)}
        if partial:
            annotations[field_name] = python_type if nullable else python_type
            namespace[field_name] = Field(None, **extra)
            continue
        annotations[field_name] = python_type
        if has_default:
            default = f.get_default() if f.has_default() else (None if nullable else ([] if f.many_to_many else ""))
            if isinstance(f, models.TimeField) and default is not None:
                default = default.strftime("%H:%M")
            namespace[field_name] = Field(default, **extra)
        else:
            namespace[field_name] = Field(..., **extra)
    namespace["__annotations__"] = annotations
    return type(name, (Schema,), namespace)


def output_schema(
    model: type[models.Model], fields: list[str], name: str, extra: dict[str, Any] | None = None
) -> type[Schema]:
    annotations: dict[str, Any] = {"id": int}
    namespace: dict[str, Any] = {}
    for field_name in fields:
        f = model._meta.get_field(field_name)
        python_type = _python_type(f, for_input=False)
        if getattr(f, "null", False) and not f.many_to_many:
            python_type = python_type | None
        annotations[field_name] = python_type
        namespace[field_name] = Field(..., description=_describe(f))
        if f.many_to_many:
            namespace[f"resolve_{field_name}"] = staticmethod(
                lambda obj, n=field_name: [o.pk for o in getattr(obj, n).all()]
            )
        elif f.is_relation:
            namespace[f"resolve_{field_name}"] = staticmethod(lambda obj, a=f.attname: getattr(obj, a))
        elif isinstance(f, models.DecimalField):
            namespace[f"resolve_{field_name}"] = staticmethod(
                lambda obj, n=field_name: None if getattr(obj, n) is None else float(getattr(obj, n))
            )
        elif isinstance(f, models.TimeField):
            namespace[f"resolve_{field_name}"] = staticmethod(
                lambda obj, n=field_name: None if getattr(obj, n) is None else getattr(obj, n).strftime("%H:%M")
            )
        elif isinstance(f, models.UUIDField):
            namespace[f"resolve_{field_name}"] = staticmethod(lambda obj, n=field_name: str(getattr(obj, n)))
    for key, value in (extra or {}).items():
        annotations[key] = value
    namespace["__annotations__"] = annotations
    return type(name, (Schema,), namespace)


def schemas_for(
    model: type[models.Model], fields: list[str], name: str, *, read_only: tuple[str, ...] = (),
    out_extra: dict[str, Any] | None = None,
) -> tuple[type[Schema], type[Schema], type[Schema]]:
    """(create/replace input, partial update input, output) for a model."""
    writable = [f for f in fields if f not in read_only]
    return (
        input_schema(model, writable, f"{name}In"),
        input_schema(model, writable, f"{name}Patch", partial=True),
        output_schema(model, fields, f"{name}Out", out_extra),
    )
