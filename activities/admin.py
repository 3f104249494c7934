from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

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
    Outcome,
    Phase,
    StaffType,
    TargetGroup,
)
from activities.services import intervention_model_copy
from audit.admin import AuditedAdminMixin


@admin.register(StaffType)
class StaffTypeAdmin(admin.ModelAdmin):
    list_display = ["name", "code"]


@admin.register(TargetGroup)
class TargetGroupAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "min_weeks", "max_weeks"]


class PhaseInline(admin.TabularInline):
    model = Phase
    extra = 0
    fields = ["order", "name", "target_weeks", "optional"]
    show_change_link = True


class OutcomeInline(admin.TabularInline):
    model = Outcome
    extra = 0
    fields = ["order", "name", "successful"]


@admin.register(Outcome)
class OutcomeAdmin(admin.ModelAdmin):
    list_display = ["model", "order", "name", "successful"]
    list_filter = ["model", "successful"]


@admin.register(InterventionModel)
class InterventionModelAdmin(admin.ModelAdmin):
    list_display = ["name", "min_weeks", "max_weeks", "builtin"]
    filter_horizontal = ["target_groups"]
    inlines = [PhaseInline, OutcomeInline]
    actions = ["copy_models"]

    @admin.action(description=_("Kopiér valgte indsatsmodeller"))
    def copy_models(self, request, queryset) -> None:  # noqa: ANN001
        for model in queryset:
            copy = intervention_model_copy(model=model)
            self.message_user(request, _("Oprettede kopien “%(name)s”.") % {"name": copy.name})


class ActivityRuleForm(forms.ModelForm):
    class Meta:
        model = ActivityRule
        fields = [
            "phase", "kind", "description", "staff_types", "with_contact_consultant", "duration_minutes",
            "frequency_type", "frequency_value", "place", "room_features", "theme", "condition",
        ]

    def clean(self) -> dict:
        data = super().clean()
        if "staff_types" in self.fields and not data.get("staff_types"):
            self.add_error("staff_types", _("En aktivitetsregel skal have mindst én faggruppe."))
        return data


class ActivityRuleInline(admin.StackedInline):
    model = ActivityRule
    form = ActivityRuleForm
    extra = 0
    filter_horizontal = ["staff_types", "room_features"]


@admin.register(Phase)
class PhaseAdmin(admin.ModelAdmin):
    list_display = ["__str__", "target_weeks", "optional"]
    list_filter = ["model"]
    inlines = [ActivityRuleInline]


@admin.register(ActivityRule)
class ActivityRuleAdmin(admin.ModelAdmin):
    form = ActivityRuleForm
    list_display = ["kind", "phase", "frequency_type", "frequency_value", "duration_minutes", "place"]
    list_filter = ["kind", "phase__model"]
    filter_horizontal = ["staff_types", "room_features"]


class CourseSessionInline(admin.TabularInline):
    model = CourseSession
    extra = 0


class CourseMembershipInline(admin.TabularInline):
    model = CourseMembership
    extra = 0
    autocomplete_fields = ["citizen"]


@admin.register(GroupCourse)
class GroupCourseAdmin(AuditedAdminMixin, admin.ModelAdmin):
    audit_list_reads = False  # the list shows no citizen data
    list_display = ["name", "theme", "site", "start_date", "end_date", "min_participants", "max_participants"]
    list_filter = ["theme", "site"]
    filter_horizontal = ["room_features"]
    inlines = [CourseSessionInline, CourseMembershipInline]


@admin.register(CourseSession)
class CourseSessionAdmin(admin.ModelAdmin):
    list_display = ["course", "weekday", "start_time", "duration_minutes"]


@admin.register(CourseMembership)
class CourseMembershipAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["course", "citizen", "joined", "left"]
    autocomplete_fields = ["citizen"]


class EmployerAvailabilityInline(admin.TabularInline):
    model = EmployerAvailability
    extra = 0


@admin.register(Company)
class CompanyAdmin(admin.ModelAdmin):
    list_display = ["name", "city", "contact_name"]
    search_fields = ["name", "city"]
    inlines = [EmployerAvailabilityInline]


@admin.register(EmployerAvailability)
class EmployerAvailabilityAdmin(admin.ModelAdmin):
    list_display = ["company", "weekday", "start_time", "end_time"]


class InternshipStepInline(admin.TabularInline):
    model = InternshipStep
    extra = 0


@admin.register(Internship)
class InternshipAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["enrolment", "company", "kind", "start_date", "end_date"]
    list_filter = ["kind"]
    autocomplete_fields = ["company"]
    inlines = [InternshipStepInline]


@admin.register(InternshipStep)
class InternshipStepAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["internship", "start_date", "hours_per_week", "weekdays"]
