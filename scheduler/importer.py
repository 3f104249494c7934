"""Load or update a whole centre from one JSON document (docs/import-format.md, docs/import-schema.json).

Records are keyed by natural references (site code, room name per site, consultant reference, citizen
reference, company name + postcode, ...), so importing the same file twice changes nothing. Everything
happens in one transaction: if any record is bad, every bad record is reported with its JSON path and a
Danish reason, and nothing is written. Fields left out of a record keep their stored value; records left
out of the file are left alone.
"""
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models, transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from activities.models import (
    Company,
    CourseMembership,
    CourseSession,
    GroupCourse,
    Internship,
    InternshipStep,
    InterventionModel,
    Phase,
    StaffType,
    TargetGroup,
)
from rooms.models import OpeningHours, Room, RoomFeature, Site
from scheduler.errors import DomainError
from scheduler.models import Citizen, Consultant, Enrolment, WorkingHours

FORMAT = "ugeskema-centre/1"

SITE_FIELDS = {"code", "name", "street", "postcode", "city", "latitude", "longitude", "phone", "feed_privacy"}
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


class ImportFailed(DomainError):
    code = "import_failed"

    def __init__(self, errors: list[tuple[str, str]]) -> None:
        super().__init__(_("Importen er afvist: %(n)s fejl. Intet er gemt.") % {"n": len(errors)})
        self.errors = errors


class _DryRun(Exception):
    pass


@dataclass
class ImportResult:
    created: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    updated: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    unchanged: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    dry_run: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {"created": dict(self.created), "updated": dict(self.updated), "unchanged": dict(self.unchanged),
                "dry_run": self.dry_run}


class _Importer:
    def __init__(self, allowed_site_ids: frozenset[int] | None) -> None:
        self.allowed = allowed_site_ids
        self.errors: list[tuple[str, str]] = []
        self.result = ImportResult()
        self._features = {f.code: f for f in RoomFeature.objects.all()}
        self._staff_types = {s.code: s for s in StaffType.objects.all()}
        self._target_groups = {t.code: t for t in TargetGroup.objects.all()}
        self._models = {m.name: m for m in InterventionModel.objects.all()}

    # -- helpers --------------------------------------------------------------------------------

    def error(self, path: str, message: str) -> None:
        self.errors.append((path, str(message)))

    def record(self, value: Any, path: str, allowed: set[str], nested: Iterable[str] = ()) -> dict | None:
        if not isinstance(value, dict):
            self.error(path, _("Skal være et objekt."))
            return None
        unknown = sorted(set(value) - allowed - set(nested))
        for key in unknown:
            self.error(f"{path}.{key}", _("Ukendt felt."))
        return value

    def items(self, parent: dict, key: str, path: str) -> list[tuple[str, Any]]:
        value = parent.get(key, [])
        if not isinstance(value, list):
            self.error(f"{path}.{key}", _("Skal være en liste."))
            return []
        return [(f"{path}.{key}[{i}]", item) for i, item in enumerate(value)]

    def required(self, data: dict, path: str, *keys: str) -> bool:
        ok = True
        for key in keys:
            if data.get(key) in (None, ""):
                self.error(f"{path}.{key}", _("Feltet skal udfyldes."))
                ok = False
        return ok

    def by_code(self, table: dict[str, Any], code: Any, path: str, label: str) -> Any:
        if not isinstance(code, str) or code not in table:
            self.error(path, _("Ukendt %(label)s: %(code)s") % {"label": label, "code": str(code)[:80]})
            return None
        return table[code]

    def codes(self, table: dict[str, Any], codes: Any, path: str, label: str) -> list[Any] | None:
        if not isinstance(codes, list):
            self.error(path, _("Skal være en liste."))
            return None
        found = [self.by_code(table, code, f"{path}[{i}]", label) for i, code in enumerate(codes)]
        return None if any(f is None for f in found) else found

    @staticmethod
    def unique_message(model: type[Citizen] | type[Consultant], reference: str) -> str:
        return " ".join(model(reference=reference).unique_error_message(model, ("reference",)).messages)

    def site(self, code: Any, path: str) -> Site | None:
        site = Site.objects.filter(code=code).first() if isinstance(code, str) else None
        if site is None or (self.allowed is not None and site.pk not in self.allowed):
            self.error(path, _("Ukendt center: %(code)s") % {"code": str(code)[:80]})
            return None
        return site

    def upsert(
        self, kind: str, path: str, model: type[models.Model], lookup: dict[str, Any], data: dict[str, Any],
        plain: set[str], extra: dict[str, Any] | None = None, m2m: dict[str, list[Any]] | None = None,
    ) -> models.Model | None:
        """Create or update one row from its natural key; save only when something differs."""
        clean_lookup: dict[str, Any] = {}
        for key, raw in lookup.items():
            if isinstance(raw, models.Model):
                clean_lookup[key] = raw
                continue
            try:
                clean_lookup[key] = model._meta.get_field(key).to_python(raw)
            except ValidationError as error:
                self.error(f"{path}.{key}", " ".join(error.messages))
                return None
            if isinstance(raw, dict | list):
                self.error(f"{path}.{key}", _("Skal være en enkelt værdi."))
                return None
        lookup = clean_lookup
        instance = model._default_manager.filter(**lookup).first()
        creating = instance is None
        if creating:
            instance = model(**lookup)
        changed = creating
        bad = False
        values = {key: data[key] for key in plain if key in data and key not in lookup}
        values.update(extra or {})
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
        if bad:
            return None
        try:
            instance.full_clean()
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                where = path if name == "__all__" else f"{path}.{name.removesuffix('_id')}"
                for message in messages:
                    self.error(where, message)
            return None
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

    # -- records --------------------------------------------------------------------------------

    def sites(self, doc: dict) -> None:
        for path, raw in self.items(doc, "sites", "$"):
            data = self.record(raw, path, SITE_FIELDS, ("opening_hours", "rooms"))
            if data is None or not self.required(data, path, "code"):
                continue
            existing = Site.objects.filter(code=data["code"]).first()
            if self.allowed is not None and (existing is None or existing.pk not in self.allowed):
                self.error(f"{path}.code", _("Du kan kun opdatere de centre, du planlægger."))
                continue
            site = self.upsert("sites", path, Site, {"code": data["code"]}, data, SITE_FIELDS)
            if site is None:
                continue
            for hpath, hours in self.items(data, "opening_hours", path):
                h = self.record(hours, hpath, OPENING_FIELDS)
                if h is not None and self.required(h, hpath, "weekday", "opens", "closes"):
                    self.upsert("opening_hours", hpath, OpeningHours, {"site": site, "weekday": h["weekday"]}, h,
                                OPENING_FIELDS)
            for rpath, room in self.items(data, "rooms", path):
                r = self.record(room, rpath, ROOM_FIELDS, ("features",))
                if r is None or not self.required(r, rpath, "name", "capacity"):
                    continue
                features = self.codes(self._features, r.get("features", []), f"{rpath}.features", "facilitet")
                if features is not None:
                    self.upsert("rooms", rpath, Room, {"site": site, "name": r["name"]}, r, ROOM_FIELDS,
                                m2m={"features": features} if "features" in r else None)

    def companies(self, doc: dict) -> None:
        for path, raw in self.items(doc, "companies", "$"):
            data = self.record(raw, path, COMPANY_FIELDS)
            if data is not None and self.required(data, path, "name", "postcode"):
                self.upsert("companies", path, Company, {"name": data["name"], "postcode": str(data["postcode"])},
                            data, COMPANY_FIELDS)

    def consultants(self, doc: dict) -> None:
        for path, raw in self.items(doc, "consultants", "$"):
            data = self.record(raw, path, CONSULTANT_FIELDS, ("staff_types", "home_site", "sites", "working_hours"))
            if data is None or not self.required(data, path, "reference", "home_site", "staff_types"):
                continue
            taken = self.taken_elsewhere(Consultant, data["reference"], Q(home_site_id__in=self.allowed or ()))
            if taken:
                self.error(f"{path}.reference", self.unique_message(Consultant, data["reference"]))
            home = self.site(data["home_site"], f"{path}.home_site")
            types = self.codes(self._staff_types, data["staff_types"], f"{path}.staff_types", "faggruppe")
            served = [self.site(code, f"{path}.sites[{i}]") for i, code in enumerate(data.get("sites") or [])]
            if taken or home is None or types is None or any(s is None for s in served):
                continue
            # A coordinator neither sees nor may drop the sites outside theirs that the consultant serves.
            kept = [] if self.allowed is None else list(
                Site.objects.filter(consultants__reference=data["reference"]).exclude(pk__in=self.allowed))
            consultant = self.upsert(
                "consultants", path, Consultant, {"reference": data["reference"]}, data, CONSULTANT_FIELDS,
                extra={"home_site_id": home.pk}, m2m={"staff_types": types, "sites": [*(served or [home]), *kept]},
            )
            if consultant is None:
                continue
            for hpath, hours in self.items(data, "working_hours", path):
                h = self.record(hours, hpath, HOURS_FIELDS)
                if h is not None and self.required(h, hpath, "weekday", "start_time", "end_time"):
                    self.upsert("working_hours", hpath, WorkingHours,
                                {"consultant": consultant, "weekday": h["weekday"]}, h, HOURS_FIELDS)

    def company(self, ref: Any, path: str) -> Company | None:
        if not isinstance(ref, dict) or not ref.get("name") or not ref.get("postcode"):
            self.error(path, _("Angiv virksomheden som {\"name\": ..., \"postcode\": ...}."))
            return None
        company = Company.objects.filter(name=ref["name"], postcode=str(ref["postcode"])).first()
        if company is None:
            self.error(path, _("Ukendt virksomhed: %(name)s, %(postcode)s") % {
                "name": str(ref["name"])[:80], "postcode": str(ref["postcode"])[:10]})
        return company

    def visible_consultants(self) -> QuerySet[Consultant]:
        """Consultants the caller may point at: those whose home or served sites include one of theirs
        (the API's scope for consultants). Whether one may work at a given site is the model's rule."""
        if self.allowed is None:
            return Consultant.objects.all()
        sites = list(self.allowed)
        return Consultant.objects.filter(Q(home_site_id__in=sites) | Q(sites__in=sites)).distinct()

    def consultant(self, ref: Any, path: str) -> Consultant | None:
        """A consultant referenced by a record (facilitator, contact consultant). One outside the caller's
        sites gets the same answer as one that does not exist."""
        consultant = self.visible_consultants().filter(reference=ref).first() if isinstance(ref, str) else None
        if consultant is None:
            self.error(path, _("Ukendt konsulent: %(ref)s") % {"ref": str(ref)[:80]})
        return consultant

    def taken_elsewhere(self, model: type[Citizen] | type[Consultant], reference: Any, owned: Q) -> bool:
        """True (and the error reported) when a record's own reference already belongs to a row outside
        the caller's sites. References are unique across the whole system, so such a row can be neither
        updated (that would take it over) nor created again: the answer is the model's own "already
        exists" message, the one the API and the forms give for a taken reference, and names no site."""
        if self.allowed is None or not isinstance(reference, str):
            return False
        existing = model._default_manager.filter(reference=reference)
        if not existing.exists() or existing.filter(owned).exists():
            return False
        return True

    def citizens(self, doc: dict) -> None:
        for path, raw in self.items(doc, "citizens", "$"):
            data = self.record(raw, path, CITIZEN_FIELDS, ("site", "enrolments"))
            if data is None or not self.required(data, path, "reference", "site"):
                continue
            taken = self.taken_elsewhere(Citizen, data["reference"], Q(site_id__in=self.allowed or ()))
            if taken:
                self.error(f"{path}.reference", self.unique_message(Citizen, data["reference"]))
            site = self.site(data["site"], f"{path}.site")
            if taken or site is None:
                continue
            citizen = self.upsert("citizens", path, Citizen, {"reference": data["reference"]}, data, CITIZEN_FIELDS,
                                  extra={"site_id": site.pk})
            if citizen is not None:
                for epath, enrolment in self.items(data, "enrolments", path):
                    self.enrolment(citizen, enrolment, epath)

    def enrolment(self, citizen: Citizen, raw: Any, path: str) -> None:
        nested = ("intervention_model", "target_group", "current_phase", "contact_consultant", "internships")
        data = self.record(raw, path, ENROLMENT_FIELDS, nested)
        if data is None or not self.required(data, path, "intervention_model", "target_group", "start_date"):
            return
        model = self.by_code(self._models, data["intervention_model"], f"{path}.intervention_model", "indsatsmodel")
        group = self.by_code(self._target_groups, data["target_group"], f"{path}.target_group", "målgruppe")
        # Check every reference before giving up, so one run lists all of this record's errors.
        start = None
        try:
            start = Enrolment._meta.get_field("start_date").to_python(data["start_date"])
        except ValidationError as error:
            self.error(f"{path}.start_date", " ".join(error.messages))
        if model is None or group is None:
            return
        ok = True
        extra: dict[str, Any] = {"target_group_id": group.pk}
        if data.get("current_phase") is not None:
            phase = Phase.objects.filter(model=model, order=data["current_phase"]).first()
            if phase is None:
                self.error(f"{path}.current_phase", _("Indsatsmodellen har ingen fase nr. %(n)s.") % {
                    "n": str(data["current_phase"])[:10]})
                ok = False
            else:
                extra["current_phase_id"] = phase.pk
        if data.get("contact_consultant") is not None:
            consultant = self.consultant(data["contact_consultant"], f"{path}.contact_consultant")
            if consultant is None:
                ok = False
            else:
                extra["contact_consultant_id"] = consultant.pk
        if start is None or not ok:
            return
        enrolment = self.upsert(
            "enrolments", path, Enrolment, {"citizen": citizen, "intervention_model": model, "start_date": start},
            data, ENROLMENT_FIELDS, extra=extra,
        )
        if enrolment is None:
            return
        for ipath, raw_internship in self.items(data, "internships", path):
            self.internship(enrolment, raw_internship, ipath)

    def internship(self, enrolment: Enrolment, raw: Any, path: str) -> None:
        data = self.record(raw, path, INTERNSHIP_FIELDS, ("company", "steps"))
        if data is None or not self.required(data, path, "company", "start_date"):
            return
        company = self.company(data["company"], f"{path}.company")
        if company is None:
            return
        try:
            start = Internship._meta.get_field("start_date").to_python(data["start_date"])
        except ValidationError as error:
            self.error(f"{path}.start_date", " ".join(error.messages))
            return
        internship = self.upsert(
            "internships", path, Internship, {"enrolment": enrolment, "company": company, "start_date": start},
            data, INTERNSHIP_FIELDS,
        )
        if internship is None:
            return
        for spath, step in self.items(data, "steps", path):
            s = self.record(step, spath, STEP_FIELDS)
            if s is None or not self.required(s, spath, "start_date", "hours_per_week", "weekdays"):
                continue
            try:
                step_start = InternshipStep._meta.get_field("start_date").to_python(s["start_date"])
            except ValidationError as error:
                self.error(f"{spath}.start_date", " ".join(error.messages))
                continue
            self.upsert("internship_steps", spath, InternshipStep,
                        {"internship": internship, "start_date": step_start}, s, STEP_FIELDS)

    def group_courses(self, doc: dict) -> None:
        for path, raw in self.items(doc, "group_courses", "$"):
            nested = ("site", "facilitator_staff_type", "facilitator", "room_features", "sessions", "members")
            data = self.record(raw, path, COURSE_FIELDS, nested)
            if data is None or not self.required(data, path, "site", "name", "facilitator_staff_type"):
                continue
            site = self.site(data["site"], f"{path}.site")
            staff_type = self.by_code(self._staff_types, data["facilitator_staff_type"],
                                      f"{path}.facilitator_staff_type", "faggruppe")
            features = self.codes(self._features, data.get("room_features", []), f"{path}.room_features", "facilitet")
            facilitator = None
            if data.get("facilitator") is not None:
                facilitator = self.consultant(data["facilitator"], f"{path}.facilitator")
                if facilitator is None:
                    continue
            if site is None or staff_type is None or features is None:
                continue
            extra = {"facilitator_staff_type_id": staff_type.pk}
            if "facilitator" in data:
                extra["facilitator_id"] = facilitator.pk if facilitator else None
            course = self.upsert(
                "group_courses", path, GroupCourse, {"site": site, "name": data["name"]}, data, COURSE_FIELDS,
                extra=extra, m2m={"room_features": features} if "room_features" in data else None,
            )
            if course is None:
                continue
            for spath, session in self.items(data, "sessions", path):
                s = self.record(session, spath, SESSION_FIELDS)
                if s is None or not self.required(s, spath, "weekday", "start_time", "duration_minutes"):
                    continue
                try:
                    start_time = CourseSession._meta.get_field("start_time").to_python(s["start_time"])
                except ValidationError as error:
                    self.error(f"{spath}.start_time", " ".join(error.messages))
                    continue
                self.upsert("course_sessions", spath, CourseSession,
                            {"course": course, "weekday": s["weekday"], "start_time": start_time}, s, SESSION_FIELDS)
            for mpath, member in self.items(data, "members", path):
                m = self.record(member, mpath, MEMBER_FIELDS, ("citizen",))
                if m is None or not self.required(m, mpath, "citizen", "joined"):
                    continue
                citizen = Citizen.objects.filter(reference=m["citizen"]).first() if isinstance(m["citizen"], str) \
                    else None
                if citizen is None or (self.allowed is not None and citizen.site_id not in self.allowed):
                    self.error(f"{mpath}.citizen", _("Ukendt borger: %(ref)s") % {"ref": str(m["citizen"])[:80]})
                    continue
                self.upsert("course_memberships", mpath, CourseMembership, {"course": course, "citizen": citizen},
                            m, MEMBER_FIELDS)


def centre_import(
    *, document: Any, allowed_site_ids: frozenset[int] | None = None, dry_run: bool = False
) -> ImportResult:
    """Import a centre document atomically. Raises ImportFailed listing every bad record."""
    if not isinstance(document, dict):
        raise ImportFailed([("$", _("Dokumentet skal være et JSON-objekt."))])
    importer = _Importer(allowed_site_ids)
    if document.get("format") != FORMAT:
        importer.error("$.format", _("Angiv formatet \"%(format)s\".") % {"format": FORMAT})
    known = {"format", "sites", "companies", "consultants", "citizens", "group_courses"}
    for key in sorted(set(document) - known):
        importer.error(f"$.{key}", _("Ukendt felt."))
    try:
        with transaction.atomic():
            importer.sites(document)
            importer.companies(document)
            importer.consultants(document)
            importer.citizens(document)
            importer.group_courses(document)
            if importer.errors:
                raise ImportFailed(importer.errors)
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
