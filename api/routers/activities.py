"""Intervention models (with phases and rules), group courses and memberships, companies, internships."""
from django.db.models import Model
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Path, Router, Schema, Status
from pydantic import Field

from activities.models import (
    ActivityRule,
    Company,
    CourseMembership,
    CourseSession,
    GroupCourse,
    Internship,
    InternshipStep,
    InterventionModel,
    Outcome,
    Phase,
)
from activities.services import intervention_model_copy
from api.auth import planner_scope
from api.crud import MAX_ID, Resource, _get, build_router
from api.errors import ERRORS, ApiError
from api.routers.people import citizen_sites, consultant_sites, overlaps_week
from api.schemas.factory import output_schema, schemas_for
from scheduler.models import Enrolment


def course_sites(pk: int) -> set[int]:
    return set(GroupCourse.objects.filter(pk=pk).values_list("site_id", flat=True))


def enrolment_sites(pk: int) -> set[int]:
    return set(Enrolment.objects.filter(pk=pk).values_list("citizen__site_id", flat=True))


def internship_sites(pk: int) -> set[int]:
    return set(Internship.objects.filter(pk=pk).values_list("enrolment__citizen__site_id", flat=True))


def _model_of(instance: Model) -> InterventionModel | None:
    if isinstance(instance, InterventionModel):
        return instance if instance.pk else None
    if isinstance(instance, Phase):
        return InterventionModel.objects.filter(pk=instance.model_id).first()
    if isinstance(instance, ActivityRule):
        return InterventionModel.objects.filter(phases__pk=instance.phase_id).first()
    return None


def refuse_builtin(instance: Model, deleting: bool) -> None:
    """Built-in models ship with the product; coordinators copy them to adapt them."""
    model = _model_of(instance)
    if model is not None and model.builtin and InterventionModel.objects.filter(pk=model.pk, builtin=True).exists():
        raise ApiError(409, _("Indbyggede indsatsmodeller kan ikke ændres. Kopiér modellen for at tilpasse den."),
                       code="builtin_model")


RULE_FIELDS = [
    "phase", "kind", "description", "staff_types", "with_contact_consultant", "duration_minutes",
    "frequency_type", "frequency_value", "place", "room_features", "theme", "condition",
]
PHASE_FIELDS = ["model", "order", "name", "description", "target_weeks", "goals", "optional"]
MODEL_FIELDS = ["name", "description", "builtin", "copied_from", "target_groups", "min_weeks", "max_weeks", "outcomes"]
COURSE_FIELDS = [
    "name", "theme", "site", "facilitator_staff_type", "facilitator", "min_participants", "max_participants",
    "start_date", "end_date", "room_features",
]
SESSION_FIELDS = ["course", "weekday", "start_time", "duration_minutes"]
MEMBERSHIP_FIELDS = ["course", "citizen", "joined", "left"]
COMPANY_FIELDS = [
    "name", "cvr", "street", "postcode", "city", "latitude", "longitude", "contact_name", "contact_phone",
    "contact_email",
]
INTERNSHIP_FIELDS = ["enrolment", "company", "kind", "start_date", "end_date", "contact_name", "contact_phone", "tasks"]
STEP_FIELDS = ["internship", "start_date", "hours_per_week", "weekdays", "daily_start"]

rule_in, rule_patch, rule_out = schemas_for(ActivityRule, RULE_FIELDS, "ActivityRule")
phase_nested = output_schema(
    Phase, PHASE_FIELDS, "PhaseNested", {"rules": list[rule_out]}
)
phase_in, phase_patch, phase_out = schemas_for(Phase, PHASE_FIELDS, "Phase", out_extra={"rules": list[rule_out]})
outcome_nested = output_schema(Outcome, ["order", "name", "successful"], "OutcomeNested")
model_in, model_patch, model_out = schemas_for(
    InterventionModel, MODEL_FIELDS, "InterventionModel", read_only=("builtin", "copied_from"),
    out_extra={"phases": list[phase_nested], "outcome_choices": list[outcome_nested]},
)
session_nested = output_schema(CourseSession, ["weekday", "start_time", "duration_minutes"], "CourseSessionNested")
course_in, course_patch, course_out = schemas_for(
    GroupCourse, COURSE_FIELDS, "GroupCourse", out_extra={"sessions": list[session_nested]}
)
session_in, session_patch, session_out = schemas_for(CourseSession, SESSION_FIELDS, "CourseSession")
member_in, member_patch, member_out = schemas_for(CourseMembership, MEMBERSHIP_FIELDS, "CourseMembership")
company_in, company_patch, company_out = schemas_for(Company, COMPANY_FIELDS, "Company")
step_in, step_patch, step_out = schemas_for(InternshipStep, STEP_FIELDS, "InternshipStep")
step_nested = output_schema(InternshipStep, ["start_date", "hours_per_week", "weekdays", "daily_start"], "StepNested")
internship_in, internship_patch, internship_out = schemas_for(
    Internship, INTERNSHIP_FIELDS, "Internship", out_extra={"steps": list[step_nested]}
)

MODELS = Resource(
    model=InterventionModel, path="intervention-models", out=model_out, create_in=model_in, patch_in=model_patch,
    prefetch_related=("target_groups", "phases__rules__staff_types", "phases__rules__room_features",
                      "outcome_choices"),
    before_write=refuse_builtin, label="indsatsmodeller / intervention models",
)
PHASES = Resource(
    model=Phase, path="phases", out=phase_out, create_in=phase_in, patch_in=phase_patch,
    prefetch_related=("rules__staff_types", "rules__room_features"), before_write=refuse_builtin,
    label="faser / phases",
)
RULES = Resource(
    model=ActivityRule, path="activity-rules", out=rule_out, create_in=rule_in, patch_in=rule_patch,
    prefetch_related=("staff_types", "room_features"), before_write=refuse_builtin,
    label="aktivitetsregler / activity rules",
)
COURSES = Resource(
    model=GroupCourse, path="group-courses", out=course_out, create_in=course_in, patch_in=course_patch,
    site_lookups=("site",), site_refs={"site": lambda pk: {pk}, "facilitator": consultant_sites},
    prefetch_related=("room_features", "sessions"), week_q=overlaps_week("start_date", "end_date"),
    label="holdforløb / group courses",
)
SESSIONS = Resource(
    model=CourseSession, path="course-sessions", out=session_out, create_in=session_in, patch_in=session_patch,
    site_lookups=("course__site",), site_refs={"course": course_sites}, label="holdgange / course sessions",
)
MEMBERSHIPS = Resource(
    model=CourseMembership, path="course-memberships", out=member_out, create_in=member_in, patch_in=member_patch,
    site_lookups=("course__site",), site_refs={"course": course_sites, "citizen": citizen_sites},
    week_q=overlaps_week("joined", "left"), label="holddeltagelser / memberships",
)
COMPANIES = Resource(
    model=Company, path="companies", out=company_out, create_in=company_in, patch_in=company_patch,
    label="virksomheder / companies",
)
INTERNSHIPS = Resource(
    model=Internship, path="internships", out=internship_out, create_in=internship_in,
    patch_in=internship_patch, site_lookups=("enrolment__citizen__site",), site_refs={"enrolment": enrolment_sites},
    prefetch_related=("steps",), week_q=overlaps_week("start_date", "end_date"), label="praktikker / internships",
)
STEPS = Resource(
    model=InternshipStep, path="internship-steps", out=step_out, create_in=step_in, patch_in=step_patch,
    site_lookups=("internship__enrolment__citizen__site",), site_refs={"internship": internship_sites},
    label="trappetrin / internship steps",
)


class CopyIn(Schema):
    name: str | None = Field(None, max_length=160, description="Navn på kopien / name of the copy")


copy_router = Router(tags=["Indsatsmodeller / Intervention models"])


@copy_router.post(
    "/{model_id}/copy", response={201: model_out, **ERRORS}, operation_id="intervention_models_copy",
    summary="Kopiér en indsatsmodel / copy an intervention model",
)
def copy_model(request: HttpRequest, payload: CopyIn, model_id: int = Path(..., ge=1, le=MAX_ID)) -> Status:
    scope = planner_scope(request)
    source = _get(MODELS, scope, model_id)
    copy = intervention_model_copy(model=source, name=(payload.name or "").strip() or None)
    return Status(201, _get(MODELS, scope, copy.pk))


router = Router()
models_router = build_router(MODELS, ["Indsatsmodeller / Intervention models"])
models_router.add_router("", copy_router)
router.add_router("/intervention-models", models_router)
router.add_router("/phases", build_router(PHASES, ["Indsatsmodeller / Intervention models"]))
router.add_router("/activity-rules", build_router(RULES, ["Indsatsmodeller / Intervention models"]))
router.add_router("/group-courses", build_router(COURSES, ["Holdforløb / Group courses"]))
router.add_router("/course-sessions", build_router(SESSIONS, ["Holdforløb / Group courses"]))
router.add_router("/course-memberships", build_router(MEMBERSHIPS, ["Holdforløb / Group courses"]))
router.add_router("/companies", build_router(COMPANIES, ["Virksomheder og praktik / Companies and internships"]))
router.add_router("/internships", build_router(INTERNSHIPS, ["Virksomheder og praktik / Companies and internships"]))
router.add_router("/internship-steps", build_router(STEPS, ["Virksomheder og praktik / Companies and internships"]))
