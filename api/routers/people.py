"""Staff types, consultants with working hours and absences, citizens and enrolments."""
from collections.abc import Callable
from datetime import date

from django.db.models import Q
from ninja import Router

from activities.models import StaffType
from api.crud import Resource, build_router
from api.schemas.factory import output_schema, schemas_for
from scheduler.models import Absence, Citizen, Consultant, Enrolment, WorkingHours


def consultant_sites(pk: int) -> set[int]:
    consultant = Consultant.objects.filter(pk=pk).first()
    if consultant is None:
        return set()
    return {consultant.home_site_id, *consultant.sites.values_list("pk", flat=True)}


def citizen_sites(pk: int) -> set[int]:
    return set(Citizen.objects.filter(pk=pk).values_list("site_id", flat=True))


def overlaps_week(start: str, end: str) -> Callable[[date, date], Q]:
    def q(monday: date, sunday: date) -> Q:
        return Q(**{f"{start}__lte": sunday}) & (Q(**{f"{end}__isnull": True}) | Q(**{f"{end}__gte": monday}))
    return q


STAFF_TYPE_FIELDS = ["code", "name"]
WORKING_HOURS_FIELDS = ["consultant", "weekday", "start_time", "end_time"]
CONSULTANT_FIELDS = [
    "reference", "name", "email", "phone", "user", "staff_types", "home_site", "sites", "hours_per_week",
    "max_caseload", "active",
]
ABSENCE_FIELDS = ["consultant", "start_date", "end_date", "start_time", "end_time", "reason"]
CITIZEN_FIELDS = [
    "reference", "first_name", "last_name", "phone", "email", "street", "postcode", "city", "latitude",
    "longitude", "site", "max_hours_per_day", "not_before", "not_after", "preferred_weekdays",
]
ENROLMENT_FIELDS = [
    "citizen", "intervention_model", "target_group", "referring_jobcentre", "start_date", "target_weeks",
    "end_date", "current_phase", "phase_started", "contact_consultant", "job_started", "status",
]

staff_in, staff_patch, staff_out = schemas_for(StaffType, STAFF_TYPE_FIELDS, "StaffType")
hours_in, hours_patch, hours_out = schemas_for(WorkingHours, WORKING_HOURS_FIELDS, "WorkingHours")
hours_nested = output_schema(WorkingHours, ["weekday", "start_time", "end_time"], "WorkingHoursNested")
consultant_in, consultant_patch, consultant_out = schemas_for(
    Consultant, CONSULTANT_FIELDS, "Consultant", read_only=("user",), out_extra={"working_hours": list[hours_nested]}
)
absence_in, absence_patch, absence_out = schemas_for(Absence, ABSENCE_FIELDS, "Absence")
citizen_in, citizen_patch, citizen_out = schemas_for(Citizen, CITIZEN_FIELDS, "Citizen")
enrolment_in, enrolment_patch, enrolment_out = schemas_for(Enrolment, ENROLMENT_FIELDS, "Enrolment")

STAFF_TYPES = Resource(
    model=StaffType, path="staff-types", out=staff_out, create_in=staff_in, patch_in=staff_patch,
    admin_only_writes=True, label="faggrupper / staff types",
)
CONSULTANTS = Resource(
    model=Consultant, path="consultants", out=consultant_out, create_in=consultant_in, patch_in=consultant_patch,
    site_lookups=("home_site", "sites"), site_refs={"home_site": lambda pk: {pk}, "sites": lambda pk: {pk}},
    prefetch_related=("staff_types", "sites", "working_hours"), label="konsulenter / consultants",
)
WORKING_HOURS = Resource(
    model=WorkingHours, path="working-hours", out=hours_out, create_in=hours_in, patch_in=hours_patch,
    site_lookups=("consultant__home_site", "consultant__sites"), site_refs={"consultant": consultant_sites},
    label="arbejdstider / working hours",
)
ABSENCES = Resource(
    model=Absence, path="absences", out=absence_out, create_in=absence_in, patch_in=absence_patch,
    site_lookups=("consultant__home_site", "consultant__sites"), site_refs={"consultant": consultant_sites},
    week_q=overlaps_week("start_date", "end_date"), label="fravær / absences",
)
CITIZENS = Resource(
    model=Citizen, path="citizens", out=citizen_out, create_in=citizen_in, patch_in=citizen_patch,
    site_lookups=("site",), site_refs={"site": lambda pk: {pk}}, label="borgere / citizens",
)
ENROLMENTS = Resource(
    model=Enrolment, path="enrolments", out=enrolment_out, create_in=enrolment_in, patch_in=enrolment_patch,
    site_lookups=("citizen__site",), site_refs={"citizen": citizen_sites, "contact_consultant": consultant_sites},
    week_q=overlaps_week("start_date", "end_date"), label="forløb / enrolments",
)

router = Router()
router.add_router("/staff-types", build_router(STAFF_TYPES, ["Medarbejdere / Staff"]))
router.add_router("/consultants", build_router(CONSULTANTS, ["Medarbejdere / Staff"]))
router.add_router("/working-hours", build_router(WORKING_HOURS, ["Medarbejdere / Staff"]))
router.add_router("/absences", build_router(ABSENCES, ["Medarbejdere / Staff"]))
router.add_router("/citizens", build_router(CITIZENS, ["Borgere / Citizens"]))
router.add_router("/enrolments", build_router(ENROLMENTS, ["Borgere / Citizens"]))
