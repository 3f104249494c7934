"""Load or update a whole centre from one JSON document (docs/import-format.md, docs/import-schema.json).

Records are keyed by natural references (site code, room name per site, consultant reference, citizen
reference, company name + postcode, ...), so importing the same file twice changes nothing. Fields left
out of a record keep their stored value; records left out of the file are left alone.

Checking comes before writing, in three passes, and every bad record at every level is reported with
its JSON path and a Danish reason in one answer (nothing is written then):

1. the text itself (`centre_document_parse`): valid UTF-8 JSON, no NaN/Infinity or numbers out of
   range, no key twice in one object, at most MAX_DEPTH levels (a document nested 100,000 levels deep
   is refused, not a RecursionError);
2. the JSON Schema (docs/import-schema.json, strict: no coercion of types). A value the schema refuses
   is taken out of the document before pass 3, so the records around and below it are still checked;
3. the records against the database, in one transaction that is rolled back unless everything is
   right: natural keys (duplicates within the file, references that must exist within the caller's
   sites) and the models' own validation (`full_clean`). A record whose parent failed is still
   validated on its own (check mode), so errors do not surface one level per attempt.
"""
import json
import math
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import jsonschema
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models, transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from activities.models import (
    ActivityRule,
    Company,
    CourseMembership,
    CourseSession,
    EmployerAvailability,
    GroupCourse,
    Internship,
    InternshipStep,
    InterventionModel,
    Phase,
    StaffType,
    TargetGroup,
)
from rooms.models import ClosedDay, OpeningHours, Room, RoomFeature, Site, TravelTimeOverride
from rooms.text import LINE_PATTERN, TEXT_PATTERN
from scheduler.errors import DomainError
from scheduler.models import (
    Absence,
    ActivityRequest,
    Citizen,
    CitizenUnavailability,
    Consultant,
    Enrolment,
    WorkingHours,
)

FORMAT = "ugeskema-centre/1"
SCHEMA_PATH = Path(__file__).resolve().parent.parent / "docs" / "import-schema.json"
MAX_DEPTH = 32  # the format itself is 10 levels deep
MAX_INT_DIGITS = 15
TIME_PATTERN = "^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$"
REFERENCE_PATTERN = "^[-a-zA-Z0-9_]+$"

SITE_FIELDS = {"code", "name", "street", "postcode", "city", "latitude", "longitude", "phone", "feed_privacy",
               "feed_labels", "feed_company_names"}
ROOM_FIELDS = {"name", "capacity", "active"}
OPENING_FIELDS = {"weekday", "opens", "closes"}
CONSULTANT_FIELDS = {"reference", "name", "email", "phone", "hours_per_week", "max_caseload", "active"}
HOURS_FIELDS = {"weekday", "start_time", "end_time"}
COMPANY_FIELDS = {
    "name", "postcode", "cvr", "street", "city", "latitude", "longitude", "contact_name", "contact_phone",
    "contact_email",
}
CITIZEN_FIELDS = {
    "reference", "first_name", "last_name", "phone", "email", "street", "postcode", "city", "latitude",
    "longitude", "max_hours_per_day", "not_before", "not_after", "preferred_weekdays",
}
ENROLMENT_FIELDS = {
    "referring_jobcentre", "start_date", "target_weeks", "end_date", "phase_started", "job_started", "status",
}
INTERNSHIP_FIELDS = {"kind", "start_date", "end_date", "contact_name", "contact_phone", "tasks"}
STEP_FIELDS = {"start_date", "hours_per_week", "weekdays", "daily_start"}
COURSE_FIELDS = {"name", "theme", "min_participants", "max_participants", "start_date", "end_date"}
SESSION_FIELDS = {"weekday", "start_time", "duration_minutes"}
MEMBER_FIELDS = {"joined", "left"}
CLOSED_DAY_FIELDS = {"reason"}
WEEKLY_FIELDS = {"end_time"}
ABSENCE_FIELDS = {"end_date", "end_time", "reason"}
REQUEST_FIELDS = {"due_by", "duration_minutes", "note", "status"}
TRAVEL_FIELDS = {"minutes", "note"}
MODEL_FIELDS = {"description", "min_weeks", "max_weeks", "outcomes"}
PHASE_FIELDS = {"name", "description", "target_weeks", "goals", "optional"}
RULE_FIELDS = {"description", "with_contact_consultant", "duration_minutes", "frequency_type", "frequency_value",
               "place"}
# What a request of a kind needs when the file does not say (scheduler.demand.demand.REQUEST_DEFAULTS).
REQUEST_STAFF = {"roundtable": ["social", "job"], "s7a": ["social"], "stepup": ["job", "social", "health"],
                 "followup_visit": ["job"], "assessment": ["health"]}

Errors = list[tuple[str, str]]


class ImportFailed(DomainError):
    code = "import_failed"

    def __init__(self, errors: Errors) -> None:
        super().__init__(_("Importen er afvist: %(n)s fejl. Intet er gemt.") % {"n": len(errors)})
        self.errors = errors


class _DryRun(Exception):
    pass


class _Failed:
    """Stands for a record or reference that failed (its error is already reported): records below it
    are still validated, in check mode."""

    def __repr__(self) -> str:
        return "FAILED"


FAILED: Any = _Failed()


@dataclass
class ImportResult:
    created: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    updated: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    unchanged: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    dry_run: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {"created": dict(self.created), "updated": dict(self.updated), "unchanged": dict(self.unchanged),
                "dry_run": self.dry_run}


# -- JSON paths --------------------------------------------------------------------------------------------

Path_ = tuple[str | int, ...]


def json_path(parts: Iterable[str | int]) -> str:
    """`$.citizens[0].enrolments[1].start_date`; a key that is no plain name is quoted (and escaped), so
    a hostile key cannot put control characters into a message or a terminal."""
    out = "$"
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part.isascii() and part.replace("_", "a").isalnum() and not part[:1].isdigit():
            out += f".{part}"
        else:
            out += f"[{json.dumps(part[:80])}]"
    return out


def _under(path: str, parent: str) -> bool:
    return path == parent or path.startswith((parent + ".", parent + "["))


def _sort_key(path: str) -> list[tuple[int, Any]]:
    """Document order for paths: indexes as numbers."""
    key: list[tuple[int, Any]] = []
    for token in path.replace("[", ".[").split("."):
        if token.startswith("[") and token[1:-1].isdigit():
            key.append((0, int(token[1:-1])))
        elif token:
            key.append((1, token))
    return key


def _sorted(errors: Errors) -> Errors:
    return sorted(dict.fromkeys(errors), key=lambda e: _sort_key(e[0]))


# -- pass 1: the text --------------------------------------------------------------------------------------


class _DuplicateKeys(dict):
    """An object in which some key occurred more than once (json keeps the last silently)."""

    duplicates: tuple[str, ...] = ()


def _object(pairs: list[tuple[str, Any]]) -> dict:
    obj = dict(pairs)
    if len(obj) == len(pairs):
        return obj
    seen: set[str] = set()
    duplicates = [key for key, _value in pairs if key in seen or seen.add(key)]  # type: ignore[func-returns-value]
    flagged = _DuplicateKeys(obj)
    flagged.duplicates = tuple(dict.fromkeys(duplicates))
    return flagged


class _BadNumber(ValueError):
    pass


def _constant(name: str) -> Any:
    raise _BadNumber(name)


def _float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise _BadNumber(text)
    return value


def _int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_INT_DIGITS:
        raise _BadNumber(text)
    return int(text)


def centre_document_parse(raw: bytes | str) -> Any:
    """The document from its bytes, or ImportFailed: bad UTF-8 or JSON, NaN/Infinity, a number out of
    range or nesting too deep for the parser (structure, types and depth are checked by centre_import)."""
    try:
        text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
        return json.loads(text or "null", object_pairs_hook=_object, parse_constant=_constant,
                          parse_float=_float, parse_int=_int)
    except _BadNumber as error:
        raise ImportFailed([("$", _("Kun endelige tal med højst %(n)s cifre: %(value)s er ikke tilladt.") % {
            "n": MAX_INT_DIGITS, "value": str(error)[:40]})]) from None
    except RecursionError:
        raise ImportFailed([("$", _("Dokumentet er indlejret for dybt (højst %(n)s niveauer).") % {
            "n": MAX_DEPTH})]) from None
    except UnicodeDecodeError:
        raise ImportFailed([("$", _("Indholdet er ikke gyldig UTF-8."))]) from None
    except ValueError:  # json.JSONDecodeError and int() limits
        raise ImportFailed([("$", _("Indholdet er ikke gyldig JSON."))]) from None


def _walk_errors(document: Any) -> Errors:
    """Depth, non-finite numbers and keys given twice, found without recursion (a document built in
    Python rather than parsed can hold any of them)."""
    errors: Errors = []
    stack: list[tuple[Any, Path_]] = [(document, ())]
    while stack:
        value, parts = stack.pop()
        if len(parts) > MAX_DEPTH:
            errors.append((json_path(parts), _("Dokumentet er indlejret for dybt (højst %(n)s niveauer).") % {
                "n": MAX_DEPTH}))
            continue
        if isinstance(value, float) and not math.isfinite(value):
            errors.append((json_path(parts), _("Skal være et endeligt tal.")))
        elif isinstance(value, dict):
            for key in getattr(value, "duplicates", ()):
                errors.append((json_path((*parts, key)), _("Feltet står flere gange i samme objekt.")))
            stack.extend((item, (*parts, key)) for key, item in value.items() if isinstance(key, str))
        elif isinstance(value, list):
            stack.extend((item, (*parts, i)) for i, item in enumerate(value))
    return errors


# -- pass 2: the JSON Schema -------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def import_schema() -> dict[str, Any]:
    """docs/import-schema.json: the one description of the format (also the API's request body)."""
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def _is_integer(checker: Any, instance: Any) -> bool:
    # JSON Schema counts 1.0 as an integer; the import takes only integers written as such.
    return isinstance(instance, int) and not isinstance(instance, bool)


_StrictValidator = jsonschema.validators.extend(
    jsonschema.Draft202012Validator,
    type_checker=jsonschema.Draft202012Validator.TYPE_CHECKER.redefine("integer", _is_integer),
)


@lru_cache(maxsize=1)
def _validator() -> Any:
    return _StrictValidator(import_schema(), format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)


_TYPE_NAMES = {
    "object": _("et objekt"), "array": _("en liste"), "string": _("tekst"), "integer": _("et heltal"),
    "number": _("et tal"), "boolean": _("true eller false"), "null": _("null"),
}
_PATTERN_MESSAGES = {
    TIME_PATTERN: _("Skriv klokkeslættet som TT:MM."),
    REFERENCE_PATTERN: _("Kun bogstaverne a-z, tal, - og _."),
    LINE_PATTERN: _("Må ikke indeholde linjeskift eller andre styretegn."),
    TEXT_PATTERN: _("Må ikke indeholde styretegn."),
    "^[0-9]{4}$": _("Postnummeret skal være fire cifre."),
}


def _danish_number(value: Any) -> str:
    """39.5 -> "39,5": the decimal comma a Danish reader expects."""
    return str(value).replace(".", ",")


def _schema_message(error: jsonschema.ValidationError) -> str:
    keyword, expected = error.validator, error.validator_value
    match keyword:
        case "type":
            types = [expected] if isinstance(expected, str) else list(expected)
            return _("Skal være %(types)s.") % {"types": _(" eller ").join(str(_TYPE_NAMES[t]) for t in types)}
        case "enum":
            return _("Ugyldig værdi. Brug en af: %(values)s.") % {"values": ", ".join(map(str, expected))[:200]}
        case "const":
            return _("Angiv formatet \"%(format)s\".") % {"format": expected}
        case "format":
            return _("Skriv en gyldig dato som ÅÅÅÅ-MM-DD.") if expected == "date" else _("Ugyldig værdi.")
        case "pattern":
            return str(_PATTERN_MESSAGES.get(expected, _("Har ikke den rigtige form.")))
        case "minimum":
            return _("Skal være mindst %(n)s.") % {"n": _danish_number(expected)}
        case "maximum":
            return _("Må højst være %(n)s.") % {"n": _danish_number(expected)}
        case "exclusiveMinimum":
            return _("Skal være større end %(n)s.") % {"n": expected}
        case "exclusiveMaximum":
            return _("Skal være mindre end %(n)s.") % {"n": expected}
        case "minLength":
            return _("Feltet skal udfyldes.")
        case "maxLength":
            return _("Højst %(n)s tegn.") % {"n": expected}
        case "minItems":
            return _("Angiv mindst %(n)s.") % {"n": expected}
        case "maxItems":
            return _("Højst %(n)s på listen.") % {"n": expected}
        case "uniqueItems":
            return _("Samme værdi står flere gange på listen.")
    return _("Ugyldig værdi.")


def _schema_errors(document: Any) -> tuple[Errors, list[tuple[Path_, str]]]:
    """(errors, prunings): each pruning says how to take a refused value out of the document."""
    errors: Errors = []
    prunings: list[tuple[Path_, str]] = []
    for error in _validator().iter_errors(document):
        parts: Path_ = tuple(error.absolute_path)
        if error.validator in ("required", "additionalProperties"):
            if error.validator == "required":
                present = error.instance if isinstance(error.instance, dict) else {}
                errors.extend((json_path((*parts, key)), _("Feltet skal udfyldes."))
                              for key in error.validator_value if key not in present)
            else:
                known = set(error.schema.get("properties", {}))
                errors.extend((json_path((*parts, key)), _("Ukendt felt."))
                              for key in error.instance if key not in known)
            if parts and not isinstance(parts[-1], int):
                # An object inside a record (a company reference) is read whole: it goes. A record keeps
                # its place; the database pass skips one without its key and ignores unknown fields.
                prunings.append((parts, "drop"))
        else:
            errors.append((json_path(parts), _schema_message(error)))
            expected = error.validator_value if error.validator == "type" else None
            wants_record = expected == "object" and parts and isinstance(parts[-1], int)
            prunings.append((parts, "replace" if wants_record else "drop"))
    return errors, prunings


def _prune(document: Any, prunings: list[tuple[Path_, str]]) -> None:
    """Take refused values out: a record in a list that is no object is replaced by FAILED (so the other
    records keep their indexes); any other refused value goes with the deepest field of a record on its
    path (a field of a record is the unit the later checks read)."""
    for parts, how in sorted(prunings, key=lambda p: -len(p[0])):
        containers: list[Any] = []
        node = document
        try:
            for part in parts:
                containers.append(node)
                node = node[part]
        except (KeyError, IndexError, TypeError):
            continue  # already taken out with a parent
        if not parts:
            continue
        if how == "replace":
            containers[-1][parts[-1]] = FAILED
            continue
        # The deepest key whose object is a record: the document itself or an element of a list.
        for depth in range(len(parts) - 1, -1, -1):
            holder = containers[depth]
            is_record = depth == 0 or isinstance(containers[depth - 1], list)
            if isinstance(parts[depth], str) and isinstance(holder, dict) and is_record:
                holder.pop(parts[depth], None)
                break


def _copy(document: Any) -> Any:
    """A deep copy without recursion (the original is the caller's)."""
    root: list[Any] = [None]
    stack: list[tuple[Any, Any, Any]] = [(document, root, 0)]
    while stack:
        value, holder, key = stack.pop()
        if isinstance(value, dict):
            holder[key] = copy = {}
            stack.extend((item, copy, k) for k, item in value.items())
        elif isinstance(value, list):
            holder[key] = copy = [None] * len(value)
            stack.extend((item, copy, i) for i, item in enumerate(value))
        else:
            holder[key] = value
    return root[0]


# -- pass 3: the records -----------------------------------------------------------------------------------


def _key_part(name: str, value: Any) -> Any:
    # "10:00" and "10:00:00" are the same start time.
    return value[:5] if name == "start_time" and isinstance(value, str) else value


DUPLICATE_KEYS: dict[str, tuple[str, ...]] = {
    "sites": ("code",), "companies": ("name", "postcode"), "consultants": ("reference",),
    "citizens": ("reference",), "group_courses": ("site", "name"), "opening_hours": ("weekday",),
    "rooms": ("name",), "working_hours": ("weekday",), "enrolments": ("intervention_model", "start_date"),
    "internships": ("company", "start_date"), "steps": ("start_date",), "sessions": ("weekday", "start_time"),
    "members": ("citizen",),
}


def _duplicates(document: dict) -> Errors:
    """The same natural key twice in one list (the last would silently win). The later record is reported
    and taken out, so it is not imported twice."""
    errors: Errors = []
    stack: list[tuple[dict, Path_]] = [(document, ())]
    while stack:
        record, parts = stack.pop()
        for name, items in record.items():
            if not isinstance(items, list):
                continue
            seen: dict[str, int] = {}
            for i, item in enumerate(items):
                if not isinstance(item, dict):
                    continue
                stack.append((item, (*parts, name, i)))
                fields = DUPLICATE_KEYS.get(name)
                if not fields or any(item.get(f) is None for f in fields):
                    continue
                key = json.dumps([_key_part(f, item[f]) for f in fields], sort_keys=True)
                if key in seen:
                    first = json_path((*parts, name, seen[key]))
                    errors.append((json_path((*parts, name, i)), _("Står også i %(first)s (samme %(key)s).") % {
                        "first": first, "key": " + ".join(fields)}))
                    items[i] = FAILED
                else:
                    seen[key] = i
    return errors


class _Importer:
    def __init__(self, allowed_site_ids: frozenset[int] | None) -> None:
        self.allowed = allowed_site_ids
        self.errors: Errors = []
        self.result = ImportResult()
        self._features = {f.code: f for f in RoomFeature.objects.all()}
        self._staff_types = {s.code: s for s in StaffType.objects.all()}
        self._target_groups = {t.code: t for t in TargetGroup.objects.all()}
        self._models = {m.name: m for m in InterventionModel.objects.all()}
        # References whose own record in this file failed: pointing at them adds no second error.
        self._failed: dict[type[models.Model], set[str]] = defaultdict(set)

    # -- helpers --------------------------------------------------------------------------------

    def error(self, path: str, message: str) -> None:
        self.errors.append((path, str(message)))

    @staticmethod
    def items(parent: dict, key: str, path: str) -> Iterator[tuple[str, dict]]:
        """The records of a list; the schema pass has replaced those that are no object by FAILED."""
        value = parent.get(key, [])
        for i, item in enumerate(value if isinstance(value, list) else []):
            if isinstance(item, dict):
                yield f"{path}.{key}[{i}]", item

    def required(self, data: dict, path: str, *keys: str) -> bool:
        # Reported by the schema already; this keeps a record without its key out of the database pass.
        return all(data.get(key) not in (None, "") for key in keys)

    def by_code(self, table: dict[str, Any], code: Any, path: str, label: str) -> Any:
        if code not in table:
            self.error(path, _("Ukendt %(label)s: %(code)s") % {"label": label, "code": str(code)[:80]})
            return FAILED
        return table[code]

    def codes(self, table: dict[str, Any], codes: list[Any], path: str, label: str) -> list[Any] | None:
        found = [self.by_code(table, code, f"{path}[{i}]", label) for i, code in enumerate(codes)]
        return None if any(f is FAILED for f in found) else found

    @staticmethod
    def unique_message(model: type[Citizen] | type[Consultant], reference: str) -> str:
        return " ".join(model(reference=reference).unique_error_message(model, ("reference",)).messages)

    def site(self, code: Any, path: str) -> Any:
        site = Site.objects.filter(code=code).first()
        if site is None or (self.allowed is not None and site.pk not in self.allowed):
            if code not in self._failed[Site]:  # else its own record in this file is reported already
                self.error(path, _("Ukendt center: %(code)s") % {"code": str(code)[:80]})
            return FAILED
        return site

    def upsert(
        self, kind: str, path: str, model: type[models.Model], lookup: dict[str, Any], data: dict[str, Any],
        plain: set[str], extra: dict[str, Any] | None = None, m2m: dict[str, list[Any]] | None = None,
        check_only: bool = False,
    ) -> Any:
        """Create or update one row from its natural key; save only when something differs.

        Check mode (`check_only`, or a part of the key or a reference is FAILED): the record is only
        validated — the fields it gives, and the model's own rules — and FAILED is returned, so the
        records below it are validated too. An error of a normal record also returns FAILED."""
        extra = extra or {}
        failed = [name.removesuffix("_id") for name, value in (*lookup.items(), *extra.items()) if value is FAILED]
        lookup = self._key_values(path, model, lookup, failed)
        known_key = all(v is not FAILED for v in lookup.values())
        instance = model._default_manager.filter(**lookup).first() if known_key else None
        creating = instance is None
        if creating:
            instance = model(**{k: v for k, v in lookup.items() if v is not FAILED})
        values = {key: data[key] for key in plain if key in data and key not in lookup}
        values.update({k: v for k, v in extra.items() if v is not FAILED})
        changed, bad = self._assign(path, model, instance, values, creating=creating)
        changed = changed or creating
        checking = check_only or bool(failed)
        exclude: set[str] | None = None
        if checking:
            exclude = set(failed)
            if creating:  # an update may leave fields out: judge only what the record gives
                given = set(values) | {k for k, v in lookup.items() if v is not FAILED}
                exclude |= {f.name for f in model._meta.fields if f.name not in given and f.attname not in given}
        bad = not self._valid(path, instance, exclude=exclude) or bad
        if bad or checking:
            return FAILED
        if changed:
            instance.save()
        for name, targets in (m2m or {}).items():
            wanted = {t.pk for t in targets}
            manager = getattr(instance, name)
            if set(manager.values_list("pk", flat=True)) != wanted:
                manager.set(list(wanted))
                changed = True
        bucket = self.result.created if creating else self.result.updated if changed else self.result.unchanged
        bucket[kind] += 1
        return instance

    def _key_values(
        self, path: str, model: type[models.Model], lookup: dict[str, Any], failed: list[str]
    ) -> dict[str, Any]:
        """The natural key's values as the model's fields read them; a bad one is reported and FAILED."""
        clean: dict[str, Any] = {}
        for key, raw in lookup.items():
            if raw is FAILED or isinstance(raw, models.Model):
                clean[key] = raw
                continue
            try:
                clean[key] = model._meta.get_field(key).to_python(raw)
            except ValidationError as error:
                self.error(f"{path}.{key}", " ".join(error.messages))
                clean[key] = FAILED
                failed.append(key)
        return clean

    def _assign(
        self, path: str, model: type[models.Model], instance: models.Model, values: dict[str, Any], *, creating: bool
    ) -> tuple[bool, bool]:
        """Set the given values on the instance: (something changed, some value was bad)."""
        changed = bad = False
        for key, raw in values.items():
            try:
                model_field = model._meta.get_field(key)
            except FieldDoesNotExist:
                model_field = next(f for f in model._meta.concrete_fields if f.attname == key)
            try:
                value = raw if model_field.is_relation else model_field.to_python(raw)
            except ValidationError as error:
                self.error(f"{path}.{key}", " ".join(error.messages))
                bad = True
                continue
            current = getattr(instance, model_field.attname)
            if creating or current != value:
                setattr(instance, model_field.attname, value)
                changed = changed or current != value
        return changed, bad

    def _valid(self, path: str, instance: models.Model, *, exclude: set[str] | None) -> bool:
        """The model's own rules; `exclude` (check mode) judges only what the record gives, without the
        uniqueness and constraint checks that need the rows above it."""
        try:
            if exclude is not None:
                instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
            else:
                instance.full_clean()
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                where = path if name == "__all__" else f"{path}.{name.removesuffix('_id')}"
                for message in messages:
                    self.error(where, message)
            return False
        return True

    def visible_consultants(self) -> QuerySet[Consultant]:
        """Consultants the caller may point at: those whose home or served sites include one of theirs
        (the API's scope for consultants). Whether one may work at a given site is the model's rule."""
        if self.allowed is None:
            return Consultant.objects.all()
        sites = list(self.allowed)
        return Consultant.objects.filter(Q(home_site_id__in=sites) | Q(sites__in=sites)).distinct()

    def consultant(self, ref: str, path: str) -> Any:
        """A consultant referenced by a record (facilitator, contact consultant). One outside the caller's
        sites gets the same answer as one that does not exist."""
        consultant = self.visible_consultants().filter(reference=ref).first()
        if consultant is None:
            if ref not in self._failed[Consultant]:
                self.error(path, _("Ukendt konsulent: %(ref)s") % {"ref": ref[:80]})
            return FAILED
        return consultant

    def taken_elsewhere(self, model: type[Citizen] | type[Consultant], reference: str, owned: Q) -> bool:
        """True when a record's own reference already belongs to a row outside the caller's sites.
        References are unique across the whole system, so such a row can be neither updated (that would
        take it over) nor created again: the caller gets the model's own "already exists" message, the
        one the API and the forms give for a taken reference, which names no site (docs/security.md)."""
        if self.allowed is None:
            return False
        existing = model._default_manager.filter(reference=reference)
        return existing.exists() and not existing.filter(owned).exists()

    # -- records --------------------------------------------------------------------------------

    def intervention_models(self, doc: dict) -> None:
        """Intervention models with their phases and rules. They are shared by every site, so only an
        administrator imports them, and the built-in models (the seed documents) stay as they are."""
        for path, data in self.items(doc, "intervention_models", "$"):
            model: Any = FAILED
            if self.required(data, path, "name"):
                existing = InterventionModel.objects.filter(name=data["name"]).first()
                if self.allowed is not None:
                    self.error(f"{path}.name", _("Kun en administrator kan indlæse indsatsmodeller."))
                elif existing is not None and existing.builtin:
                    self.error(f"{path}.name", _("En indbygget indsatsmodel kan ikke ændres; kopiér den i stedet."))
                ok = self.allowed is None and not (existing is not None and existing.builtin)
                groups = self.codes(self._target_groups, data.get("target_groups", []), f"{path}.target_groups",
                                    "målgruppe")
                model = self.upsert(
                    "intervention_models", path, InterventionModel, {"name": data["name"] if ok else FAILED}, data,
                    MODEL_FIELDS,
                    m2m={"target_groups": groups} if "target_groups" in data and groups is not None else None,
                    check_only=groups is None,
                )
                if model is not FAILED:
                    self._models[model.name] = model
            for ppath, p in self.items(data, "phases", path):
                if not self.required(p, ppath, "order", "name"):
                    continue
                phase = self.upsert("phases", ppath, Phase, {"model": model, "order": p["order"]}, p, PHASE_FIELDS)
                for rpath, r in self.items(p, "rules", ppath):
                    if self.required(r, rpath, "kind", "staff_types", "duration_minutes", "frequency_type"):
                        self.rule(phase, r, rpath)

    def rule(self, phase: Any, data: dict, path: str) -> None:
        types = self.codes(self._staff_types, data["staff_types"], f"{path}.staff_types", "faggruppe")
        features = self.codes(self._features, data.get("room_features", []), f"{path}.room_features", "facilitet")
        m2m = {"staff_types": types} if types is not None else {}
        if "room_features" in data and features is not None:
            m2m["room_features"] = features
        self.upsert(
            "activity_rules", path, ActivityRule,
            {"phase": phase, "kind": data["kind"], "condition": data.get("condition", "always"),
             "theme": data.get("theme", "")},
            data, RULE_FIELDS, m2m=m2m, check_only=types is None or features is None,
        )

    def sites(self, doc: dict) -> None:
        for path, data in self.items(doc, "sites", "$"):
            site: Any = FAILED
            if self.required(data, path, "code"):
                existing = Site.objects.filter(code=data["code"]).first()
                mine = self.allowed is None or (existing is not None and existing.pk in self.allowed)
                if not mine:
                    self.error(f"{path}.code", _("Du kan kun opdatere de centre, du planlægger."))
                site = self.upsert("sites", path, Site, {"code": data["code"] if mine else FAILED}, data,
                                   SITE_FIELDS)
                if site is FAILED:
                    self._failed[Site].add(data["code"])
            for hpath, h in self.items(data, "opening_hours", path):
                if self.required(h, hpath, "weekday", "opens", "closes"):
                    self.upsert("opening_hours", hpath, OpeningHours, {"site": site, "weekday": h["weekday"]}, h,
                                OPENING_FIELDS)
            for rpath, r in self.items(data, "rooms", path):
                if not self.required(r, rpath, "name", "capacity"):
                    continue
                features = self.codes(self._features, r.get("features", []), f"{rpath}.features", "facilitet")
                self.upsert("rooms", rpath, Room, {"site": site, "name": r["name"]}, r, ROOM_FIELDS,
                            m2m={"features": features} if "features" in r and features is not None else None,
                            check_only=features is None)
            for cpath, c in self.items(data, "closed_days", path):
                if self.required(c, cpath, "date"):
                    self.upsert("closed_days", cpath, ClosedDay, {"site": site, "date": c["date"]}, c,
                                CLOSED_DAY_FIELDS)

    def companies(self, doc: dict) -> None:
        for path, data in self.items(doc, "companies", "$"):
            company: Any = FAILED
            if self.required(data, path, "name", "postcode"):
                company = self.upsert("companies", path, Company,
                                      {"name": data["name"], "postcode": data["postcode"]}, data, COMPANY_FIELDS)
            if company is FAILED and isinstance(data.get("name"), str):
                self._failed[Company].add(data["name"])
            for apath, a in self.items(data, "availability", path):
                if self.required(a, apath, "weekday", "start_time", "end_time"):
                    self.upsert("employer_availability", apath, EmployerAvailability,
                                {"company": company, "weekday": a["weekday"], "start_time": a["start_time"]}, a,
                                WEEKLY_FIELDS)

    def consultants(self, doc: dict) -> None:
        for path, data in self.items(doc, "consultants", "$"):
            if not self.required(data, path, "reference", "home_site", "staff_types"):
                if data.get("reference"):
                    self._failed[Consultant].add(data["reference"])
                consultant: Any = FAILED
            else:
                consultant = self.consultant_record(path, data)
            for hpath, h in self.items(data, "working_hours", path):
                if self.required(h, hpath, "weekday", "start_time", "end_time"):
                    self.upsert("working_hours", hpath, WorkingHours,
                                {"consultant": consultant, "weekday": h["weekday"]}, h, HOURS_FIELDS)
            for apath, a in self.items(data, "absences", path):
                if self.required(a, apath, "start_date", "end_date"):
                    self.upsert("absences", apath, Absence,
                                {"consultant": consultant, "start_date": a["start_date"],
                                 "start_time": a.get("start_time")}, a, ABSENCE_FIELDS)

    def consultant_record(self, path: str, data: dict) -> Any:
        reference = data["reference"]
        taken = self.taken_elsewhere(Consultant, reference, Q(home_site_id__in=self.allowed or ()))
        if taken:
            self.error(f"{path}.reference", self.unique_message(Consultant, reference))
        home = self.site(data["home_site"], f"{path}.home_site")
        types = self.codes(self._staff_types, data["staff_types"], f"{path}.staff_types", "faggruppe")
        served = [self.site(code, f"{path}.sites[{i}]") for i, code in enumerate(data.get("sites") or [])]
        ok = not taken and home is not FAILED and types is not None and FAILED not in served
        # A coordinator neither sees nor may drop the sites outside theirs that the consultant serves.
        kept = [] if self.allowed is None or not ok else list(
            Site.objects.filter(consultants__reference=reference).exclude(pk__in=self.allowed))
        consultant = self.upsert(
            "consultants", path, Consultant, {"reference": reference if not taken else FAILED}, data,
            CONSULTANT_FIELDS, extra={"home_site_id": home.pk if home is not FAILED else FAILED},
            m2m={"staff_types": types, "sites": [*(served or [home]), *kept]} if ok else None, check_only=not ok,
        )
        if consultant is FAILED or not ok:
            self._failed[Consultant].add(reference)
            return FAILED
        return consultant

    def company(self, ref: dict, path: str) -> Any:
        company = Company.objects.filter(name=ref["name"], postcode=ref["postcode"]).first()
        if company is None and ref["name"] in self._failed[Company]:
            return FAILED  # its own record in this file is reported already
        if company is None:
            self.error(path, _("Ukendt virksomhed: %(name)s, %(postcode)s") % {
                "name": str(ref["name"])[:80], "postcode": str(ref["postcode"])[:10]})
            return FAILED
        return company

    def citizens(self, doc: dict) -> None:
        for path, data in self.items(doc, "citizens", "$"):
            citizen: Any = FAILED
            if self.required(data, path, "reference", "site"):
                reference = data["reference"]
                taken = self.taken_elsewhere(Citizen, reference, Q(site_id__in=self.allowed or ()))
                if taken:
                    self.error(f"{path}.reference", self.unique_message(Citizen, reference))
                site = self.site(data["site"], f"{path}.site")
                citizen = self.upsert(
                    "citizens", path, Citizen, {"reference": reference if not taken else FAILED}, data,
                    CITIZEN_FIELDS, extra={"site_id": site.pk if site is not FAILED else FAILED})
                if citizen is FAILED:
                    self._failed[Citizen].add(reference)
            elif data.get("reference"):
                self._failed[Citizen].add(data["reference"])
            for upath, u in self.items(data, "unavailability", path):
                if self.required(u, upath, "weekday", "start_time", "end_time"):
                    self.upsert("citizen_unavailability", upath, CitizenUnavailability,
                                {"citizen": citizen, "weekday": u["weekday"], "start_time": u["start_time"]}, u,
                                WEEKLY_FIELDS)
            for epath, enrolment in self.items(data, "enrolments", path):
                self.enrolment(citizen, enrolment, epath)

    def enrolment(self, citizen: Any, data: dict, path: str) -> None:
        enrolment: Any = FAILED
        if self.required(data, path, "intervention_model", "target_group", "start_date"):
            model = self.by_code(self._models, data["intervention_model"], f"{path}.intervention_model",
                                 "indsatsmodel")
            group = self.by_code(self._target_groups, data["target_group"], f"{path}.target_group", "målgruppe")
            extra: dict[str, Any] = {"target_group_id": group.pk if group is not FAILED else FAILED}
            if data.get("current_phase") is not None and model is not FAILED:
                phase = Phase.objects.filter(model=model, order=data["current_phase"]).first()
                if phase is None:
                    self.error(f"{path}.current_phase", _("Indsatsmodellen har ingen fase nr. %(n)s.") % {
                        "n": data["current_phase"]})
                extra["current_phase_id"] = phase.pk if phase else FAILED
            elif "current_phase" in data and data["current_phase"] is None:
                extra["current_phase_id"] = None
            if data.get("contact_consultant") is not None:
                consultant = self.consultant(data["contact_consultant"], f"{path}.contact_consultant")
                extra["contact_consultant_id"] = consultant.pk if consultant is not FAILED else FAILED
            elif "contact_consultant" in data:
                extra["contact_consultant_id"] = None
            enrolment = self.upsert(
                "enrolments", path, Enrolment,
                {"citizen": citizen, "intervention_model": model, "start_date": data["start_date"]},
                data, ENROLMENT_FIELDS, extra=extra,
            )
        for ipath, internship in self.items(data, "internships", path):
            self.internship(enrolment, internship, ipath)
        for rpath, request in self.items(data, "requests", path):
            if self.required(request, rpath, "kind", "earliest", "due_by"):
                self.request(enrolment, request, rpath)

    def request(self, enrolment: Any, data: dict, path: str) -> None:
        """A coordinator's request (round table, §7a, step-up, extra talk …) of an enrolment of the file,
        so of the caller's sites; its company is any known company, as for internships."""
        extra: dict[str, Any] = {}
        if data.get("company") is not None:
            company = self.company(data["company"], f"{path}.company")
            extra["company_id"] = company.pk if company is not FAILED else FAILED
        elif "company" in data:
            extra["company_id"] = None
        codes = data.get("staff_types")
        if codes is None and enrolment is not FAILED and not ActivityRequest.objects.filter(
            enrolment=enrolment, kind=data["kind"], earliest=data["earliest"]
        ).exists():
            codes = REQUEST_STAFF.get(data["kind"])  # a new request needs the kind's staff; an update keeps its own
        types = self.codes(self._staff_types, codes, f"{path}.staff_types", "faggruppe") if codes else None
        self.upsert(
            "requests", path, ActivityRequest,
            {"enrolment": enrolment, "kind": data["kind"], "earliest": data["earliest"]}, data, REQUEST_FIELDS,
            extra=extra, m2m={"staff_types": types} if types is not None else None,
            check_only=codes is not None and types is None,
        )

    def travel_overrides(self, doc: dict) -> None:
        """Measured travel times. Every site named must be one of the caller's; a pair with no site
        would change no plan and is refused."""
        for path, data in self.items(doc, "travel_overrides", "$"):
            if not self.required(data, path, "from", "to", "minutes"):
                continue
            ends = [self.place(data[end], f"{path}.{end}") for end in ("from", "to")]
            if not any(isinstance(e, Site) for e in ends) and FAILED not in ends:
                self.error(f"{path}.from", _("Mindst den ene ende skal være et center."))
                ends = [FAILED, FAILED]
            keys = ends
            if FAILED not in ends:
                keys = sorted(e.location_key for e in ends)
                # The override holds both ways: a pair stored the other way round is the same record.
                if TravelTimeOverride.objects.filter(origin=keys[1], destination=keys[0]).exists():
                    keys.reverse()
            self.upsert("travel_overrides", path, TravelTimeOverride,
                        {"origin": keys[0], "destination": keys[1]}, data, TRAVEL_FIELDS)

    def place(self, data: dict, path: str) -> Any:
        if not isinstance(data, dict):
            return FAILED
        if "site" in data:
            return self.site(data["site"], f"{path}.site")
        if isinstance(data.get("company"), dict):
            return self.company(data["company"], f"{path}.company")
        return FAILED

    def internship(self, enrolment: Any, data: dict, path: str) -> None:
        internship: Any = FAILED
        if self.required(data, path, "company", "start_date"):
            company = self.company(data["company"], f"{path}.company")
            internship = self.upsert(
                "internships", path, Internship,
                {"enrolment": enrolment, "company": company, "start_date": data["start_date"]}, data,
                INTERNSHIP_FIELDS,
            )
        for spath, s in self.items(data, "steps", path):
            if self.required(s, spath, "start_date", "hours_per_week", "weekdays"):
                self.upsert("internship_steps", spath, InternshipStep,
                            {"internship": internship, "start_date": s["start_date"]}, s, STEP_FIELDS)

    def group_courses(self, doc: dict) -> None:
        for path, data in self.items(doc, "group_courses", "$"):
            course: Any = FAILED
            if self.required(data, path, "site", "name", "facilitator_staff_type"):
                course = self.group_course(path, data)
            for spath, s in self.items(data, "sessions", path):
                if self.required(s, spath, "weekday", "start_time", "duration_minutes"):
                    self.upsert("course_sessions", spath, CourseSession,
                                {"course": course, "weekday": s["weekday"], "start_time": s["start_time"]}, s,
                                SESSION_FIELDS)
            for mpath, m in self.items(data, "members", path):
                if not self.required(m, mpath, "citizen", "joined"):
                    continue
                citizen = Citizen.objects.filter(reference=m["citizen"]).first()
                if citizen is None or (self.allowed is not None and citizen.site_id not in self.allowed):
                    if m["citizen"] not in self._failed[Citizen]:
                        self.error(f"{mpath}.citizen", _("Ukendt borger: %(ref)s") % {"ref": m["citizen"][:80]})
                    citizen = FAILED
                self.upsert("course_memberships", mpath, CourseMembership, {"course": course, "citizen": citizen},
                            m, MEMBER_FIELDS)

    def group_course(self, path: str, data: dict) -> Any:
        site = self.site(data["site"], f"{path}.site")
        staff_type = self.by_code(self._staff_types, data["facilitator_staff_type"],
                                  f"{path}.facilitator_staff_type", "faggruppe")
        features = self.codes(self._features, data.get("room_features", []), f"{path}.room_features", "facilitet")
        extra: dict[str, Any] = {"facilitator_staff_type_id": staff_type.pk if staff_type is not FAILED else FAILED}
        if data.get("facilitator") is not None:
            facilitator = self.consultant(data["facilitator"], f"{path}.facilitator")
            extra["facilitator_id"] = facilitator.pk if facilitator is not FAILED else FAILED
        elif "facilitator" in data:
            extra["facilitator_id"] = None
        return self.upsert(
            "group_courses", path, GroupCourse, {"site": site, "name": data["name"]}, data, COURSE_FIELDS,
            extra=extra, m2m={"room_features": features} if "room_features" in data and features is not None else None,
            check_only=features is None,
        )


def centre_import(
    *, document: Any, allowed_site_ids: frozenset[int] | None = None, dry_run: bool = False
) -> ImportResult:
    """Import a centre document atomically (`allowed_site_ids`: the caller's sites, None = every site).
    Raises ImportFailed listing every bad record at every level; nothing is written then."""
    errors = _walk_errors(document)
    if errors:  # too deep or not JSON-like: not safe to hand to the schema validator
        raise ImportFailed(_sorted(errors))
    schema_errors, prunings = _schema_errors(document)
    if not isinstance(document, dict):
        raise ImportFailed(_sorted(schema_errors) or [("$", _("Dokumentet skal være et JSON-objekt."))])
    pruned = _copy(document)
    _prune(pruned, prunings)
    schema_errors += _duplicates(pruned)
    importer = _Importer(allowed_site_ids)
    try:
        with transaction.atomic():
            importer.intervention_models(pruned)
            importer.sites(pruned)
            importer.companies(pruned)
            importer.consultants(pruned)
            importer.citizens(pruned)
            importer.group_courses(pruned)
            importer.travel_overrides(pruned)
            if schema_errors or importer.errors:
                # A value refused by the schema was taken out; what the records say about it is no news.
                later = [e for e in importer.errors if not any(_under(e[0], p) for p, _m in schema_errors)]
                raise ImportFailed(_sorted(schema_errors + later))
            if dry_run:
                raise _DryRun
    except _DryRun:
        importer.result.dry_run = True
    return importer.result


def _iso(value: Any) -> Any:
    if value is None:
        return None
    if hasattr(value, "isoformat"):
        return value.isoformat(timespec="minutes") if hasattr(value, "hour") and not hasattr(value, "day") \
            else value.isoformat()
    return float(value) if value.__class__.__name__ == "Decimal" else value


def centre_export(*, site_ids: Iterable[int]) -> dict[str, Any]:
    """The same sites as an import document (round trip: export, import elsewhere, import again = no-op)."""
    sites = list(Site.objects.filter(pk__in=list(site_ids)).order_by("code").prefetch_related(
        "opening_hours", "rooms__features"))
    ids = [s.pk for s in sites]
    citizens = list(Citizen.objects.filter(site_id__in=ids).select_related("site").order_by("reference"))
    enrolments = defaultdict(list)
    for e in Enrolment.objects.filter(citizen__in=citizens).select_related(
            "intervention_model", "target_group", "current_phase", "contact_consultant").prefetch_related(
            "internships__company", "internships__steps").order_by("start_date", "pk"):
        enrolments[e.citizen_id].append(e)
    consultants = list(Consultant.objects.filter(home_site_id__in=ids).select_related("home_site").prefetch_related(
        "staff_types", "sites", "working_hours").order_by("reference"))
    company_ids = {i.company_id for es in enrolments.values() for e in es for i in e.internships.all()}
    courses = GroupCourse.objects.filter(site_id__in=ids).select_related(
        "site", "facilitator_staff_type", "facilitator").prefetch_related(
        "room_features", "sessions", "coursemembership_set__citizen").order_by("site__code", "name")

    def pick(obj: Any, names: Iterable[str]) -> dict[str, Any]:
        return {n: _iso(getattr(obj, n)) for n in sorted(names)}

    return {
        "format": FORMAT,
        "sites": [{
            **pick(s, SITE_FIELDS),
            "opening_hours": [pick(h, OPENING_FIELDS) for h in s.opening_hours.all()],
            "rooms": [{**pick(r, ROOM_FIELDS), "features": sorted(f.code for f in r.features.all())}
                      for r in s.rooms.all()],
        } for s in sites],
        "companies": [pick(c, COMPANY_FIELDS) for c in Company.objects.filter(pk__in=company_ids).order_by("pk")],
        "consultants": [{
            **pick(c, CONSULTANT_FIELDS), "home_site": c.home_site.code,
            "staff_types": sorted(t.code for t in c.staff_types.all()),
            "sites": sorted(s.code for s in c.sites.all() if s.pk in ids) or [c.home_site.code],
            "working_hours": [pick(h, HOURS_FIELDS) for h in c.working_hours.all()],
        } for c in consultants],
        "citizens": [{
            **pick(z, CITIZEN_FIELDS), "site": z.site.code,
            "enrolments": [{
                **pick(e, ENROLMENT_FIELDS), "intervention_model": e.intervention_model.name,
                "target_group": e.target_group.code,
                "current_phase": e.current_phase.order if e.current_phase else None,
                "contact_consultant": e.contact_consultant.reference if e.contact_consultant else None,
                "internships": [{
                    **pick(i, INTERNSHIP_FIELDS), "company": {"name": i.company.name, "postcode": i.company.postcode},
                    "steps": [pick(st, STEP_FIELDS) for st in i.steps.all()],
                } for i in e.internships.all()],
            } for e in enrolments[z.pk]],
        } for z in citizens],
        "group_courses": [{
            **pick(g, COURSE_FIELDS), "site": g.site.code, "facilitator_staff_type": g.facilitator_staff_type.code,
            "facilitator": g.facilitator.reference if g.facilitator else None,
            "room_features": sorted(f.code for f in g.room_features.all()),
            "sessions": [pick(s, SESSION_FIELDS) for s in g.sessions.all()],
            "members": [{"citizen": m.citizen.reference, **pick(m, MEMBER_FIELDS)}
                        for m in g.coursemembership_set.all()],
        } for g in courses],
    }
