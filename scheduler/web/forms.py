"""Forms of the coordinator UI. ModelForms run model.full_clean(), so the models' Danish messages show.

Every form that points at other objects takes `site_ids` and offers only objects of those sites.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date, time, timedelta
from typing import Any

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from activities.models import (
    ActivityKind,
    CourseMembership,
    CourseSession,
    EmployerAvailability,
    GroupCourse,
    Internship,
    InternshipStep,
)
from rooms.models import ClosedDay, Room, Site, Weekday
from scheduler.models import (
    INDICATORS,
    Absence,
    ActivityRequest,
    CancelReason,
    Citizen,
    Consultant,
    Enrolment,
    ProgressGroup,
    WorkingHours,
)
from scheduler.models.progress import SCORE_MAX, SCORE_MIN
from scheduler.weeks import iso_week_label, parse_iso_week, planning_window, week_title

WEEKDAYS = [(d.value, d.label.capitalize()) for d in list(Weekday)[:5]]
QUARTERS = [(f"{h:02d}:{m:02d}", f"{h:02d}:{m:02d}") for h in range(8, 16) for m in (0, 15, 30, 45)]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%H:%M", **kwargs)


def _weekday_field(label: str, required: bool) -> forms.TypedMultipleChoiceField:
    return forms.TypedMultipleChoiceField(
        label=label, choices=WEEKDAYS, coerce=int, required=required, widget=forms.CheckboxSelectMultiple
    )


class WeekPickerForm(forms.Form):
    site = forms.ModelChoiceField(label=_("Center"), queryset=Site.objects.none(), to_field_name="code",
                                  empty_label=None)
    # A list of Danish week names ("Uge 50 · 07.12.–11.12.2026"): the browser's own week field speaks
    # the browser's language ("Week 50").
    week = forms.CharField(label=_("Uge"), max_length=10, widget=forms.Select())

    def __init__(self, *args: Any, sites: Iterable[Site], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = sites
        first, last = planning_window()
        weeks = [first + timedelta(weeks=n) for n in range((last - first).days // 7 + 1)]
        shown = self.initial.get("week")
        choices = [(iso_week_label(monday), week_title(monday)) for monday in weeks]
        if shown and shown not in dict(choices):
            choices.insert(0, (shown, week_title(parse_iso_week(shown))))
        self.fields["week"].widget.choices = choices

    def clean_week(self) -> date:
        try:
            return parse_iso_week(self.cleaned_data["week"])
        except ValueError as error:
            raise forms.ValidationError(str(error)) from None


class VersionForm(forms.Form):
    """The plan version the coordinator saw (optimistic locking against a colleague's change)."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


class CancelForm(VersionForm):
    reason = forms.ChoiceField(label=_("Årsag"), choices=CancelReason.choices, widget=forms.RadioSelect,
                               error_messages={"required": _("Vælg en årsag til aflysningen.")})


class MoveForm(VersionForm):
    day = forms.TypedChoiceField(label=_("Dag"), choices=WEEKDAYS, coerce=int)
    start = forms.ChoiceField(label=_("Starttid"), choices=QUARTERS)
    consultant = forms.ModelChoiceField(label=_("Konsulent"), queryset=Consultant.objects.none(), required=False,
                                        empty_label=_("Samme konsulent"))
    room = forms.ModelChoiceField(label=_("Lokale"), queryset=Room.objects.none(), required=False,
                                  empty_label=_("Samme lokale"))

    def __init__(self, *args: Any, site_ids: Iterable[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        ids = list(site_ids)
        self.fields["consultant"].queryset = Consultant.objects.filter(
            Q(home_site_id__in=ids) | Q(sites__in=ids), active=True).distinct().order_by("name")
        # The site too: a room's label names it (Room.__str__), one query per room otherwise.
        self.fields["room"].queryset = (Room.objects.filter(site_id__in=ids, active=True).select_related("site")
                                        .order_by("name"))

    def start_time(self) -> time:
        hours, minutes = self.cleaned_data["start"].split(":")
        return time(int(hours), int(minutes))


class IdListField(forms.Field):
    """One or more ids posted as repeated hidden inputs of the same name."""

    widget = forms.MultipleHiddenInput
    max_ids = 10

    def to_python(self, value: Any) -> list[int]:
        values = list(value or [])
        if not values:
            return []
        try:
            ids = [int(v) for v in values]
        except (TypeError, ValueError):
            raise forms.ValidationError(_("Ugyldig værdi.")) from None
        if len(ids) > self.max_ids or any(i < 1 for i in ids):
            raise forms.ValidationError(_("Ugyldig værdi."))
        return list(dict.fromkeys(ids))


class OptionForm(VersionForm):
    """One of the ranked options ("find a time"), posted back as plain values: every consultant of the
    option (a round-table meeting needs one of each staff type it asks for)."""

    start = forms.DateTimeField(widget=forms.HiddenInput)
    consultant = IdListField()
    room = forms.IntegerField(widget=forms.HiddenInput, min_value=1, required=False)


class ScopedModelForm(forms.ModelForm):
    """A ModelForm whose foreign keys offer only objects of the coordinator's sites."""

    scoped: dict[str, str] = {}  # field -> lookup from that model to Site
    # Choice labels (__str__) follow these relations: load them in the same query, not one per option.
    related = {"enrolment": ("citizen", "intervention_model"), "course": ("site",), "current_phase": ("model",)}

    def __init__(self, *args: Any, site_ids: Iterable[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.site_ids = list(site_ids)
        for name, lookup in self.scoped.items():
            field = self.fields.get(name)
            if field is not None:
                field.queryset = field.queryset.filter(**{f"{lookup}__in": self.site_ids}).distinct()
        for name, relations in self.related.items():
            field = self.fields.get(name)
            if field is not None and hasattr(field, "queryset"):
                field.queryset = field.queryset.select_related(*relations)


class CitizenForm(ScopedModelForm):
    scoped = {"site": "pk"}
    preferred_weekdays = _weekday_field(_("Foretrukne ugedage"), required=False)

    class Meta:
        model = Citizen
        fields = ["reference", "first_name", "last_name", "site", "phone", "email", "street", "postcode", "city",
                  "max_hours_per_day", "not_before", "not_after", "preferred_weekdays"]
        widgets = {"not_before": TimeInput(), "not_after": TimeInput()}


class EnrolmentForm(ScopedModelForm):
    scoped = {"citizen": "site", "contact_consultant": "sites"}

    class Meta:
        model = Enrolment
        fields = ["citizen", "intervention_model", "target_group", "referring_jobcentre", "start_date",
                  "target_weeks", "current_phase", "phase_started", "contact_consultant", "job_started", "end_date",
                  "status"]
        widgets = {"start_date": DateInput(), "phase_started": DateInput(), "job_started": DateInput(),
                   "end_date": DateInput()}


class AbsenceForm(ScopedModelForm):
    scoped = {"consultant": "sites"}

    class Meta:
        model = Absence
        fields = ["consultant", "start_date", "end_date", "start_time", "end_time", "reason"]
        widgets = {"start_date": DateInput(), "end_date": DateInput(), "start_time": TimeInput(),
                   "end_time": TimeInput()}


# The facts behind an unplaced task's cause, editable by coordinators for their own sites. The model's
# own clean() runs as in the admin and the import (ModelForm.full_clean).


class ClosedDayForm(ScopedModelForm):
    scoped = {"site": "pk"}

    class Meta:
        model = ClosedDay
        fields = ["site", "date", "reason"]
        widgets = {"date": DateInput()}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["site"].required = True  # "every site" is the administrator's to set


class WorkingHoursForm(ScopedModelForm):
    scoped = {"consultant": "sites"}

    class Meta:
        model = WorkingHours
        fields = ["consultant", "weekday", "start_time", "end_time"]
        widgets = {"start_time": TimeInput(), "end_time": TimeInput()}


class EmployerAvailabilityForm(ScopedModelForm):
    """When a company's contact person can meet: only companies where a citizen of the coordinator's
    sites has (had) an internship."""

    scoped = {"company": "internships__enrolment__citizen__site"}

    class Meta:
        model = EmployerAvailability
        fields = ["company", "weekday", "start_time", "end_time"]
        widgets = {"start_time": TimeInput(), "end_time": TimeInput()}


class CourseSessionForm(ScopedModelForm):
    scoped = {"course": "site"}

    class Meta:
        model = CourseSession
        fields = ["course", "weekday", "start_time", "duration_minutes"]
        widgets = {"start_time": TimeInput()}


class RoomForm(ScopedModelForm):
    scoped = {"site": "pk"}

    class Meta:
        model = Room
        fields = ["site", "name", "capacity", "features", "active"]


class InternshipForm(ScopedModelForm):
    scoped = {"enrolment": "citizen__site"}

    class Meta:
        model = Internship
        fields = ["enrolment", "company", "kind", "start_date", "end_date", "contact_name", "contact_phone", "tasks"]
        widgets = {"start_date": DateInput(), "end_date": DateInput(), "tasks": forms.Textarea(attrs={"rows": 3})}


class InternshipStepForm(forms.ModelForm):
    weekdays = _weekday_field(_("Ugedage"), required=True)

    class Meta:
        model = InternshipStep
        fields = ["start_date", "hours_per_week", "weekdays", "daily_start"]
        widgets = {"start_date": DateInput(), "daily_start": TimeInput()}


InternshipStepFormSet = forms.inlineformset_factory(
    Internship, InternshipStep, form=InternshipStepForm, extra=1, can_delete=True
)


class CourseMembershipForm(ScopedModelForm):
    scoped = {"course": "site", "citizen": "site"}

    class Meta:
        model = CourseMembership
        fields = ["course", "citizen", "joined", "left"]
        widgets = {"joined": DateInput(), "left": DateInput()}


class ActivityRequestForm(ScopedModelForm):
    """An ad-hoc talk, round-table meeting, §7a talk or step-up for one enrolment."""

    scoped = {"enrolment": "citizen__site"}

    class Meta:
        model = ActivityRequest
        fields = ["enrolment", "kind", "earliest", "due_by", "duration_minutes", "company", "staff_types", "note",
                  "status"]
        widgets = {"earliest": DateInput(), "due_by": DateInput(), "staff_types": forms.CheckboxSelectMultiple}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [
            (k.value, k.label) for k in ActivityKind if k != ActivityKind.GROUP_SESSION
        ]


class GroupCourseFilterForm(forms.Form):
    course = forms.ModelChoiceField(label=_("Hold"), queryset=GroupCourse.objects.none(), required=False)

    def __init__(self, *args: Any, site_ids: Iterable[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["course"].queryset = GroupCourse.objects.filter(site_id__in=list(site_ids))


def week_value(week_start: date) -> str:
    return iso_week_label(week_start)


class ProgressForm(forms.Form):
    """One progress measurement: the day, the 12 indicators 1–10, a difficult-period flag and a note."""

    measured_on = forms.DateField(label=_("Dato"), widget=DateInput())
    difficult_period = forms.BooleanField(label=_("Svær periode"), required=False)
    note = forms.CharField(label=_("Note (uden helbredsoplysninger)"), max_length=500, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for ind in INDICATORS:
            self.fields[f"score_{ind.code}"] = forms.IntegerField(
                label=ind.label, min_value=SCORE_MIN, max_value=SCORE_MAX,
                widget=forms.NumberInput(attrs={"min": SCORE_MIN, "max": SCORE_MAX, "inputmode": "numeric"}),
            )

    def groups(self) -> list[tuple[str, list[forms.BoundField]]]:
        return [(str(g.label).upper(), [self[f"score_{i.code}"] for i in INDICATORS if i.group == g])
                for g in ProgressGroup]

    def scores(self) -> dict[str, int]:
        return {name.removeprefix("score_"): value for name, value in self.cleaned_data.items()
                if name.startswith("score_")}


class ReportTextsForm(forms.Form):
    """The progress report's texts (seed 001: resources, barriers, development possibilities, recommendation)."""

    resources = forms.CharField(label=_("Borgerens ressourcer"), required=False, max_length=4000,
                                widget=forms.Textarea(attrs={"rows": 3}))
    barriers = forms.CharField(label=_("Barrierer"), required=False, max_length=4000,
                               widget=forms.Textarea(attrs={"rows": 3}))
    possibilities = forms.CharField(label=_("Udviklingsmuligheder"), required=False, max_length=4000,
                                    widget=forms.Textarea(attrs={"rows": 3}))
    recommendation = forms.CharField(label=_("Konkret anbefaling til det videre forløb"), max_length=4000,
                                     widget=forms.Textarea(attrs={"rows": 3}))


class CloseForm(ReportTextsForm):
    """Closing an enrolment: one of its model's outcomes, the end date, and the report's texts."""

    outcome = forms.ModelChoiceField(label=_("Udfald"), queryset=None, empty_label=None,
                                     widget=forms.RadioSelect)
    end_date = forms.DateField(label=_("Slutdato"), widget=DateInput())

    field_order = ["outcome", "end_date", "resources", "barriers", "possibilities", "recommendation"]

    def __init__(self, *args: Any, enrolment: Enrolment, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["outcome"].queryset = enrolment.intervention_model.outcome_choices.order_by("order")

    def texts(self) -> dict[str, str]:
        return {key: self.cleaned_data[key] for key in ("resources", "barriers", "possibilities", "recommendation")}
class CourseProposalForm(forms.Form):
    """A proposed holdforløb as the coordinator accepts it: shown filled in, every field editable."""

    name = forms.CharField(label=_("Navn"), max_length=120)
    theme = forms.CharField(widget=forms.HiddenInput, max_length=30)
    staff_type = forms.CharField(widget=forms.HiddenInput, max_length=20)
    room_features = forms.CharField(widget=forms.HiddenInput, required=False, max_length=200)
    weekdays = _weekday_field(_("Ugedage"), required=True)
    start_time = forms.TimeField(label=_("Starttid"), widget=TimeInput())
    duration_minutes = forms.IntegerField(label=_("Varighed (minutter)"), min_value=30, max_value=240)
    start_date = forms.DateField(label=_("Startdato"), widget=DateInput())
    end_date = forms.DateField(label=_("Slutdato"), widget=DateInput())
    facilitator = forms.ModelChoiceField(label=_("Facilitator"), queryset=Consultant.objects.none(), required=False)
    min_participants = forms.IntegerField(label=_("Mindst"), min_value=1, max_value=99)
    max_participants = forms.IntegerField(label=_("Højst"), min_value=1, max_value=99)
    members = forms.MultipleChoiceField(label=_("Deltagere"), widget=forms.CheckboxSelectMultiple, required=False)

    def __init__(self, *args: Any, site: Site, members: Iterable[tuple[int, str, date]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["facilitator"].queryset = Consultant.objects.filter(
            Q(home_site=site) | Q(sites=site), active=True).distinct().order_by("name")
        # A member's value carries the date they join: "citizen id:YYYY-MM-DD".
        self.fields["members"].choices = [(f"{pk}:{joined.isoformat()}", name) for pk, name, joined in members]

    def clean_members(self) -> list[tuple[int, date]]:
        out = []
        for value in self.cleaned_data["members"]:
            pk, _sep, joined = value.partition(":")
            out.append((int(pk), date.fromisoformat(joined)))
        return out
