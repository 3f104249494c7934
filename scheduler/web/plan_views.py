"""Planning screens: the week, planning runs, appointments, unplaced tasks, publishing, print and feeds.

Views only validate, call one service or selector and render. Domain errors come back as Danish
messages on the page they were made from.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from django.contrib import messages
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from rooms.models import Room, Site
from scheduler.audit import AuditAction, audit_record
from scheduler.availability import coming_week_start
from scheduler.editing.unplaced import unplaced_task_is_placeable
from scheduler.errors import DomainError
from scheduler.models import (
    Appointment,
    Citizen,
    Consultant,
    Plan,
    PlanStatus,
    SolveRun,
    SolveRunStatus,
    UnplacedTask,
)
from scheduler.planning.runs import ACTIVE, sites_planned_together, solve_run_cancel, solve_run_create
from scheduler.planning.selectors import latest_plan, plan_appointments, plan_published_get, plan_unplaced
from scheduler.web.access import coordinator_required, site_or_404, visible_site_ids, visible_sites
from scheduler.web.errors import domain_error_show
from scheduler.web.forms import ActivityRequestForm, MoveForm, OptionForm, VersionForm, WeekPickerForm
from scheduler.web.grid import LANE_KINDS, SLOTS, hour_marks, week_grid
from scheduler.weeks import (
    WeekError,
    iso_week_label,
    parse_iso_week,
    planning_week_check,
    week_neighbours,
    week_started,
    week_title,
)

OPTION_LIMIT = 6


# -- helpers --------------------------------------------------------------------------------------


def _week(text: str) -> date:
    try:
        return parse_iso_week(text)
    except ValueError:
        raise Http404 from None


def week_url(site: Site, week_start: date, **query: str) -> str:
    url = reverse("web:week", args=[site.code, iso_week_label(week_start)])
    if query:
        url += "?" + "&".join(f"{k}={v}" for k, v in query.items())
    return url


def _site_appointments(plan: Plan, site: Site):  # noqa: ANN202 - a queryset
    # A plan may cover several sites; this screen shows one (off-site visits by the citizen's site).
    return plan_appointments(plan=plan).filter(
        Q(site=site) | Q(site__isnull=True, citizens__site=site)
    ).distinct()


def _site_consultants(site: Site):  # noqa: ANN202 - a queryset
    return Consultant.objects.filter(Q(home_site=site) | Q(sites=site), active=True).distinct().order_by("name")


def _appointment_or_404(request: HttpRequest, pk: int) -> Appointment:
    sites = visible_site_ids(request)
    appointment = (
        Appointment.objects.filter(pk=pk)
        .filter(Q(site_id__in=sites) | Q(site__isnull=True, citizens__site_id__in=sites))
        .select_related("plan", "site", "room", "company", "group_course", "enrolment", "request")
        .prefetch_related("consultants", "citizens").distinct().first()
    )
    if appointment is None:
        raise Http404
    return appointment


def _home_site(appointment: Appointment) -> Site:
    if appointment.site_id:
        return appointment.site
    citizen = appointment.citizens.first()
    return citizen.site if citizen else appointment.plan.sites.first()


# -- landing, week picker, the week ----------------------------------------------------------------


@coordinator_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    site = visible_sites(request).first()
    if site is None:
        return render(request, "coordinator/no_sites.html")
    return redirect(week_url(site, coming_week_start()))


@coordinator_required
@require_GET
def pick_week(request: HttpRequest) -> HttpResponse:
    form = WeekPickerForm(request.GET, sites=visible_sites(request))
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect("web:home")
    view = request.GET.get("visning", "konsulent")
    return redirect(week_url(form.cleaned_data["site"], form.cleaned_data["week"],
                             **({"visning": view} if view in LANE_KINDS else {})))


@coordinator_required
@require_GET
def week(request: HttpRequest, site_code: str, week_code: str) -> HttpResponse:
    site = site_or_404(request, site_code)
    week_start = _week(week_code)
    view = request.GET.get("visning", "konsulent")
    if view not in LANE_KINDS:
        view = "konsulent"
    plan = latest_plan(week_start=week_start, site_id=site.pk)
    published = plan_published_get(week_start=week_start, site_ids=[site.pk])
    running = (
        SolveRun.objects.filter(week_start=week_start, sites=site, status__in=ACTIVE).order_by("-created_at").first()
    )
    days, unplaced, counts = [], [], {}
    if plan is not None:
        appointments = list(_site_appointments(plan, site))
        days = week_grid(
            appointments=appointments, week_start=week_start, lane_kind=LANE_KINDS[view],
            consultants=_site_consultants(site), rooms=Room.objects.filter(site=site, active=True).order_by("name"),
        )
        unplaced = list(
            plan_unplaced(plan=plan).filter(Q(citizens__site=site) | Q(citizens__isnull=True)).distinct()
        )
        for task in unplaced:
            task.placeable = plan.status == PlanStatus.DRAFT and unplaced_task_is_placeable(task=task)
        audit_record(actor=request.user, action=AuditAction.VIEW, object_repr=f"Ugeplan {site.code} plan {plan.pk}",
                     citizen_ids={z.pk for a in appointments for z in a.citizens.all()}, request=request)
        counts = {
            "appointments": sum(1 for a in appointments if a.status == "planned"),
            "pinned": sum(1 for a in appointments if a.pinned),
            "unplaced": len(unplaced),
        }
    picker = WeekPickerForm(initial={"site": site, "week": iso_week_label(week_start)}, sites=visible_sites(request))
    visible = visible_site_ids(request)
    prev_week, next_week = week_neighbours(week_start)
    return render(request, "coordinator/week.html", {
        "site": site, "week_start": week_start, "week_code": iso_week_label(week_start),
        "week_started": week_started(week_start),
        "week_title": week_title(week_start), "plan": plan, "published": published, "running": running,
        "days": days, "unplaced": unplaced, "counts": counts, "view": view, "lane_views": [
            ("konsulent", _("Konsulenter")), ("lokale", _("Lokaler")), ("borger", _("Borgere"))],
        "picker": picker, "hours": hour_marks(), "slots": SLOTS, "several_sites": len(visible) > 1,
        # Names of sites the coordinator plans only: another site's name is not theirs to see.
        "plan_site_names": sorted(s.name for s in plan.sites.all() if s.pk in visible) if plan else [],
        "plan_covers_other_sites": bool(plan) and any(s.pk not in visible for s in plan.sites.all()),
        "prev_week": prev_week, "next_week": next_week,
        "request_form": ActivityRequestForm(site_ids=[site.pk], initial={
            "earliest": week_start, "due_by": week_start + timedelta(days=4)}),
    })


# -- planning runs (pretix's AsyncAction shape) ---------------------------------------------------------


@coordinator_required
@require_POST
def plan_start(request: HttpRequest, site_code: str, week_code: str) -> HttpResponse:
    site = site_or_404(request, site_code)
    week_start = _week(week_code)
    try:
        planning_week_check(week_start)
    except WeekError as error:
        messages.error(request, str(error))
        return redirect(week_url(site, week_start))
    replan_of = None
    if request.POST.get("replan"):
        replan_of = latest_plan(week_start=week_start, site_id=site.pk)
    visible = visible_site_ids(request)
    # "Together": all the coordinator's sites in one run, so consultants who work at several of them
    # are balanced across all. A draft of the week shared with other sites the coordinator plans is
    # replanned whole; the part of sites they do not plan becomes a draft of its own when the run
    # starts (scheduler.planning.services.plan_drafts_split), so no other site blocks them or is named to them.
    wanted = visible if request.POST.get("together") else {site.pk}
    site_ids = sites_planned_together(week_start=week_start, site_ids=wanted) & visible
    try:
        run = solve_run_create(week_start=week_start, site_ids=site_ids, user=request.user, replan_of=replan_of,
                               allow_started_week=request.POST.get("allow_started_week") == "1")
    except DomainError as error:
        domain_error_show(request, error)
        conflict = getattr(error, "run", None)
        if conflict is not None and {s.pk for s in conflict.sites.all()} <= visible:
            return redirect(_run_url(conflict, site))
        return redirect(week_url(site, week_start))
    return redirect(_run_url(run, site))


def _run_url(run: SolveRun, site: Site) -> str:
    # The site the coordinator came from: a run can cover several, the result page shows this one.
    return f"{reverse('web:run', args=[run.pk])}?center={site.code}"


def _run_or_404(request: HttpRequest, pk: int) -> SolveRun:
    run = SolveRun.objects.filter(pk=pk).prefetch_related("sites").first()
    if run is None or not {s.pk for s in run.sites.all()} <= visible_site_ids(request):
        raise Http404
    return run


def _run_site(run: SolveRun, request: HttpRequest) -> Site:
    """The site named by ?center= if the run covers it, else the run's first site by name."""
    sites = sorted(run.sites.all(), key=lambda s: s.name)
    return next((s for s in sites if s.code == request.GET.get("center")), sites[0])


def run_status_data(run: SolveRun, site: Site) -> dict[str, Any]:
    """pretix's AsyncAction answer ({ready, success, redirect, message}) plus the solver's progress."""
    ready = run.status not in ACTIVE
    success = run.status in (SolveRunStatus.DONE, SolveRunStatus.CANCELLED) and run.plan_id is not None
    return {
        "async_id": run.pk,
        "ready": ready,
        "success": success if ready else None,
        "redirect": week_url(site, run.week_start) if ready and success else None,
        "message": run.message,
        "status": run.status,
        "status_text": run.get_status_display(),
        "progress": round(100 * (1.0 if ready else run.progress)),
        "elapsed_seconds": round(run.elapsed_seconds, 1),
        "objective": run.objective,
        "gap": run.gap,
        "unplaced": run.unplaced_count,
    }


@coordinator_required
@require_GET
def run_page(request: HttpRequest, pk: int) -> HttpResponse:
    run = _run_or_404(request, pk)
    site = _run_site(run, request)
    return render(request, "coordinator/run.html", {
        "run": run, "site": site, "status": run_status_data(run, site), "week_title": week_title(run.week_start),
        "site_names": [s.name for s in sorted(run.sites.all(), key=lambda s: s.name)],
        "week_url": week_url(site, run.week_start), "week_code": iso_week_label(run.week_start),
    })


@coordinator_required
@require_GET
def run_status(request: HttpRequest, pk: int) -> JsonResponse:
    run = _run_or_404(request, pk)
    response = JsonResponse(run_status_data(run, _run_site(run, request)))
    response["Cache-Control"] = "no-store"
    return response


@coordinator_required
@require_POST
def run_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    run = _run_or_404(request, pk)
    if run.status in ACTIVE:
        run = solve_run_cancel(run=run)
        if run.status == SolveRunStatus.CANCELLED:
            messages.info(request, _("Planlægningen er stoppet. Intet er gemt; den tidligere kladde er urørt."))
        else:
            messages.info(request, _("Planlægningen stopper. Intet gemmes; den tidligere kladde er urørt."))
    return redirect(_run_url(run, _run_site(run, request)))


# -- one appointment: who, where, why; pin, move, cancel ---------------------------------------------


def _options_for(appointment: Appointment) -> list[dict[str, Any]]:
    from scheduler.editing.options import talk_options

    citizens = list(appointment.citizens.all())
    if appointment.plan.status != PlanStatus.DRAFT or len(citizens) != 1 or appointment.group_course_id:
        return []
    minutes = int((appointment.end - appointment.start).total_seconds() // 60)
    # Options are candidates of the solver on the plan's free time, so they need no per-option check.
    return talk_options(plan=appointment.plan, citizen=citizens[0], kind=appointment.kind, duration=minutes,
                        limit=OPTION_LIMIT, appointment=appointment)


@coordinator_required
def appointment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    appointment = _appointment_or_404(request, pk)
    site = _home_site(appointment)
    local = timezone.localtime(appointment.start)
    move_form = MoveForm(site_ids=[site.pk], initial={
        "version": appointment.plan.lock_version, "day": local.weekday(), "start": f"{local:%H:%M}"})
    if request.method == "POST":
        move_form = MoveForm(request.POST, site_ids=[site.pk])
        if move_form.is_valid():
            day = appointment.plan.week_start + timedelta(days=move_form.cleaned_data["day"])
            start = timezone.make_aware(datetime.combine(day, move_form.start_time()))
            consultant = move_form.cleaned_data["consultant"]
            room = move_form.cleaned_data["room"]
            if _move(request, appointment, start, [consultant.pk] if consultant else None,
                     room.pk if room else None, move_form.cleaned_data["version"]):
                return redirect("web:appointment", appointment.pk)
            appointment = _appointment_or_404(request, pk)
    audit_record(actor=request.user, action=AuditAction.VIEW, object_repr=f"Aftale {appointment.pk}",
                 citizen_ids=[z.pk for z in appointment.citizens.all()], request=request)
    template = "coordinator/_appointment.html" if request.headers.get("HX-Request") else "coordinator/appointment.html"
    return render(request, template, {
        "a": appointment, "site": site, "move_form": move_form, "options": _options_for(appointment),
        "week_url": week_url(site, appointment.plan.week_start),
        "week_code": iso_week_label(appointment.plan.week_start),
        "editable": appointment.plan.status == PlanStatus.DRAFT,
        "attendance_url": (f"{reverse('web:attendance')}?center={site.code}&dag={local.date().isoformat()}"
                           if appointment.plan.status == PlanStatus.PUBLISHED and appointment.start <= timezone.now()
                           else ""),
    })


def _move(request: HttpRequest, appointment: Appointment, start: datetime, consultant_ids: list[int] | None,
          room_id: int | None, version: int) -> bool:
    from scheduler.editing.services import appointment_move

    try:
        appointment_move(appointment=appointment, start=start, consultant_ids=consultant_ids, room_id=room_id,
                         seen_version=version,
                         allowed_site_ids=None if request.user.is_superuser else visible_site_ids(request))
    except DomainError as error:
        domain_error_show(request, error, prefix=_("Flytningen er afvist: "))
        return False
    messages.success(request, _("Aftalen er flyttet til %(when)s.") % {
        "when": timezone.localtime(start).strftime("%d.%m. kl. %H:%M")})
    return True


@coordinator_required
@require_POST
def appointment_move_option(request: HttpRequest, pk: int) -> HttpResponse:
    appointment = _appointment_or_404(request, pk)
    form = OptionForm(request.POST)
    if form.is_valid():
        _move(request, appointment, form.cleaned_data["start"], form.cleaned_data["consultant"],
              form.cleaned_data["room"], form.cleaned_data["version"])
    else:
        messages.error(request, _("Ugyldigt forslag. Hent siden igen."))
    return redirect("web:appointment", appointment.pk)


@coordinator_required
@require_POST
def appointment_pin(request: HttpRequest, pk: int) -> HttpResponse:
    from scheduler.editing.services import appointment_pin as pin

    appointment = _appointment_or_404(request, pk)
    form = VersionForm(request.POST)
    pinned = request.POST.get("pinned") == "1"
    if form.is_valid():
        try:
            pin(appointment=appointment, pinned=pinned, seen_version=form.cleaned_data["version"])
            messages.success(request, _("Aftalen er fastlåst.") if pinned else _("Aftalen er frigjort."))
        except DomainError as error:
            domain_error_show(request, error)
    return redirect(request.POST.get("next") or reverse("web:appointment", args=[appointment.pk]))


@coordinator_required
@require_POST
def appointment_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    from scheduler.editing.services import appointment_cancel_locked

    appointment = _appointment_or_404(request, pk)
    form = VersionForm(request.POST)
    if form.is_valid():
        try:
            appointment_cancel_locked(appointment=appointment, seen_version=form.cleaned_data["version"],
                                      user=request.user)
            messages.success(request, _("Aftalen er aflyst."))
        except DomainError as error:
            domain_error_show(request, error)
    return redirect("web:appointment", appointment.pk)


# -- unplaced: find a time and place it by hand -------------------------------------------------------


def unplaced_task_visible(task: UnplacedTask, site_ids: set[int]) -> bool:
    """A plan can span several sites: a task is visible only if every citizen in it belongs to the
    coordinator's sites (or, without citizens, its course or every site of its plan does)."""
    citizens = list(task.citizens.all())
    if citizens:
        return all(citizen.site_id in site_ids for citizen in citizens)
    if task.group_course_id:
        return task.group_course.site_id in site_ids
    return set(task.plan.sites.values_list("pk", flat=True)) <= site_ids


@coordinator_required
def unplaced_find(request: HttpRequest, pk: int) -> HttpResponse:
    from scheduler.editing.options import talk_options
    from scheduler.editing.unplaced import unplaced_task_duration, unplaced_task_is_placeable, unplaced_task_place

    task = (
        UnplacedTask.objects.filter(pk=pk)
        .select_related("plan", "request", "enrolment", "group_course").prefetch_related("citizens").first()
    )
    if task is None or not unplaced_task_visible(task, visible_site_ids(request)):
        raise Http404
    citizen: Citizen | None = task.citizens.first()
    site = citizen.site if citizen else task.plan.sites.first()
    audit_record(actor=request.user, action=AuditAction.VIEW, object_repr=f"Ikke placeret opgave {task.pk}",
                 citizen_ids=[z.pk for z in task.citizens.all()], request=request)
    if request.method == "POST":
        form = OptionForm(request.POST)
        if form.is_valid():
            try:
                appointment = unplaced_task_place(
                    task=task, start=form.cleaned_data["start"], consultant_ids=form.cleaned_data["consultant"],
                    room_id=form.cleaned_data["room"], seen_version=form.cleaned_data["version"],
                    allowed_site_ids=None if request.user.is_superuser else visible_site_ids(request))
            except DomainError as error:
                domain_error_show(request, error, prefix=_("Kan ikke placeres: "))
            else:
                messages.success(request, _("Aftalen er placeret."))
                return redirect("web:appointment", appointment.pk)
    placeable = unplaced_task_is_placeable(task=task) and task.plan.status == PlanStatus.DRAFT
    duration = unplaced_task_duration(task=task)
    options = talk_options(plan=task.plan, citizen=citizen, kind=task.kind, duration=duration,
                           limit=OPTION_LIMIT, task_key=task.task_key) if placeable else []
    return render(request, "coordinator/unplaced.html", {
        "task": task, "site": site, "citizen": citizen, "options": options, "placeable": placeable,
        "duration": duration, "week_url": week_url(site, task.plan.week_start),
        "week_code": iso_week_label(task.plan.week_start),
    })


# -- ad-hoc requests ------------------------------------------------------------------------------------


@coordinator_required
@require_POST
def request_create(request: HttpRequest, site_code: str, week_code: str) -> HttpResponse:
    site = site_or_404(request, site_code)
    week_start = _week(week_code)
    form = ActivityRequestForm(request.POST, site_ids=[site.pk])
    if form.is_valid():
        form.save()
        messages.success(request, _("Aktiviteten er bestilt. Planlæg ugen igen for at få den med."))
        return redirect(week_url(site, week_start))
    return render(request, "coordinator/request_form.html", {
        "form": form, "site": site, "week_code": iso_week_label(week_start), "week_url": week_url(site, week_start),
    })


# -- publish, print ---------------------------------------------------------------------------------


@coordinator_required
def publish(request: HttpRequest, site_code: str, week_code: str) -> HttpResponse:
    from scheduler.publishing.services import plan_diff, plan_publish, started_week_preview

    site = site_or_404(request, site_code)
    week_start = _week(week_code)
    plan = latest_plan(week_start=week_start, site_id=site.pk)
    if plan is None or plan.status != PlanStatus.DRAFT:
        messages.info(request, _("Der er ingen kladde at offentliggøre for ugen."))
        return redirect(week_url(site, week_start))
    if not {s.pk for s in plan.sites.all()} <= visible_site_ids(request):
        # A draft shared with sites the coordinator does not plan: planning their site splits it.
        messages.info(request, _("Kladden dækker også centre, du ikke planlægger for. Planlæg ugen for dit "
                                 "center; så får det sin egen kladde, som du kan offentliggøre."))
        return redirect(week_url(site, week_start))
    if request.method == "POST":
        form = VersionForm(request.POST)
        if form.is_valid():
            try:
                # A week that has begun is published only with the box ticked that names what will change.
                published = plan_publish(plan=plan, seen_version=form.cleaned_data["version"], user=request.user,
                                         allow_started_week=request.POST.get("allow_started_week") == "1")
            except DomainError as error:
                domain_error_show(request, error)
            else:
                messages.success(request, _("Ugen er offentliggjort som version %(v)s.") % {"v": published.version})
                return redirect(week_url(site, week_start))
    current = plan_published_get(week_start=week_start, site_ids=[site.pk])
    diff = plan_diff(current, plan) if current else None
    return render(request, "coordinator/publish.html", {
        "site": site, "plan": plan, "current": current, "diff": diff, "week_title": week_title(week_start),
        "week_url": week_url(site, week_start), "week_code": iso_week_label(week_start),
        "new_count": plan.appointments.filter(status="planned").count(),
        "unplaced_count": plan.unplaced.count(), "started": started_week_preview(plan=plan),
    })


@coordinator_required
@require_GET
def site_pdf(request: HttpRequest, site_code: str, week_code: str) -> HttpResponse:
    from scheduler.publishing.pdf import site_week_pdf
    from scheduler.publishing.ugeskema import site_citizens_for_week

    site = site_or_404(request, site_code)
    week_start = _week(week_code)
    response = HttpResponse(site_week_pdf(site=site, week_start=week_start), content_type="application/pdf")
    audit_record(actor=request.user, action=AuditAction.EXPORT, request=request,
                 object_repr=f"Ugeskemaer {site.code} {iso_week_label(week_start)}",
                 citizen_ids=site_citizens_for_week(site=site, week_start=week_start).values_list("pk", flat=True))
    response["Content-Disposition"] = f'attachment; filename="ugeskemaer-{site.code}-{iso_week_label(week_start)}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


# -- consultants' calendar links ----------------------------------------------------------------------


@coordinator_required
def feeds(request: HttpRequest, site_code: str) -> HttpResponse:
    from scheduler.publishing.tokens import feed_token_revoke_all, feed_token_rotate, feed_tokens_active

    site = site_or_404(request, site_code)
    consultants = list(_site_consultants(site))
    issued = None
    if request.method == "POST":
        consultant = next((c for c in consultants if str(c.pk) == request.POST.get("consultant")), None)
        if consultant is None:
            raise Http404
        try:
            if request.POST.get("action") == "revoke":
                feed_token_revoke_all(owner=consultant, user=request.user)
                messages.success(request, _("Kalenderlinket for %(name)s er slået fra.") % {"name": consultant.name})
                return redirect("web:feeds", site.code)
            issued = (consultant, feed_token_rotate(owner=consultant, user=request.user))
        except DomainError as error:
            domain_error_show(request, error)
    rows = [(c, feed_tokens_active(owner=c)) for c in consultants]
    response = render(request, "coordinator/feeds.html", {
        "site": site, "rows": rows, "issued": issued, "week_url": week_url(site, coming_week_start()),
    })
    response["Cache-Control"] = "private, no-store"  # a freshly issued secret is shown only once
    return response
