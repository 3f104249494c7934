"""Everyday data: list + form screens for citizens, enrolments, absences, internships (with steps),
group-course members and requested activities.

One small description per resource drives a list view and an edit view. Every query is limited to the
coordinator's sites (404 otherwise), and every form offers only objects of those sites.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.db import transaction
from django.db.models import Model, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from activities.models import CourseMembership, CourseSession, EmployerAvailability, Internship
from rooms.models import ClosedDay, Room
from scheduler.audit import AuditAction, audit_objects
from scheduler.errors import DomainError
from scheduler.models import Absence, ActivityRequest, Citizen, Enrolment, WorkingHours
from scheduler.web.access import coordinator_required, visible_site_ids
from scheduler.web.errors import domain_error_show
from scheduler.web.forms import (
    AbsenceForm,
    ActivityRequestForm,
    CitizenForm,
    ClosedDayForm,
    CourseMembershipForm,
    CourseSessionForm,
    EmployerAvailabilityForm,
    EnrolmentForm,
    InternshipForm,
    InternshipStepFormSet,
    RoomForm,
    WorkingHoursForm,
)
from scheduler.web.links import issued_link_keep, issued_link_take

LIST_LIMIT = 300


def _date(value: Any) -> str:
    return value.strftime("%d.%m.%Y") if value else "–"


@dataclass(frozen=True)
class Resource:
    slug: str
    title: Any
    title_plural: Any
    model: type[Model]
    form: type
    site_path: str
    columns: tuple[tuple[Any, Callable[[Any], Any]], ...]
    search: tuple[str, ...]
    related: tuple[str, ...] = ()

    def queryset(self, site_ids: set[int]) -> QuerySet:
        return (
            self.model.objects.filter(**{f"{self.site_path}__in": site_ids}).select_related(*self.related).distinct()
        )


RESOURCES: dict[str, Resource] = {r.slug: r for r in [
    Resource(
        "borgere", _("borger"), _("Borgere"), Citizen, CitizenForm, "site",
        ((_("Navn"), lambda o: o.full_name), (_("Reference"), lambda o: o.reference), (_("Center"), lambda o: o.site)),
        ("first_name", "last_name", "reference"), ("site",),
    ),
    Resource(
        "forloeb", _("forløb"), _("Forløb"), Enrolment, EnrolmentForm, "citizen__site",
        ((_("Borger"), lambda o: o.citizen), (_("Indsatsmodel"), lambda o: o.intervention_model),
         (_("Start"), lambda o: _date(o.start_date)), (_("Kontaktperson"), lambda o: o.contact_consultant or "–"),
         (_("Status"), lambda o: o.get_status_display())),
        ("citizen__first_name", "citizen__last_name", "citizen__reference"),
        ("citizen", "intervention_model", "contact_consultant"),
    ),
    Resource(
        "fravaer", _("fravær"), _("Fravær"), Absence, AbsenceForm, "consultant__sites",
        ((_("Konsulent"), lambda o: o.consultant), (_("Fra"), lambda o: _date(o.start_date)),
         (_("Til"), lambda o: _date(o.end_date)), (_("Årsag"), lambda o: o.get_reason_display())),
        ("consultant__name",), ("consultant",),
    ),
    Resource(
        "praktikker", _("praktik"), _("Praktikker"), Internship, InternshipForm, "enrolment__citizen__site",
        ((_("Borger"), lambda o: o.enrolment.citizen), (_("Virksomhed"), lambda o: o.company),
         (_("Type"), lambda o: o.get_kind_display()), (_("Start"), lambda o: _date(o.start_date)),
         (_("Slut"), lambda o: _date(o.end_date))),
        ("enrolment__citizen__first_name", "enrolment__citizen__last_name", "enrolment__citizen__reference",
         "company__name"),
        ("enrolment__citizen", "company"),
    ),
    Resource(
        # A company belongs to the sites of the citizens who have (had) an internship there.
        "arbejdsgivertider", _("arbejdsgivertid"), _("Arbejdsgiveres tider"), EmployerAvailability,
        EmployerAvailabilityForm, "company__internships__enrolment__citizen__site",
        ((_("Virksomhed"), lambda o: o.company), (_("Ugedag"), lambda o: o.get_weekday_display()),
         (_("Fra"), lambda o: f"{o.start_time:%H:%M}"), (_("Til"), lambda o: f"{o.end_time:%H:%M}")),
        ("company__name",), ("company",),
    ),
    Resource(
        "holddeltagere", _("holddeltager"), _("Holddeltagere"), CourseMembership, CourseMembershipForm, "course__site",
        ((_("Hold"), lambda o: o.course.name), (_("Borger"), lambda o: o.citizen),
         (_("Startet"), lambda o: _date(o.joined)), (_("Stoppet"), lambda o: _date(o.left))),
        ("course__name", "citizen__first_name", "citizen__last_name"), ("course", "citizen"),
    ),
    Resource(
        "arbejdstider", _("arbejdstid"), _("Arbejdstider"), WorkingHours, WorkingHoursForm, "consultant__sites",
        ((_("Konsulent"), lambda o: o.consultant), (_("Ugedag"), lambda o: o.get_weekday_display()),
         (_("Fra"), lambda o: f"{o.start_time:%H:%M}"), (_("Til"), lambda o: f"{o.end_time:%H:%M}")),
        ("consultant__name",), ("consultant",),
    ),
    Resource(
        "holdtider", _("holdtid"), _("Holdtider"), CourseSession, CourseSessionForm, "course__site",
        ((_("Hold"), lambda o: o.course.name), (_("Ugedag"), lambda o: o.get_weekday_display()),
         (_("Start"), lambda o: f"{o.start_time:%H:%M}"), (_("Minutter"), lambda o: o.duration_minutes)),
        ("course__name",), ("course",),
    ),
    Resource(
        "lukkedage", _("lukkedag"), _("Lukkedage"), ClosedDay, ClosedDayForm, "site",
        ((_("Dato"), lambda o: _date(o.date)), (_("Center"), lambda o: o.site), (_("Årsag"), lambda o: o.reason)),
        ("reason",), ("site",),
    ),
    Resource(
        "lokaler", _("lokale"), _("Lokaler"), Room, RoomForm, "site",
        ((_("Navn"), lambda o: o.name), (_("Center"), lambda o: o.site), (_("Pladser"), lambda o: o.capacity),
         (_("Aktivt"), lambda o: _("ja") if o.active else _("nej"))),
        ("name",), ("site",),
    ),
    Resource(
        "bestillinger", _("bestilt aktivitet"), _("Bestilte aktiviteter"), ActivityRequest, ActivityRequestForm,
        "enrolment__citizen__site",
        ((_("Aktivitet"), lambda o: o.get_kind_display()), (_("Borger"), lambda o: o.enrolment.citizen),
         (_("Tidligst"), lambda o: _date(o.earliest)), (_("Senest"), lambda o: _date(o.due_by)),
         (_("Status"), lambda o: o.get_status_display())),
        ("enrolment__citizen__first_name", "enrolment__citizen__last_name", "note"), ("enrolment__citizen",),
    ),
]}


def _resource(slug: str) -> Resource:
    resource = RESOURCES.get(slug)
    if resource is None:
        raise Http404
    return resource


@coordinator_required
def data_list(request: HttpRequest, slug: str) -> HttpResponse:
    resource = _resource(slug)
    rows = resource.queryset(visible_site_ids(request))
    query = request.GET.get("q", "").strip()[:80]
    if query:
        condition = Q()
        for field in resource.search:
            condition |= Q(**{f"{field}__icontains": query})
        rows = rows.filter(condition)
    total = rows.count()
    shown = list(rows[:LIST_LIMIT])
    audit_objects(request=request, action=AuditAction.VIEW, objects=shown, label=f"web {slug}")
    table = [(obj.pk, [fn(obj) for _label, fn in resource.columns]) for obj in shown]
    return render(request, "coordinator/data_list.html", {
        "resource": resource, "resources": RESOURCES.values(), "table": table, "total": total, "query": query,
        "limit": LIST_LIMIT, "headers": [label for label, _fn in resource.columns],
    })


@coordinator_required
def data_edit(request: HttpRequest, slug: str, pk: int | None = None) -> HttpResponse:
    resource = _resource(slug)
    site_ids = visible_site_ids(request)
    instance = None
    if pk is not None:
        instance = resource.queryset(site_ids).filter(pk=pk).first()
        if instance is None:
            raise Http404
    data = request.POST if request.method == "POST" else None
    form = resource.form(data, instance=instance, site_ids=site_ids)
    steps = None
    if slug == "praktikker":
        steps = InternshipStepFormSet(data, instance=instance or Internship(), prefix="steps")
    if request.method == "POST" and form.is_valid() and (steps is None or steps.is_valid()):
        with transaction.atomic():
            saved = form.save()
            if steps is not None:
                steps.instance = saved
                steps.save()
            audit_objects(request=request, action=AuditAction.CHANGE if instance else AuditAction.CREATE,
                          objects=[saved], label=f"web {slug}")
        messages.success(request, _("Gemt."))
        return redirect("web:data_list", slug)
    if instance is not None:
        audit_objects(request=request, action=AuditAction.VIEW, objects=[instance], label=f"web {slug}")
    links = None
    if isinstance(instance, Citizen):
        from scheduler.publishing.tokens import feed_tokens_active

        links = {"active": feed_tokens_active(owner=instance),
                 "issued": issued_link_take(request, owner_key=f"citizen-{instance.pk}")}
    response = render(request, "coordinator/data_form.html", {
        "resource": resource, "resources": RESOURCES.values(), "form": form, "steps": steps, "instance": instance,
        "links": links,
    })
    if links and links["issued"]:
        response["Cache-Control"] = "private, no-store"  # a freshly issued secret is shown only once
    return response


@coordinator_required
@require_POST
def citizen_link(request: HttpRequest, pk: int) -> HttpResponse:
    """Issue (or replace) or revoke the citizen's secret link: their page, PDF and calendar feed."""
    from scheduler.publishing.tokens import feed_token_revoke_all, feed_token_rotate

    citizen = Citizen.objects.filter(pk=pk, site_id__in=visible_site_ids(request)).first()
    if citizen is None:
        raise Http404
    try:
        if request.POST.get("action") == "revoke":
            feed_token_revoke_all(owner=citizen, user=request.user)
            messages.success(request, _("Borgerens link er slået fra. Det gamle link virker ikke længere."))
        else:
            issued_link_keep(request, name=citizen.full_name, owner_key=f"citizen-{citizen.pk}",
                             link=feed_token_rotate(owner=citizen, user=request.user))
    except DomainError as error:
        domain_error_show(request, error)
    return redirect(reverse("web:data_edit", args=["borgere", citizen.pk]) + "#borgerlink")
