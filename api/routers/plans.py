"""Plans: read a week's draft or published plan, pin/unpin, move, cancel, re-plan, publish, export,
and "where could one more talk go this week?"."""
import json
from collections import defaultdict
from typing import Any, Literal

from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Header, Path, Query, Router, Schema, Status
from ninja.renderers import NinjaJSONEncoder
from pydantic import Field

from api.auth import Scope, planner_scope, scope_of
from api.crud import MAX_ID, parse_week, resolve_site
from api.errors import ERRORS, ApiError, FieldErrors, forbidden, not_found
from api.plan_cache import week_plan_answer
from api.routers.runs import get_run, run_out, start_run
from api.schemas.plans import MoveIn, OptionOut, PlanOut, PlanSummaryOut, PublishIn, ReplanIn, RunOut, VersionIn
from scheduler.audit import AuditAction, audit_plan_answer, audit_record
from scheduler.editing.services import (
    MoveRefused,
    StaleVersion,
    appointment_cancel_locked,
    appointment_move,
    appointment_pin,
    recent_changes,
)
from scheduler.models import Appointment, Plan, PlanStatus, UnplacedTask
from scheduler.planning.selectors import latest_plan, plan_published_get, plan_real_gap
from scheduler.weeks import iso_week_label

router = Router(tags=["Planer / Plans"])
PLAN_ID = Path(..., ge=1, le=MAX_ID)


class PlanQuery(Schema):
    week: str = Field(..., max_length=10, description="ISO-uge / ISO week, e.g. 2026-W49")
    site: str = Field(..., max_length=60, description="Centrets kode eller id / site code or id")


class OptionsQuery(Schema):
    citizen: int = Field(..., ge=1, le=MAX_ID)
    kind: Literal["start_talk", "talk", "contact", "s7a", "stepup", "assessment", "progress"] = Field(
        "talk", description="Aktiviteten; faggruppe, sted og lokale som i borgerens forløbsregel / "
        "the activity; staff type, place and room as in the citizen's model rule")
    duration: int | None = Field(None, ge=15, le=240,
                                 description="Minutter; tom = reglens varighed / minutes; empty = the rule's")
    limit: int = Field(5, ge=1, le=20)


def _visible_appointments(scope: Scope) -> Q:
    if scope.site_ids is None:
        return Q()
    sites = list(scope.site_ids)
    return Q(site_id__in=sites) | Q(site__isnull=True, citizens__site_id__in=sites)


def plan_for(scope: Scope, plan_id: int) -> Plan:
    plan = Plan.objects.filter(pk=plan_id).prefetch_related("sites").first()
    if plan is None:
        raise not_found()
    plan_sites = {s.pk for s in plan.sites.all()}
    if scope.site_ids is not None and not plan_sites & scope.site_ids:
        raise not_found()
    return plan


APPOINTMENT_FIELDS = (
    "id", "uid", "task_key", "kind", "start", "end", "site_id", "room_id", "company_id", "place",
    "group_course_id", "status", "pinned", "moved", "sequence", "rule",
)


def _links(through: Any, owner: str, target: str, owners: Any) -> dict[int, list[int]]:
    out: dict[int, list[int]] = defaultdict(list)
    rows = through.objects.filter(**{f"{owner}__in": owners}).values_list(owner, target).order_by(owner, target)
    for owner_id, target_id in rows:
        out[owner_id].append(target_id)
    return out


def fast_json(data: dict[str, Any]) -> HttpResponse:
    """Serialise a large read without a second validation pass.

    The rows are typed database values shaped exactly like PlanOut; the schemathesis run checks that
    answers still conform to the declared schema. Saves about half the time of a 300-appointment read.
    """
    return HttpResponse(json.dumps(data, cls=NinjaJSONEncoder), content_type="application/json; charset=utf-8")


def plan_out(plan: Plan, scope: Scope, *, consultant_only: int | None = None) -> dict[str, Any]:
    """A plan with its appointments and unplaced tasks, read as plain rows (≈10 ms for 300 appointments)."""
    appointments = plan.appointments.all()
    if consultant_only is not None:
        appointments = appointments.filter(consultants=consultant_only)
    else:
        appointments = appointments.filter(_visible_appointments(scope))
    appointments = appointments.distinct()
    rows = list(appointments.order_by("start", "pk").values(*APPOINTMENT_FIELDS))
    # Subqueries, not id lists: a 300-item IN list costs more to build than the join.
    ids = appointments.values("pk")
    consultants = _links(Appointment.consultants.through, "appointment_id", "consultant_id", ids)
    citizens = _links(Appointment.citizens.through, "appointment_id", "citizen_id", ids)
    unplaced: list[dict[str, Any]] = []
    if consultant_only is None:
        tasks = plan.unplaced.all()
        if scope.site_ids is not None:
            tasks = tasks.filter(Q(citizens__site_id__in=list(scope.site_ids)) | Q(citizens__isnull=True))
        tasks = tasks.distinct()
        unplaced = list(tasks.order_by("pk").values("id", "task_key", "kind", "reason", "cause", "rule", "due_by"))
        who = _links(UnplacedTask.citizens.through, "unplacedtask_id", "citizen_id", tasks.values("pk"))
        for task in unplaced:
            task["citizens"] = who.get(task["id"], [])
    return {
        **plan_summary(plan),
        "appointments": [_appointment_out(row, consultants, citizens) for row in rows],
        "unplaced": unplaced,
    }


def plan_summary(plan: Plan) -> dict[str, Any]:
    return {
        "id": plan.pk, "week": iso_week_label(plan.week_start), "week_start": plan.week_start,
        "sites": sorted(s.pk for s in plan.sites.all()), "status": plan.status, "version": plan.version,
        "lock_version": plan.lock_version, "created_at": plan.created_at, "published_at": plan.published_at,
        "solver_status": plan.solver_status, "objective": plan.objective, "best_bound": plan.best_bound,
        "gap": plan.gap, "real_bound": plan_real_gap(plan)[0], "real_gap": plan_real_gap(plan)[1],
    }


def _appointment_out(row: dict[str, Any], consultants: dict[int, list[int]],
                     citizens: dict[int, list[int]]) -> dict[str, Any]:
    out = {key.removesuffix("_id"): value for key, value in row.items()}
    out["id"], out["uid"] = row["id"], str(row["uid"])
    out["consultants"], out["citizens"] = consultants.get(row["id"], []), citizens.get(row["id"], [])
    return out


def _appointment(scope: Scope, plan: Plan, appointment_id: int) -> Appointment:
    appointment = (
        plan.appointments.filter(pk=appointment_id).filter(_visible_appointments(scope)).distinct()
        .select_related("plan").first()
    )
    if appointment is None:
        raise not_found()
    return appointment


def _seen_version(body: int | None, if_match: str | None) -> int | None:
    if body is not None:
        return body
    if if_match:
        text = if_match.strip().removeprefix("W/").strip('"')
        if text.isdigit() and len(text) < 10:
            return int(text)
        raise FieldErrors([("If-Match", _("If-Match skal være planens version (et heltal)."))])
    return None


def _guarded(call: Any) -> None:
    """Run a plan change, mapping a stale version to 409 (with what changed) and a refusal to 422."""
    try:
        call()
    except StaleVersion as stale:
        raise ApiError(409, stale.message, code=stale.code, extra={
            "current_version": stale.plan.lock_version, "recent_changes": recent_changes(stale.plan)}) from None
    except MoveRefused as refused:
        raise FieldErrors([(refused.field, refused.message)]) from None


def _changed(plan_id: int, scope: Scope, call: Any) -> dict[str, Any]:
    _guarded(call)
    return plan_out(plan_for(scope, plan_id), scope)


def _audited(request: HttpRequest, body: dict[str, Any], action: str = AuditAction.VIEW) -> dict[str, Any]:
    return audit_plan_answer(request=request, body=body, action=action)


@router.get("", response={200: PlanOut, **ERRORS}, operation_id="plans_for_week",
            summary="Ugens plan for et center (kladde, ellers offentliggjort) / a week's plan for a site")
def plans_for_week(request: HttpRequest, params: Query[PlanQuery]) -> HttpResponse:
    # Who may read which site is checked here on every request; the answer itself may come from the
    # shared cache (api.plan_cache), keyed by the caller's scope.
    scope = scope_of(request)
    week_start = parse_week(params.week)
    if scope.consultant_id is not None and scope.site_ids == frozenset():
        site_id = resolve_site(params.site, _all_sites(scope))

        def own_appointments() -> dict[str, Any]:
            plan = plan_published_get(week_start=week_start, site_ids=[site_id])
            if plan is None:
                raise not_found()
            return plan_out(plan, scope, consultant_only=scope.consultant_id)

        return week_plan_answer(request, week_start=week_start, site_id=site_id, scope=scope,
                                consultant_only=scope.consultant_id, build=own_appointments)
    scope = planner_scope(request)
    site_id = resolve_site(params.site, scope)

    def site_plan() -> dict[str, Any]:
        plan = latest_plan(week_start=week_start, site_id=site_id)
        if plan is None:
            raise not_found()
        return plan_out(plan_for(scope, plan.pk), scope)

    return week_plan_answer(request, week_start=week_start, site_id=site_id, scope=scope, consultant_only=None,
                            build=site_plan)


def _all_sites(scope: Scope) -> Scope:
    return Scope(user=scope.user, site_ids=None, consultant_id=scope.consultant_id)


@router.get("/{plan_id}", response={200: PlanOut, **ERRORS}, operation_id="plans_read",
            summary="En plan med aftaler og ikke placerede / a plan with appointments and unplaced")
def plans_read(request: HttpRequest, plan_id: int = PLAN_ID) -> HttpResponse:
    scope = scope_of(request)
    if scope.consultant_id is not None and scope.site_ids == frozenset():
        plan = Plan.objects.filter(pk=plan_id, status=PlanStatus.PUBLISHED).prefetch_related("sites").first()
        if plan is None:
            raise not_found()
        return fast_json(_audited(request, plan_out(plan, scope, consultant_only=scope.consultant_id)))
    scope = planner_scope(request)
    return fast_json(_audited(request, plan_out(plan_for(scope, plan_id), scope)))


@router.post("/{plan_id}/appointments/{appointment_id}/pin", response={200: PlanOut, **ERRORS},
             operation_id="appointments_pin", summary="Fastlås en aftale / pin an appointment")
def appointments_pin(request: HttpRequest, payload: VersionIn, plan_id: int = PLAN_ID,
                     appointment_id: int = PLAN_ID, if_match: str | None = Header(None, max_length=20)) -> dict:
    return _set_pinned(request, payload, plan_id, appointment_id, if_match, pinned=True)


@router.post("/{plan_id}/appointments/{appointment_id}/unpin", response={200: PlanOut, **ERRORS},
             operation_id="appointments_unpin", summary="Frigør en aftale / unpin an appointment")
def appointments_unpin(request: HttpRequest, payload: VersionIn, plan_id: int = PLAN_ID,
                       appointment_id: int = PLAN_ID, if_match: str | None = Header(None, max_length=20)) -> dict:
    return _set_pinned(request, payload, plan_id, appointment_id, if_match, pinned=False)


def _set_pinned(request: HttpRequest, payload: VersionIn, plan_id: int, appointment_id: int, if_match: str | None,
                *, pinned: bool) -> dict:
    scope = planner_scope(request)
    appointment = _appointment(scope, plan_for(scope, plan_id), appointment_id)
    version = _seen_version(payload.version, if_match)
    return _audited(request, _changed(plan_id, scope,
                    lambda: appointment_pin(appointment=appointment, pinned=pinned, seen_version=version)),
                    AuditAction.CHANGE)


@router.post("/{plan_id}/appointments/{appointment_id}/move", response={200: PlanOut, **ERRORS},
             operation_id="appointments_move",
             summary="Flyt en aftale (tjekkes af verifikatoren) / move an appointment (verified)")
def appointments_move(request: HttpRequest, payload: MoveIn, plan_id: int = PLAN_ID,
                      appointment_id: int = PLAN_ID, if_match: str | None = Header(None, max_length=20)) -> dict:
    scope = planner_scope(request)
    appointment = _appointment(scope, plan_for(scope, plan_id), appointment_id)
    version = _seen_version(payload.version, if_match)
    start = payload.start if payload.start.tzinfo else payload.start.replace(tzinfo=_tz())
    return _audited(request, _changed(plan_id, scope, lambda: appointment_move(
        appointment=appointment, start=start, consultant_ids=payload.consultants, room_id=payload.room,
        seen_version=version, allowed_site_ids=scope.site_ids)), AuditAction.CHANGE)


@router.post("/{plan_id}/appointments/{appointment_id}/cancel", response={200: PlanOut, **ERRORS},
             operation_id="appointments_cancel", summary="Aflys en aftale / cancel an appointment")
def appointments_cancel(request: HttpRequest, payload: VersionIn, plan_id: int = PLAN_ID,
                        appointment_id: int = PLAN_ID, if_match: str | None = Header(None, max_length=20)) -> dict:
    scope = planner_scope(request)
    appointment = _appointment(scope, plan_for(scope, plan_id), appointment_id)
    version = _seen_version(payload.version, if_match)
    return _audited(request, _changed(plan_id, scope, lambda: appointment_cancel_locked(
        appointment=appointment, seen_version=version, user=request.auth)), AuditAction.CHANGE)


@router.post("/{plan_id}/replan", response={202: RunOut, **ERRORS}, operation_id="plans_replan",
             summary="Planlæg igen med fastlåste aftaler (ny kørsel) / re-plan keeping pins (a new run)")
def plans_replan(request: HttpRequest, payload: ReplanIn, plan_id: int = PLAN_ID) -> Status:
    scope = planner_scope(request)
    plan = plan_for(scope, plan_id)
    # The caller's sites of the plan; the part of other sites becomes a draft of its own when the run
    # starts (scheduler.planning.services.plan_drafts_split) instead of blocking a coordinator of one site.
    site_ids = sorted(s.pk for s in plan.sites.all() if scope.sees_site(s.pk))
    run = start_run(scope, request.auth, plan.week_start, site_ids, payload.time_limit, replan_of=plan,
                    allow_started_week=payload.allow_started_week)
    return Status(202, run_out(get_run(scope, run.pk)))


@router.post("/{plan_id}/publish", response={200: PlanSummaryOut, **ERRORS}, operation_id="plans_publish",
             summary="Offentliggør planen / publish the plan")
def plans_publish(request: HttpRequest, payload: PublishIn, plan_id: int = PLAN_ID,
                  if_match: str | None = Header(None, max_length=20)) -> dict:
    from scheduler.publishing.services import plan_publish

    scope = planner_scope(request)
    plan = plan_for(scope, plan_id)
    if scope.site_ids is not None and not {s.pk for s in plan.sites.all()} <= scope.site_ids:
        raise forbidden()
    version = _seen_version(payload.version, if_match)

    def publish() -> None:
        nonlocal plan
        plan = plan_publish(plan=plan, seen_version=version, user=request.auth,
                            allow_started_week=payload.allow_started_week)

    _guarded(publish)
    return plan_summary(Plan.objects.prefetch_related("sites").get(pk=plan.pk))


@router.post("/{plan_id}/proposals/accept", response={200: PlanOut, **ERRORS}, operation_id="plans_proposals_accept",
             summary="Godkend kladdens forslag (kontaktpersoner, holdpladser) / accept the draft's proposals")
def plans_proposals_accept(request: HttpRequest, payload: VersionIn, plan_id: int = PLAN_ID,
                           if_match: str | None = Header(None, max_length=20)) -> dict:
    from scheduler.editing.services import plan_proposals_accept

    scope = planner_scope(request)
    plan = plan_for(scope, plan_id)
    # The proposals name enrolments of every site of the plan: only a coordinator of all of them accepts.
    if scope.site_ids is not None and not {s.pk for s in plan.sites.all()} <= scope.site_ids:
        raise forbidden()
    version = _seen_version(payload.version, if_match)
    return _audited(request, _changed(plan_id, scope, lambda: plan_proposals_accept(
        plan=plan, seen_version=version)), AuditAction.CHANGE)


@router.get("/{plan_id}/export", response={200: dict[str, Any], **ERRORS}, operation_id="plans_export",
            summary="Planen som JSON (docs/plan-format.md) / the plan as JSON")
def plans_export(request: HttpRequest, plan_id: int = PLAN_ID) -> dict[str, Any]:
    scope = planner_scope(request)
    plan = plan_for(scope, plan_id)
    if scope.site_ids is not None and not {s.pk for s in plan.sites.all()} <= scope.site_ids:
        raise forbidden()
    audit_record(actor=request.auth, action=AuditAction.EXPORT, object_repr=f"Plan {plan.pk} (eksport)",
                 citizen_ids=plan.appointments.filter(citizens__isnull=False).values_list("citizens", flat=True),
                 request=request)
    return _export(plan)


def _export(plan: Plan) -> dict[str, Any]:
    from scheduler.planning.selectors import plan_export

    return plan_export(plan=plan)


@router.get("/{plan_id}/options", response={200: list[OptionOut], **ERRORS}, operation_id="plans_options",
            summary="Hvor kunne én samtale mere ligge? / where could one more talk go this week?")
def plans_options(request: HttpRequest, params: Query[OptionsQuery], plan_id: int = PLAN_ID) -> list[dict]:
    from scheduler.editing.options import talk_options

    scope = planner_scope(request)
    plan = plan_for(scope, plan_id)
    from scheduler.models import Citizen

    citizen = Citizen.objects.filter(pk=params.citizen).first()
    if citizen is None or not scope.sees_site(citizen.site_id):
        raise FieldErrors([("citizen", _("Ukendt borger."))])
    audit_record(actor=request.auth, action=AuditAction.VIEW, citizen_ids=[citizen.pk],
                 object_repr=f"Plan {plan.pk} (muligheder)", request=request)
    return talk_options(plan=plan, citizen=citizen, kind=params.kind, duration=params.duration, limit=params.limit)


def _tz() -> Any:
    from django.utils import timezone

    return timezone.get_current_timezone()


