"""Planning runs: start (202), poll, cancel."""
from datetime import date

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Path, Router, Status

from api.auth import Scope, planner_scope
from api.crud import MAX_ID, parse_week, resolve_site
from api.errors import ERRORS, ApiError, FieldErrors, not_found
from api.schemas.plans import RunIn, RunOut
from scheduler.models import SolveRun
from scheduler.planning.runs import RunConflict, RunError, solve_run_cancel, solve_run_create
from scheduler.planning.selectors import plan_real_gap
from scheduler.weeks import WeekError, iso_week_label, planning_week_check

router = Router(tags=["Planlægning / Planning runs"])


def run_out(run: SolveRun) -> dict:
    real = plan_real_gap(run.plan) if run.plan_id else (None, None)
    return {
        "id": run.pk, "week": iso_week_label(run.week_start), "sites": sorted(s.pk for s in run.sites.all()),
        "status": run.status, "progress": run.progress, "objective": run.objective, "best_bound": run.best_bound,
        "gap": run.gap, "real_bound": real[0], "real_gap": real[1],
        "elapsed_seconds": run.elapsed_seconds, "unplaced": run.unplaced_count,
        "plan_id": run.plan_id, "message": run.message, "cancel_requested": run.cancel_requested,
        "created_at": run.created_at, "started_at": run.started_at, "finished_at": run.finished_at,
        "weeks": run.weeks,
        "plan_ids": [p.pk for p in sorted(run.week_plans.all(), key=lambda p: p.week_start)] if run.weeks > 1
        else [run.plan_id] if run.plan_id else [],
    }


def get_run(scope: Scope, run_id: int) -> SolveRun:
    run = SolveRun.objects.filter(pk=run_id).prefetch_related("sites").first()
    if run is None or (scope.site_ids is not None and not {s.pk for s in run.sites.all()} <= scope.site_ids):
        raise not_found()
    return run


def start_run(scope: Scope, user: object, week_start: date, site_ids: list[int], time_limit: int | None,
              replan_of: object = None, *, allow_started_week: bool = False, weeks: int = 1) -> SolveRun:
    try:
        planning_week_check(week_start)
    except WeekError as error:
        raise FieldErrors([("week", str(error))]) from None
    try:
        return solve_run_create(week_start=week_start, site_ids=site_ids, user=user, time_limit=time_limit,
                                replan_of=replan_of, allow_started_week=allow_started_week, weeks=weeks)
    except RunConflict as conflict:
        raise ApiError(409, conflict.message, code=conflict.code, extra={"run_id": conflict.run.pk}) from None
    except RunError as error:
        raise FieldErrors([(error.field, error.message)]) from None


@router.post("", response={202: RunOut, **ERRORS}, operation_id="plan_runs_start",
             summary="Planlæg ugen i baggrunden / plan the week in the background")
def runs_start(request: HttpRequest, payload: RunIn) -> Status:
    scope = planner_scope(request)
    week_start = parse_week(payload.week)
    site_ids = sorted({resolve_site(value, scope, "sites") for value in payload.sites})
    run = start_run(scope, request.auth, week_start, site_ids, payload.time_limit,
                    allow_started_week=payload.allow_started_week, weeks=payload.weeks)
    return Status(202, run_out(get_run(scope, run.pk)))


@router.get("/{run_id}", response={200: RunOut, **ERRORS}, operation_id="plan_runs_read",
            summary="Status for en kørsel / run status and progress")
def runs_read(request: HttpRequest, run_id: int = Path(..., ge=1, le=MAX_ID)) -> dict:
    return run_out(get_run(planner_scope(request), run_id))


@router.post("/{run_id}/cancel", response={200: RunOut, **ERRORS}, operation_id="plan_runs_cancel",
             summary="Annullér en kørsel / cancel a run")
def runs_cancel(request: HttpRequest, run_id: int = Path(..., ge=1, le=MAX_ID)) -> dict:
    scope = planner_scope(request)
    run = get_run(scope, run_id)
    if run.status not in ("queued", "running"):
        raise ApiError(409, _("Kørslen er allerede afsluttet."), code="run_finished")
    return run_out(get_run(scope, solve_run_cancel(run=run).pk))
