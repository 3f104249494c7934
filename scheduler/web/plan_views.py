"""Planning screens: the week, planning runs, appointments, unplaced tasks, publishing, print and feeds.

Views only validate, call one service or selector and render. Domain errors come back as Danish
messages on the page they were made from.
"""
from __future__ import annotations

import math
from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from rooms.models import Site
from scheduler.audit import AuditAction, audit_record
from scheduler.availability import coming_week_start
from scheduler.editing.unplaced import unplaced_task_is_placeable
from scheduler.errors import DomainError
from scheduler.models import (
    Appointment,
    Citizen,
    Plan,
    PlanStatus,
    SolveRun,
    SolveRunStatus,
    UnplacedTask,
)
from scheduler.planning.runs import ACTIVE, sites_planned_together, solve_run_cancel, solve_run_create
from scheduler.planning.selectors import latest_plan, plan_published_get, plan_real_gap, plan_unplaced
from scheduler.planning.weeks import MAX_WEEKS
from scheduler.web.access import coordinator_required, site_or_404, visible_site_ids, visible_sites
from scheduler.web.causes import cause_fix
from scheduler.web.diff import changed_citizens, plan_changes
from scheduler.web.errors import domain_error_show
from scheduler.web.forms import ActivityRequestForm, CancelForm, MoveForm, OptionForm, VersionForm, WeekPickerForm
from scheduler.web.grid import LANE_KINDS
from scheduler.web.links import issued_link_keep, issued_link_take
from scheduler.web.week_page import WeekState, grid_context, site_appointments, site_consultants
from scheduler.web.week_page import week_url as state_week_url
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
        url += "?" + urlencode(query)
    return url


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
    state = WeekState.from_data(request.GET)
    plan = latest_plan(week_start=week_start, site_id=site.pk)
    published = plan_published_get(week_start=week_start, site_ids=[site.pk])
    running = (
        SolveRun.objects.filter(week_start=week_start, sites=site, status__in=ACTIVE).order_by("-created_at").first()
    )
    grid, unplaced, counts, panel = {}, [], {}, {}
    if plan is not None:
        grid = grid_context(plan=plan, site=site, state=state)
        unplaced = list(
            plan_unplaced(plan=plan).filter(Q(citizens__site=site) | Q(citizens__isnull=True)).distinct()
        )
        for task in unplaced:
            task.placeable = plan.status == PlanStatus.DRAFT and unplaced_task_is_placeable(task=task)
            task.fix = cause_fix(task)
            find = reverse("web:unplaced", args=[task.pk])
            # "Find en tid" only where it finds something, and once.
            task.find_url = find if task.placeable and (task.fix is None or task.fix.url != find) else ""
        audit_record(actor=request.user, action=AuditAction.VIEW, object_repr=f"Ugeplan {site.code} plan {plan.pk}",
                     citizen_ids={z.pk for a in grid["appointments"] for z in a.citizens.all()}, request=request)
        placed = site_appointments(plan, site).filter(status="planned").count()
        counts = {"placed": placed, "total": placed + len(unplaced), "unplaced": len(unplaced),
                  "pinned": site_appointments(plan, site).filter(pinned=True).count()}
        selected = _selected_appointment(request, plan, state)
        if selected is not None:
            panel = _panel_context(request, selected, state)
    picker = WeekPickerForm(initial={"site": site, "week": iso_week_label(week_start)}, sites=visible_sites(request))
    visible = visible_site_ids(request)
    prev_week, next_week = week_neighbours(week_start)
    return render(request, "coordinator/week.html", {
        **grid, **panel, "state": state,
        "site": site, "week_start": week_start, "week_code": iso_week_label(week_start),
        "week_started": week_started(week_start),
        "week_title": week_title(week_start), "plan": plan, "published": published, "running": running,
        "unplaced": unplaced, "counts": counts, "lane_views": [
            (key, label, state_week_url(site, week_start, state, view=key, selected=None))
            for key, label in (("konsulent", _("Konsulenter")), ("lokale", _("Lokaler")), ("borger", _("Borgere")))],
        "staff_filters": [
            (code, label, state_week_url(site, week_start, state, staff=code, selected=None))
            for code, label in (("", _("Alle faggrupper")), ("social", _("Socialfaglige")), ("job", _("Job")),
                                ("health", _("Sundhed")))],
        "picker": picker, "several_sites": len(visible) > 1,
        "changed_count": len(_changed_citizens(published, site)) if published and plan == published else 0,
        # Names of sites the coordinator plans only: another site's name is not theirs to see.
        "plan_site_names": sorted(s.name for s in plan.sites.all() if s.pk in visible) if plan else [],
        "plan_covers_other_sites": bool(plan) and any(s.pk not in visible for s in plan.sites.all()),
        "prev_week": prev_week, "next_week": next_week,
        "prev_url": state_week_url(site, parse_iso_week(prev_week), state, selected=None) if prev_week else "",
        "next_url": state_week_url(site, parse_iso_week(next_week), state, selected=None) if next_week else "",
        "request_form": ActivityRequestForm(site_ids=[site.pk], initial={
            "earliest": week_start, "due_by": week_start + timedelta(days=4)}),
    })


def _selected_appointment(request: HttpRequest, plan: Plan, state: WeekState) -> Appointment | None:
    if state.selected is None:
        return None
    try:
        appointment = _appointment_or_404(request, state.selected)
    except Http404:
        return None
    return appointment if appointment.plan_id == plan.pk else None


# -- planning runs (pretix's AsyncAction shape) ---------------------------------------------------------


@coordinator_required
@require_POST
def plan_start(request: HttpRequest, site_code: str, week_code: str) -> HttpResponse:
    site = site_or_404(request, site_code)
    week_start = _week(week_code)
    state = WeekState.from_data(request.POST)
    weeks = request.POST.get("weeks", "1")
    weeks = min(MAX_WEEKS, max(1, int(weeks))) if weeks.isdigit() else 1
    try:
        planning_week_check(week_start)
        planning_week_check(week_start + timedelta(weeks=weeks - 1))  # a run of several weeks: the last too
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
                               allow_started_week=request.POST.get("allow_started_week") == "1", weeks=weeks)
    except DomainError as error:
        domain_error_show(request, error)
        conflict = getattr(error, "run", None)
        if conflict is not None and {s.pk for s in conflict.sites.all()} <= visible:
            return redirect(_run_url(conflict, site, state))
        return redirect(state_week_url(site, week_start, state))
    return redirect(_run_url(run, site, state))


def _run_query(site: Site, state: WeekState) -> str:
    # The site the coordinator came from (a run can cover several, the result page shows this one)
    # and the week screen's view and filters, so the return from the run lands where they left.
    return "?" + urlencode({"center": site.code, **state.params(selected=None)})


def _run_url(run: SolveRun, site: Site, state: WeekState) -> str:
    return reverse("web:run", args=[run.pk]) + _run_query(site, state)


def _run_or_404(request: HttpRequest, pk: int) -> SolveRun:
    run = SolveRun.objects.filter(pk=pk).prefetch_related("sites").first()
    if run is None or not {s.pk for s in run.sites.all()} <= visible_site_ids(request):
        raise Http404
    return run


def _run_site(run: SolveRun, request: HttpRequest) -> Site:
    """The site named by ?center= if the run covers it, else the run's first site by name."""
    sites = sorted(run.sites.all(), key=lambda s: s.name)
    return next((s for s in sites if s.code == request.GET.get("center")), sites[0])


def run_status_data(run: SolveRun, site: Site, state: WeekState | None = None) -> dict[str, Any]:
    """pretix's AsyncAction answer ({ready, success, redirect, message}) plus the solver's progress."""
    ready = run.status not in ACTIVE
    success = run.status in (SolveRunStatus.DONE, SolveRunStatus.CANCELLED) and run.plan_id is not None
    real_gap = plan_real_gap(run.plan)[1] if ready and run.plan_id else None
    return {
        "async_id": run.pk,
        "ready": ready,
        "success": success if ready else None,
        "redirect": state_week_url(site, run.week_start, state or WeekState()) if ready and success else None,
        "message": run.message,
        "status": run.status,
        "status_text": run.get_status_display(),
        "phase": _run_phase(run, ready),
        "progress": round(100 * (1.0 if ready else run.progress)),
        "elapsed_seconds": round(run.elapsed_seconds, 1),
        "objective": run.objective,
        "gap": run.gap,
        # How far the stored plan may be from the best possible plan (the real-problem bound).
        "real_gap": real_gap,
        "real_gap_text": real_gap_text(real_gap),
        "unplaced": run.unplaced_count,
    }


def real_gap_text(real_gap: float | None) -> str:
    """The real-problem gap in words: "Højst 3,2 % fra den bedst mulige plan"; "" when unknown."""
    if real_gap is None:
        return ""
    if real_gap < 0.0005:
        return _("Den bedst mulige plan")
    pct = math.ceil(round(1000 * real_gap, 6)) / 10  # "at most": rounded up to a tenth of a percent
    return _("Højst %(pct)s %% fra den bedst mulige plan") % {"pct": number_format(pct, 1)}


def _run_phase(run: SolveRun, ready: bool) -> str:
    """What the planner is doing, in words a coordinator can follow."""
    if ready:
        return {SolveRunStatus.DONE: _("Færdig: planen er gemt som kladde."),
                SolveRunStatus.CANCELLED: _("Stoppet.")}.get(run.status, _("Planlægningen lykkedes ikke."))
    if run.status == SolveRunStatus.QUEUED:
        return _("Venter på at komme til (1 af 4)")
    if run.objective is None:
        return _("Læser ugens aftaler og finder en første plan (2 af 4)")
    if run.progress < 0.95:
        return _("Forbedrer planen: flere aftaler på plads, færre flytninger (3 af 4)")
    return _("Tjekker og gemmer planen (4 af 4)")


@coordinator_required
@require_GET
def run_page(request: HttpRequest, pk: int) -> HttpResponse:
    run = _run_or_404(request, pk)
    site = _run_site(run, request)
    state = WeekState.from_data(request.GET)
    return render(request, "coordinator/run.html", {
        "run": run, "site": site, "status": run_status_data(run, site, state), "week_title": week_title(run.week_start),
        "site_names": [s.name for s in sorted(run.sites.all(), key=lambda s: s.name)],
        "week_url": state_week_url(site, run.week_start, state), "week_code": iso_week_label(run.week_start),
        "run_query": _run_query(site, state),
        # A run of several weeks: the drafts stored so far, each with a link to its week.
        "run_weeks": [(iso_week_label(p.week_start), state_week_url(site, p.week_start, state))
                      for p in sorted(run.week_plans.all(), key=lambda p: p.week_start)] if run.weeks > 1 else [],
    })


@coordinator_required
@require_GET
def run_status(request: HttpRequest, pk: int) -> JsonResponse:
    run = _run_or_404(request, pk)
    response = JsonResponse(run_status_data(run, _run_site(run, request), WeekState.from_data(request.GET)))
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
    return redirect(_run_url(run, _run_site(run, request), WeekState.from_data(request.GET)))


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


def _panel_context(request: HttpRequest, appointment: Appointment, state: WeekState,
                   move_form: MoveForm | None = None) -> dict[str, Any]:
    """What the appointment panel (templates/coordinator/_appointment.html) shows and posts back."""
    site = _home_site(appointment)
    if move_form is None:
        local = timezone.localtime(appointment.start)
        move_form = MoveForm(site_ids=[site.pk], initial={
            "version": appointment.plan.lock_version, "day": local.weekday(), "start": f"{local:%H:%M}"})
    back = state_week_url(site, appointment.plan.week_start, state, selected=appointment.pk)
    return {
        "a": appointment, "move_form": move_form, "options": _options_for(appointment),
        "cancel_form": CancelForm(initial={"version": appointment.plan.lock_version}),
        "editable": appointment.plan.status == PlanStatus.DRAFT, "state": state,
        "next_url": f"{back}#a-{appointment.pk}",
        # A held appointment links to its day's attendance list.
        "attendance_url": (f"{reverse('web:attendance')}?center={site.code}"
                           f"&dag={timezone.localtime(appointment.start).date().isoformat()}"
                           if appointment.plan.status == PlanStatus.PUBLISHED and appointment.start <= timezone.now()
                           else ""),
    }


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _after_action(request: HttpRequest, pk: int, state: WeekState) -> HttpResponse:
    """After pin, move or cancel: htmx gets the panel and the re-rendered grid (the change marked) in one
    answer, so the page keeps its scroll position; without JavaScript back to the week (the block
    selected and scrolled to) or, from the appointment's own page, to that page."""
    appointment = _appointment_or_404(request, pk)
    if _is_htmx(request):
        return _panel_response(request, appointment, state, changed=appointment.pk)
    target = request.POST.get("next", "")
    local = target.startswith("/") and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()})
    if local:
        return redirect(target)
    return redirect("web:appointment", appointment.pk)


def _panel_response(request: HttpRequest, appointment: Appointment, state: WeekState, *, changed: int | None = None,
                    move_form: MoveForm | None = None) -> HttpResponse:
    site = _home_site(appointment)
    context = _panel_context(request, appointment, state, move_form)
    context["panel_messages"] = True
    if changed is not None:
        context.update(grid_context(plan=appointment.plan, site=site, state=replace(state, selected=appointment.pk),
                                    changed=changed))
        context["oob"] = True
    return render(request, "coordinator/_panel_update.html", context)


@coordinator_required
def appointment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    appointment = _appointment_or_404(request, pk)
    site = _home_site(appointment)
    state = WeekState.from_data(request.POST if request.method == "POST" else request.GET)
    move_form = None
    if request.method == "POST":
        move_form = MoveForm(request.POST, site_ids=[site.pk])
        if move_form.is_valid():
            day = appointment.plan.week_start + timedelta(days=move_form.cleaned_data["day"])
            start = timezone.make_aware(datetime.combine(day, move_form.start_time()))
            consultant = move_form.cleaned_data["consultant"]
            room = move_form.cleaned_data["room"]
            if _move(request, appointment, start, [consultant.pk] if consultant else None,
                     room.pk if room else None, move_form.cleaned_data["version"]):
                return _after_action(request, appointment.pk, state)
            appointment = _appointment_or_404(request, pk)
    audit_record(actor=request.user, action=AuditAction.VIEW, object_repr=f"Aftale {appointment.pk}",
                 citizen_ids=[z.pk for z in appointment.citizens.all()], request=request)
    if _is_htmx(request):
        return _panel_response(request, appointment, state, move_form=move_form)
    return render(request, "coordinator/appointment.html", {
        **_panel_context(request, appointment, state, move_form), "site": site,
        "week_url": state_week_url(site, appointment.plan.week_start, state, selected=appointment.pk),
        "week_code": iso_week_label(appointment.plan.week_start),
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
    return _after_action(request, appointment.pk, WeekState.from_data(request.POST))


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
    return _after_action(request, appointment.pk, WeekState.from_data(request.POST))


@coordinator_required
@require_POST
def appointment_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    from scheduler.editing.services import appointment_cancel_locked

    appointment = _appointment_or_404(request, pk)
    form = CancelForm(request.POST)
    if form.is_valid():
        try:
            appointment_cancel_locked(appointment=appointment, seen_version=form.cleaned_data["version"],
                                      user=request.user, reason=form.cleaned_data["reason"])
            if appointment.plan.status == PlanStatus.DRAFT:
                messages.success(request, _("Aftalen er aflyst. Du kan fortryde, så længe ugen er en kladde."))
            else:
                messages.success(request, _("Aftalen er aflyst."))
        except DomainError as error:
            domain_error_show(request, error)
    else:
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    return _after_action(request, appointment.pk, WeekState.from_data(request.POST))


@coordinator_required
@require_POST
def appointment_restore(request: HttpRequest, pk: int) -> HttpResponse:
    from scheduler.editing.services import appointment_restore as restore

    appointment = _appointment_or_404(request, pk)
    form = VersionForm(request.POST)
    if form.is_valid():
        try:
            restore(appointment=appointment, seen_version=form.cleaned_data["version"])
            messages.success(request, _("Aflysningen er fortrudt; aftalen er tilbage."))
        except DomainError as error:
            domain_error_show(request, error)
    return _after_action(request, appointment.pk, WeekState.from_data(request.POST))


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
    rows = plan_changes(plan) if current else []
    audit_record(actor=request.user, action=AuditAction.VIEW, object_repr=f"Ændringer {site.code} plan {plan.pk}",
                 citizen_ids={z.pk for row in rows for z in row.citizens}, request=request)
    return render(request, "coordinator/publish.html", {
        "site": site, "plan": plan, "current": current, "diff": diff, "rows": rows,
        "week_title": week_title(week_start),
        "week_url": week_url(site, week_start), "week_code": iso_week_label(week_start),
        "new_count": plan.appointments.filter(status="planned").count(),
        "unplaced_count": plan.unplaced.count(), "started": started_week_preview(plan=plan),
    })


def _changed_citizens(plan: Plan | None, site: Site) -> list[Citizen]:
    """The site's citizens whose ugeskema the published version `plan` changed (none for a first version)."""
    if plan is None or plan.status != PlanStatus.PUBLISHED or not (plan.solver_info or {}).get("replaced_plans"):
        return []
    return [z for z in changed_citizens(plan_changes(plan)) if z.site_id == site.pk]


@coordinator_required
@require_GET
def site_pdf_changed(request: HttpRequest, site_code: str, week_code: str) -> HttpResponse:
    """Only the ugeskemaer the latest published version changed: what to print and hand out again."""
    from scheduler.publishing.pdf import weeks_pdf
    from scheduler.publishing.ugeskema import citizen_week

    site = site_or_404(request, site_code)
    week_start = _week(week_code)
    citizens = _changed_citizens(plan_published_get(week_start=week_start, site_ids=[site.pk]), site)
    if not citizens:
        messages.info(request, _("Ingen ugeskemaer er ændret siden sidste version."))
        return redirect(week_url(site, week_start))
    body = weeks_pdf([citizen_week(citizen=z, week_start=week_start) for z in citizens],
                     title=f"Ændrede ugeskemaer {site.name} {iso_week_label(week_start)}")
    audit_record(actor=request.user, action=AuditAction.EXPORT, request=request,
                 object_repr=f"Ændrede ugeskemaer {site.code} {iso_week_label(week_start)}",
                 citizen_ids=[z.pk for z in citizens])
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="aendrede-ugeskemaer-{site.code}-{iso_week_label(week_start)}.pdf"')
    response["Cache-Control"] = "private, no-store"
    return response


@coordinator_required
@require_GET
def change_notices(request: HttpRequest, site_code: str, week_code: str) -> HttpResponse:
    """Who must be told after a new published version, and what changed for each of them; the change letters
    as a PDF (`?breve=borgere|konsulenter`). E-mails go out by themselves where a site allows them."""
    from scheduler.publishing.notifications import change_letters_pdf, site_change_lists

    site = site_or_404(request, site_code)
    week_start = _week(week_code)
    plan = plan_published_get(week_start=week_start, site_ids=[site.pk])
    if plan is None:
        raise Http404
    changes = site_change_lists(plan=plan, site_id=site.pk)
    citizen_ids = [c.person.pk for c in changes.citizens]
    letters = request.GET.get("breve")
    if letters in ("borgere", "konsulenter"):
        audit_record(actor=request.user, action=AuditAction.EXPORT, request=request, citizen_ids=citizen_ids,
                     object_repr=f"Ændringsbreve {site.code} {iso_week_label(week_start)} {letters}")
        body = change_letters_pdf(plan=plan, citizens=letters == "borgere", site_id=site.pk)
        response = HttpResponse(body, content_type="application/pdf")
        response["Content-Disposition"] = (
            f'attachment; filename="aendringsbreve-{letters}-{site.code}-{iso_week_label(week_start)}.pdf"')
        response["Cache-Control"] = "private, no-store"
        return response
    audit_record(actor=request.user, action=AuditAction.VIEW, request=request, citizen_ids=citizen_ids,
                 object_repr=f"Besked om ændringer {site.code} {iso_week_label(week_start)}")
    return render(request, "coordinator/change_notices.html", {
        "site": site, "plan": plan, "changes": changes, "week_title": week_title(week_start),
        "week_code": iso_week_label(week_start), "week_url": week_url(site, week_start),
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
    consultants = list(site_consultants(site))
    if request.method == "POST":
        # Post/redirect/get: reloading the page that shows a new link never issues another one.
        consultant = next((c for c in consultants if str(c.pk) == request.POST.get("consultant")), None)
        if consultant is None:
            raise Http404
        try:
            if request.POST.get("action") == "revoke":
                feed_token_revoke_all(owner=consultant, user=request.user)
                messages.success(request, _("Kalenderlinket for %(name)s er slået fra.") % {"name": consultant.name})
            else:
                issued_link_keep(request, name=consultant.name, link=feed_token_rotate(owner=consultant,
                                                                                       user=request.user))
        except DomainError as error:
            domain_error_show(request, error)
        return redirect("web:feeds", site.code)
    rows = [(c, feed_tokens_active(owner=c)) for c in consultants]
    response = render(request, "coordinator/feeds.html", {
        "site": site, "rows": rows, "issued": issued_link_take(request),
        "week_url": week_url(site, coming_week_start()),
    })
    response["Cache-Control"] = "private, no-store"  # a freshly issued secret is shown only once
    return response
