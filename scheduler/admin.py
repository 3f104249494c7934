from django.contrib import admin

from audit.admin import AuditedAdminMixin
from scheduler.models import (
    Absence,
    ActivityRequest,
    Agreement,
    Appointment,
    Attendance,
    Booking,
    ChangeNotice,
    Citizen,
    CitizenUnavailability,
    Consultant,
    Coordinator,
    Enrolment,
    FeedInputChange,
    FeedToken,
    MeetingNote,
    Plan,
    PlanningWeights,
    PreferredTime,
    ProgressMeasurement,
    ProgressReport,
    ProgressScore,
    SolvePart,
    SolveRun,
    UnplacedTask,
    WorkingHours,
)


@admin.register(Coordinator)
class CoordinatorAdmin(admin.ModelAdmin):
    list_display = ["__str__"]
    filter_horizontal = ["sites"]


class WorkingHoursInline(admin.TabularInline):
    model = WorkingHours
    extra = 0


class PreferredTimeInline(admin.TabularInline):
    model = PreferredTime
    extra = 0


class AbsenceInline(admin.TabularInline):
    model = Absence
    extra = 0


@admin.register(Consultant)
class ConsultantAdmin(admin.ModelAdmin):
    list_display = ["name", "reference", "home_site", "hours_per_week", "max_caseload", "active"]
    list_filter = ["home_site", "staff_types", "active"]
    search_fields = ["name", "reference"]
    filter_horizontal = ["staff_types", "sites"]
    inlines = [WorkingHoursInline, PreferredTimeInline, AbsenceInline]


@admin.register(WorkingHours)
class WorkingHoursAdmin(admin.ModelAdmin):
    list_display = ["consultant", "weekday", "start_time", "end_time"]


@admin.register(PreferredTime)
class PreferredTimeAdmin(admin.ModelAdmin):
    list_display = ["consultant", "weekday", "start_time", "end_time"]


@admin.register(Absence)
class AbsenceAdmin(admin.ModelAdmin):
    list_display = ["consultant", "start_date", "end_date", "start_time", "end_time", "reason"]
    list_filter = ["reason"]


class CitizenUnavailabilityInline(admin.TabularInline):
    model = CitizenUnavailability
    extra = 0


@admin.register(Citizen)
class CitizenAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["reference", "first_name", "last_name", "site"]
    list_filter = ["site"]
    search_fields = ["reference", "first_name", "last_name"]
    inlines = [CitizenUnavailabilityInline]


@admin.register(CitizenUnavailability)
class CitizenUnavailabilityAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["citizen", "weekday", "start_time", "end_time"]


@admin.register(Enrolment)
class EnrolmentAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = [
        "citizen", "intervention_model", "target_group", "start_date", "current_phase", "contact_consultant", "status",
    ]
    list_filter = ["intervention_model", "target_group", "status"]
    autocomplete_fields = ["citizen", "contact_consultant"]


class ProgressScoreInline(admin.TabularInline):
    model = ProgressScore
    extra = 0


@admin.register(ProgressMeasurement)
class ProgressMeasurementAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["enrolment", "measured_on", "difficult_period", "recorded_by"]
    list_filter = ["difficult_period"]
    raw_id_fields = ["enrolment", "recorded_by"]
    inlines = [ProgressScoreInline]


@admin.register(ProgressScore)
class ProgressScoreAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["measurement", "indicator", "score"]
    raw_id_fields = ["measurement"]


@admin.register(ProgressReport)
class ProgressReportAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["enrolment", "version", "outcome_name", "created_at", "signed_off_at"]
    raw_id_fields = ["enrolment", "created_by", "signed_off_by"]
    exclude = ["pdf"]


@admin.register(ActivityRequest)
class ActivityRequestAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["enrolment", "kind", "earliest", "due_by", "status"]
    list_filter = ["kind", "status"]
    filter_horizontal = ["staff_types"]


class AppointmentInline(admin.TabularInline):
    model = Appointment
    extra = 0
    fields = ["kind", "start", "end", "site", "room", "status", "pinned", "sequence"]
    show_change_link = True


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = ["__str__", "week_start", "status", "version", "solver_status", "objective", "created_at"]
    list_filter = ["status"]
    filter_horizontal = ["sites"]


@admin.register(Appointment)
class AppointmentAdmin(AuditedAdminMixin, admin.ModelAdmin):
    audit_list_reads = False  # the list shows no citizen data
    list_display = ["kind", "start", "end", "site", "room", "status", "pinned", "sequence", "plan"]
    list_filter = ["kind", "status", "site"]
    filter_horizontal = ["consultants", "citizens"]
    raw_id_fields = ["plan"]


@admin.register(UnplacedTask)
class UnplacedTaskAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["kind", "reason", "due_by", "plan"]
    filter_horizontal = ["citizens"]


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows the system writes (runs, bookings, link hashes): visible to administrators, never edited by hand."""

    def has_add_permission(self, request) -> bool:  # noqa: ANN001
        return False

    def has_change_permission(self, request, obj=None) -> bool:  # noqa: ANN001
        return False


@admin.register(Attendance)
class AttendanceAdmin(AuditedAdminMixin, ReadOnlyAdmin):
    """Marked through the attendance page and the API (audited there); read-only here."""

    list_display = ["kind", "start", "status", "citizen", "marked_at"]
    list_filter = ["status", "kind"]


@admin.register(Agreement)
class AgreementAdmin(AuditedAdminMixin, ReadOnlyAdmin):
    list_display = ["enrolment", "kind", "responsible", "made_on", "due_by"]
    list_filter = ["kind", "responsible"]


@admin.register(MeetingNote)
class MeetingNoteAdmin(AuditedAdminMixin, ReadOnlyAdmin):
    list_display = ["enrolment", "kind", "held_on", "retention_step"]


@admin.register(SolveRun)
class SolveRunAdmin(ReadOnlyAdmin):
    list_display = ["id", "week_start", "status", "progress", "objective", "gap", "elapsed_seconds", "created_at"]
    list_filter = ["status"]


@admin.register(SolvePart)
class SolvePartAdmin(ReadOnlyAdmin):
    list_display = ["run", "index", "status", "task_count", "progress", "objective", "elapsed_seconds"]
    list_filter = ["status"]
    exclude = ["problem", "solution"]  # large JSON; citizens appear only as ids, but nobody needs to read it


@admin.register(Booking)
class BookingAdmin(ReadOnlyAdmin):
    list_display = ["plan", "resource_kind", "resource_id", "slot_start"]
    list_filter = ["resource_kind"]


@admin.register(FeedToken)
class FeedTokenAdmin(AuditedAdminMixin, ReadOnlyAdmin):
    # The hash is no secret but is of no use to a person either: leave it out of every screen.
    list_display = ["kind", "consultant", "citizen", "room", "site", "group_course", "created_at", "expires_at",
                    "revoked_at"]
    list_filter = ["kind"]
    exclude = ["token_hash"]


@admin.register(PlanningWeights)
class PlanningWeightsAdmin(admin.ModelAdmin):
    """One row: added once (or left out, and the defaults apply), changed, never deleted."""

    list_display = ["__str__", "unplaced", "not_contact_consultant", "load_balance", "citizen_trip", "citizen_gap",
                    "moved_from_published", "preference", "caseload", "updated_at"]

    def has_add_permission(self, request) -> bool:  # noqa: ANN001
        return super().has_add_permission(request) and not PlanningWeights.objects.exists()

    def has_delete_permission(self, request, obj=None) -> bool:  # noqa: ANN001
        return False


@admin.register(FeedInputChange)
class FeedInputChangeAdmin(admin.ModelAdmin):
    """Read only: one row per change of what calendar feeds show (scheduler.data_epoch)."""

    list_display = ["pk", "at"]

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(ChangeNotice)
class ChangeNoticeAdmin(AuditedAdminMixin, admin.ModelAdmin):
    """Read only: the change e-mails sent, one per person and version."""

    list_display = ["plan", "consultant", "citizen", "sent_at"]
    list_select_related = ["plan", "consultant", "citizen"]

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False
