"""Background planning runs ("Planlæg ugen"): start, progress, cancel, sweep.

A SolveRun row is created before the django-q2 task is enqueued; the task takes only the run id,
claims the run atomically (a second delivery finds it no longer queued and does nothing), reports
progress at most about once a second and lets the planning service store the draft in one transaction
at the end. A worker that dies leaves earlier drafts and published plans untouched.

Every run ends: the periodic sweep (every minute, django-q2 Schedule "solve-runs-sweep") fails running
runs whose heartbeat stopped, sends a queued run's message again when no worker claimed it within
QUEUED_RESEND_AFTER (a lost message: a broker restarted, a cluster killed with the message in hand) and
fails a queued run nobody claimed within `queued_give_up_after()`. Cancelling a run whose worker stopped
reporting (no heartbeat for DEAD_AFTER) ends it at once. For a queued run `heartbeat_at` is the time its
message was last sent.
"""
import logging
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import date, timedelta

from django.conf import settings
from django.db import close_old_connections, connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from rooms.models import Site
from scheduler.errors import DomainError, PlanningCancelled
from scheduler.models import Plan, PlanStatus, SolvePart, SolveRun, SolveRunStatus
from scheduler.planning.weeks import MAX_WEEKS
from scheduler.weeks import started_week_check
from solver.problem import Problem, Solution

log = logging.getLogger(__name__)

ACTIVE = (SolveRunStatus.QUEUED, SolveRunStatus.RUNNING)
HEARTBEAT_SECONDS = 1.0
STALE_AFTER = timedelta(minutes=5)
# A live worker writes a heartbeat every second: fifteen missed ones mean it is gone (or frozen so
# hard that stopping it is right anyway). Only a cancel acts on this; the sweep waits STALE_AFTER.
DEAD_AFTER = timedelta(seconds=15)
# Re-sending is harmless (the task claims its run once; a second delivery is "skipped"), so a queued
# run is re-sent early; a busy queue only delivers a few extra no-ops.
QUEUED_RESEND_AFTER = timedelta(minutes=5)
TASK = "scheduler.tasks.solve_run_task"


class RunConflict(DomainError):
    code = "run_conflict"
    conflict = True

    def __init__(self, message: str, *, run: SolveRun) -> None:
        super().__init__(message)
        self.run = run


class RunError(DomainError):
    code = "run_error"


def queued_give_up_after() -> timedelta:
    """How long a run may wait in the queue before the sweep fails it: twice django-q2's task timeout
    (at least 30 minutes), so a queue busy with long solves is not mistaken for a lost message."""
    return max(timedelta(minutes=30), timedelta(seconds=2 * settings.Q_TIMEOUT_SECONDS))


def max_time_limit() -> int:
    # CP-SAT must stop well before django-q2's timeout (which is below its retry): room for storing.
    return max(1, int(settings.Q_TIMEOUT_SECONDS * 0.8))


@transaction.atomic
def solve_run_create(
    *, week_start: date, site_ids: Iterable[int], user: object | None = None, time_limit: int | None = None,
    replan_of: Plan | None = None, allow_started_week: bool = True, weeks: int = 1,
) -> SolveRun:
    """A queued run; the task is enqueued when the transaction commits. 409 if one overlaps. The web and the
    API pass the person's explicit answer as `allow_started_week`: False refuses a week that has begun
    (scheduler.weeks.started_week_check). `weeks` > 1 plans that many weeks from `week_start` as one run
    (scheduler.planning.weeks), `time_limit` per week; all of them together must stay below the task
    timeout.

    The web and the API check the planning window first (scheduler.weeks.planning_week_check); commands
    and tests may plan any week.
    """
    site_ids = sorted(set(site_ids))
    if not site_ids:
        raise RunError(_("Vælg mindst ét center."), field="sites")
    started_week_check(week_start, allow=allow_started_week)
    if not 1 <= weeks <= MAX_WEEKS:
        raise RunError(_("Antal uger skal være mellem 1 og %(max)s.") % {"max": MAX_WEEKS}, field="weeks")
    if time_limit is not None and not 1 <= time_limit <= max_time_limit() // weeks:
        raise RunError(_("Tidsgrænsen skal være mellem 1 og %(max)s sekunder.") % {"max": max_time_limit() // weeks},
                       field="time_limit")
    # Locking the sites serialises two coordinators pressing "Planlæg" at once (PostgreSQL; SQLite's
    # IMMEDIATE transactions serialise writers anyway).
    list(Site.objects.select_for_update().filter(pk__in=site_ids).order_by("pk").values_list("pk", flat=True))
    last = week_start + timedelta(weeks=weeks - 1)
    running = next((
        other for other in SolveRun.objects.filter(
            week_start__range=(week_start - timedelta(weeks=MAX_WEEKS - 1), last), sites__in=site_ids,
            status__in=ACTIVE,
        ).distinct().order_by("created_at")
        if other.week_start + timedelta(weeks=other.weeks - 1) >= week_start
    ), None)
    if running is not None:
        raise RunConflict(
            _("Ugen planlægges allerede for et af centrene (kørsel %(id)s, %(status)s). Vent eller annullér den.")
            % {"id": running.pk, "status": running.get_status_display().lower()},
            run=running,
        )
    run = SolveRun.objects.create(
        week_start=week_start, time_limit=time_limit, created_by=user if getattr(user, "pk", None) else None,
        replan_of=replan_of, weeks=weeks,
    )
    run.sites.set(site_ids)
    # robust: a broker that is down must not turn the answer into a 500 after the run was committed;
    # the sweep sends the message again (solve_runs_sweep).
    transaction.on_commit(lambda: solve_run_enqueue(run=run), robust=True)
    return run


def solve_run_enqueue(*, run: SolveRun) -> None:
    from django_q.tasks import async_task

    task_id = async_task(TASK, run.pk, task_name=f"solve-run-{run.pk}", group="planning")
    SolveRun.objects.filter(pk=run.pk, status=SolveRunStatus.QUEUED).update(
        task_id=str(task_id)[:64], heartbeat_at=timezone.now())


def solve_run_cancel(*, run: SolveRun, dead_after: timedelta = DEAD_AFTER) -> SolveRun:
    """A queued run, or a running one whose worker stopped reporting, is cancelled at once; a running one
    with a live worker stops at the solver's next check (about a second). Nothing is stored either way."""
    now = timezone.now()
    ended = SolveRun.objects.filter(pk=run.pk, status=SolveRunStatus.QUEUED).update(
        status=SolveRunStatus.CANCELLED, cancel_requested=True, finished_at=now,
        message=_("Annulleret før start."),
    ) or SolveRun.objects.filter(
        Q(heartbeat_at__isnull=True) | Q(heartbeat_at__lt=now - dead_after),
        pk=run.pk, status=SolveRunStatus.RUNNING,
    ).update(
        status=SolveRunStatus.CANCELLED, cancel_requested=True, finished_at=now,
        message=_("Annulleret: baggrundsarbejderen svarede ikke længere. Intet er gemt; den tidligere kladde og "
                  "offentliggjorte planer er urørte."),
    )
    if ended:
        # Parts of a split run that never started must not start now (a running part notices the run).
        SolvePart.objects.filter(run_id=run.pk, status=SolveRunStatus.QUEUED).update(
            status=SolveRunStatus.CANCELLED, finished_at=now)
    else:
        SolveRun.objects.filter(pk=run.pk, status=SolveRunStatus.RUNNING).update(cancel_requested=True)
    run.refresh_from_db()
    return run


def solve_runs_sweep(
    *, stale_after: timedelta = STALE_AFTER, resend_after: timedelta = QUEUED_RESEND_AFTER,
    give_up_after: timedelta | None = None,
) -> int:
    """End what would otherwise never end; returns how many runs it failed. Safe to run any number of times.

    - running, no heartbeat for `stale_after`: failed (the worker died);
    - queued for longer than `give_up_after` (default queued_give_up_after()): failed (no worker took it);
    - queued, message last sent more than `resend_after` ago: the message is sent again.
    """
    now = timezone.now()
    minutes = int(stale_after.total_seconds() // 60)
    failed = SolveRun.objects.filter(status=SolveRunStatus.RUNNING, heartbeat_at__lt=now - stale_after).update(
        status=SolveRunStatus.FAILED, finished_at=now,
        message=_(
            "Baggrundsarbejderen stoppede uden at melde tilbage i %(minutes)s minutter. "
            "Tidligere kladder og offentliggjorte planer er urørte. Start planlægningen igen."
        ) % {"minutes": minutes},
    )
    give_up = give_up_after if give_up_after is not None else queued_give_up_after()
    failed += SolveRun.objects.filter(status=SolveRunStatus.QUEUED, created_at__lt=now - give_up).update(
        status=SolveRunStatus.FAILED, finished_at=now,
        message=_(
            "Kørslen blev aldrig startet: ingen baggrundsarbejder tog den i %(minutes)s minutter. "
            "Tidligere kladder og offentliggjorte planer er urørte. Start planlægningen igen."
        ) % {"minutes": int(give_up.total_seconds() // 60)},
    )
    cutoff = now - resend_after
    waiting = SolveRun.objects.filter(status=SolveRunStatus.QUEUED).filter(
        Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True, created_at__lt=cutoff))
    for run in waiting:
        # Taking the resend with a conditional update: two sweeps at once send it once.
        if SolveRun.objects.filter(pk=run.pk, status=SolveRunStatus.QUEUED, heartbeat_at=run.heartbeat_at).update(
                heartbeat_at=now):
            log.warning("solve run %s was not claimed within %s: sending it again", run.pk, resend_after)
            try:
                solve_run_enqueue(run=run)
            except Exception:  # the broker may still be down; the next sweep tries again
                log.exception("sending solve run %s again failed", run.pk)
    return failed


@dataclass
class _Latest:
    objective: float | None = None
    bound: float | None = None


class ProgressReporter:
    """on_progress for the planning service, plus a heartbeat thread that writes at most once a second.

    CP-SAT calls back only when it finds a better plan, so the heartbeat also keeps elapsed time and
    progress moving between solutions and notices a cancel request. Calling the reporter returns True
    when the run should stop (the `should_stop` convention the solver can honour with stop_search()).
    """

    def __init__(self, run: SolveRun, time_limit: float) -> None:
        self.run_id = run.pk
        self.time_limit = max(time_limit, 1.0)
        self.t0 = time.monotonic()
        self.latest = _Latest()
        self.stop_requested = threading.Event()
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._beat, name=f"solve-run-{run.pk}-heartbeat", daemon=True)

    def __call__(self, objective: float, bound: float, elapsed: float | None = None) -> bool:
        self.latest = _Latest(objective=float(objective), bound=float(bound))
        return self.stop_requested.is_set()

    def should_stop(self) -> bool:
        return self.stop_requested.is_set()

    def __enter__(self) -> "ProgressReporter":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._done.set()
        self._thread.join(timeout=10)

    def _beat(self) -> None:
        try:
            while not self._done.wait(HEARTBEAT_SECONDS):
                self.write()
        finally:
            connection.close()

    def write(self) -> None:
        elapsed = time.monotonic() - self.t0
        latest = self.latest
        gap = None
        if latest.objective is not None and latest.bound is not None and latest.objective:
            gap = max(0.0, (latest.objective - latest.bound) / abs(latest.objective))
        try:
            close_old_connections()
            SolveRun.objects.filter(pk=self.run_id, status=SolveRunStatus.RUNNING).update(
                heartbeat_at=timezone.now(), elapsed_seconds=round(elapsed, 2),
                progress=min(0.99, elapsed / self.time_limit),
                objective=latest.objective, best_bound=latest.bound, gap=gap,
            )
            if SolveRun.objects.filter(pk=self.run_id, cancel_requested=True).exists():
                self.stop_requested.set()
        except Exception:  # a missed heartbeat must never kill the solve
            log.exception("heartbeat for solve run %s failed", self.run_id)


def solve_run_execute(*, run_id: int) -> str:
    """Claim and execute a run; returns what happened ("skipped" for a repeated delivery).

    A run whose problem splits into several independent parts and is large enough
    (settings.PLANNER_SPLIT_MIN_TASKS) stores each part on a SolvePart and enqueues one task per part
    ("split"); the last part to finish merges and stores the draft (solve_part_execute).
    """
    from scheduler.planning.services import plan_prepare, plan_solution_check, plan_store
    from solver.cpsat import solve
    from solver.decompose import decompose

    now = timezone.now()
    claimed = SolveRun.objects.filter(pk=run_id, status=SolveRunStatus.QUEUED).update(
        status=SolveRunStatus.RUNNING, started_at=now, heartbeat_at=now, attempts=F("attempts") + 1,
        message="",
    )
    if not claimed:
        return "skipped"
    run = SolveRun.objects.get(pk=run_id)
    if run.weeks > 1:
        return _execute_weeks(run)
    time_limit = float(run.time_limit or settings.PLANNER_TIME_LIMIT_SECONDS)
    site_ids = list(run.sites.values_list("pk", flat=True))
    try:
        with ProgressReporter(run, time_limit) as reporter:
            built = plan_prepare(week_start=run.week_start, site_ids=site_ids, time_limit=time_limit)
            parts = decompose(built.problem)
            if len(parts) > 1 and len(built.problem.tasks) >= settings.PLANNER_SPLIT_MIN_TASKS:
                solve_parts_create(run=run, parts=parts)
                return "split"
            t0 = time.perf_counter()
            solution = _solve_cancellable(lambda stop: solve(built.problem, reporter, stop=stop), reporter)
            solve_seconds = time.perf_counter() - t0
            if solution is None or reporter.should_stop():
                return _cancelled(run_id)
            plan_solution_check(built=built, solution=solution)
            plan = _store_if_still_wanted(run_id, lambda: plan_store(
                built=built, solution=solution, user=run.created_by, solve_seconds=solve_seconds,
                verified_violations=0))
            if plan is None:
                return _cancelled(run_id)
    except PlanningCancelled:
        return _cancelled(run_id)
    except DomainError as error:
        _finish(run_id, SolveRunStatus.FAILED, message=error.message)
        return "failed"
    except Exception:
        log.exception("solve run %s failed", run_id)
        _finish(run_id, SolveRunStatus.FAILED, message=_(
            "Planlægningen fejlede uventet. Tidligere kladder og offentliggjorte planer er urørte."))
        raise
    return str(SolveRunStatus.DONE)


def _execute_weeks(run: SolveRun) -> str:
    """A run of several weeks (scheduler.planning.weeks): one draft per week, stored week by week, so a
    cancel or a failure after a week leaves that week's new draft (an ordinary draft) and nothing later."""
    from scheduler.planning.weeks import plan_weeks_create_drafts

    per_week = float(run.time_limit or min(settings.PLANNER_TIME_LIMIT_SECONDS, max_time_limit() // run.weeks))
    site_ids = list(run.sites.values_list("pk", flat=True))
    stored: list[Plan] = []

    def week_done(index: int, plan: Plan) -> None:
        stored.append(plan)
        run.week_plans.add(plan)
        if index == 0:
            SolveRun.objects.filter(pk=run.pk).update(plan=plan)
        if reporter.should_stop():
            raise PlanningCancelled(_("Annulleret."))

    try:
        with ProgressReporter(run, per_week * run.weeks) as reporter:
            plan_weeks_create_drafts(
                week_start=run.week_start, weeks=run.weeks, site_ids=site_ids, user=run.created_by,
                time_limit=per_week, on_week=week_done, on_progress=reporter,
            )
    except PlanningCancelled:
        _finish(run.pk, SolveRunStatus.CANCELLED, message=_(
            "Annulleret efter %(n)s af %(weeks)s uger: de planlagte ugers kladder er gemt, de øvrige uger er "
            "urørte.") % {"n": len(stored), "weeks": run.weeks})
        return str(SolveRunStatus.CANCELLED)
    except DomainError as error:
        _finish(run.pk, SolveRunStatus.FAILED, message=error.message)
        return "failed"
    except Exception:
        log.exception("solve run %s failed", run.pk)
        _finish(run.pk, SolveRunStatus.FAILED, message=_(
            "Planlægningen fejlede uventet. Kladder for de uger, der allerede var planlagt, er gemt; "
            "offentliggjorte planer er urørte."))
        raise
    first = stored[0]
    _finish(
        run.pk, SolveRunStatus.DONE, message="", plan=first, objective=first.objective, best_bound=first.best_bound,
        gap=first.gap, unplaced_count=sum(p.unplaced.count() for p in stored), progress=1.0,
    )
    return str(SolveRunStatus.DONE)


def _store_if_still_wanted(run_id: int, store: Callable[[], Plan]) -> Plan | None:
    """Store the draft and finish the run in one transaction, unless the run was cancelled meanwhile
    (a cancel that found no heartbeat ends the run at once, so a slow worker must not store after it)."""
    with transaction.atomic():
        run = SolveRun.objects.select_for_update().filter(pk=run_id).values("status", "cancel_requested").first()
        if run is None or run["status"] != SolveRunStatus.RUNNING or run["cancel_requested"]:
            return None
        plan = store()
        _stored(run_id, plan)
        return plan


def _solve_cancellable(
    solve_fn: Callable[[threading.Event], Solution], reporter: ProgressReporter
) -> Solution | None:
    """Run the solver in a helper thread; None as soon as a cancel is noticed (heartbeat, ≤ ~1 s).

    A cancel sets the stop event, which makes CP-SAT stop within a fraction of a second (it would
    otherwise only stop at its next better plan); the thread is joined so no search keeps burning CPU.
    A cancelled run stores nothing.
    """
    box: dict[str, object] = {}
    stop = threading.Event()

    def target() -> None:
        try:
            box["solution"] = solve_fn(stop)
        except BaseException as error:  # re-raised in the task's thread
            box["error"] = error

    thread = threading.Thread(target=target, name="solve", daemon=True)
    thread.start()
    while thread.is_alive():
        thread.join(timeout=0.2)
        if reporter.should_stop() and thread.is_alive():
            stop.set()
            thread.join()
            return None
    if "error" in box:
        raise box["error"]  # type: ignore[misc]
    return box["solution"]  # type: ignore[return-value]


def _stored(run_id: int, plan: Plan) -> str:
    _finish(
        run_id, SolveRunStatus.DONE, message="", plan=plan, objective=plan.objective, best_bound=plan.best_bound,
        gap=plan.gap, unplaced_count=plan.unplaced.count(), progress=1.0,
    )
    return str(SolveRunStatus.DONE)


def _cancelled(run_id: int) -> str:
    """A cancelled run stores nothing: the previous draft and every published plan stay as they were."""
    _finish(run_id, SolveRunStatus.CANCELLED, message=_(
        "Annulleret: intet er gemt. Den tidligere kladde og offentliggjorte planer er urørte."))
    return str(SolveRunStatus.CANCELLED)


# -- decomposed runs: one background task per independent part ---------------------------------------

PART_TASK = "scheduler.tasks.solve_part_task"


def solve_parts_create(*, run: SolveRun, parts: list) -> list[SolvePart]:  # solver Problems
    """Store each part's problem and enqueue one task per part once the rows are committed."""
    from solver.serialize import problem_to_dict

    with transaction.atomic():
        rows = SolvePart.objects.bulk_create([
            SolvePart(run=run, index=i, task_count=len(part.tasks), problem=problem_to_dict(part))
            for i, part in enumerate(parts)
        ])
        ids = list(SolvePart.objects.filter(run=run).order_by("index").values_list("pk", flat=True))
        transaction.on_commit(lambda: [solve_part_enqueue(part_id=pk, run_id=run.pk) for pk in ids])
    return rows


def solve_parts_submit(*, parts: list, time_limit: int, week_start: date) -> SolveRun:  # solver Problems
    """Solve the parts of a solver problem with no week in the database behind them (bench.cluster): the
    same part tasks, claims, heartbeats and join as a split planning run, so a cluster can be measured on
    generated weeks. The run has no sites and is running from the start; each part's problem carries its
    own parameters (CP-SAT threads); each part gets `time_limit` seconds. When the last part finishes, the
    parts are merged and checked (solver.decompose.merge) and the run ends "done" with the summed objective
    and bound, but no draft is stored: the caller reads each SolvePart.solution (solver.serialize)."""
    if not parts:
        raise ValueError("nothing to solve")
    if not 1 <= time_limit <= max_time_limit():
        raise ValueError(f"time_limit must be between 1 and {max_time_limit()} seconds (Q_TIMEOUT_SECONDS)")
    now = timezone.now()
    run = SolveRun.objects.create(week_start=week_start, time_limit=time_limit, status=SolveRunStatus.RUNNING,
                                  started_at=now, heartbeat_at=now, attempts=1)
    solve_parts_create(run=run, parts=parts)
    return run


def solve_part_enqueue(*, part_id: int, run_id: int) -> None:
    from django_q.tasks import async_task

    async_task(PART_TASK, part_id, task_name=f"solve-run-{run_id}-part-{part_id}", group="planning")


class PartReporter(ProgressReporter):
    """Progress of one part: written on the part, and the run shows the aggregate of all its parts."""

    def __init__(self, part: SolvePart, time_limit: float) -> None:
        super().__init__(part.run, time_limit)
        self.part_id = part.pk

    def write(self) -> None:
        elapsed = time.monotonic() - self.t0
        latest = self.latest
        try:
            close_old_connections()
            now = timezone.now()
            SolvePart.objects.filter(pk=self.part_id, status=SolveRunStatus.RUNNING).update(
                heartbeat_at=now, elapsed_seconds=round(elapsed, 2), progress=min(0.99, elapsed / self.time_limit),
                objective=latest.objective, best_bound=latest.bound,
            )
            _run_progress(self.run_id)
            run = SolveRun.objects.filter(pk=self.run_id).values("status", "cancel_requested").first()
            if run is None or run["cancel_requested"] or run["status"] != SolveRunStatus.RUNNING:
                self.stop_requested.set()
        except Exception:  # a missed heartbeat must never kill the solve
            log.exception("heartbeat for solve part %s failed", self.part_id)


def _run_progress(run_id: int) -> None:
    """The run's progress = the mean of its parts'; objective and bound = sums once every part reported."""
    parts = list(SolvePart.objects.filter(run_id=run_id).values_list("progress", "objective", "best_bound"))
    if not parts:
        return
    now = timezone.now()
    fields: dict[str, object] = {"heartbeat_at": now, "progress": min(0.99, sum(p[0] for p in parts) / len(parts))}
    if all(p[1] is not None for p in parts):
        objective = sum(p[1] for p in parts)
        fields["objective"] = objective
        if all(p[2] is not None for p in parts):
            bound = sum(p[2] for p in parts)
            fields["best_bound"] = bound
            fields["gap"] = max(0.0, (objective - bound) / abs(objective)) if objective else None
    started = SolveRun.objects.filter(pk=run_id).values_list("started_at", flat=True).first()
    if started:
        fields["elapsed_seconds"] = round((now - started).total_seconds(), 2)
    SolveRun.objects.filter(pk=run_id, status=SolveRunStatus.RUNNING).update(**fields)


def solve_part_execute(*, part_id: int) -> str:
    """Claim one part (a second delivery does nothing), solve it, store its solution; the last part to
    finish merges all parts and stores the draft."""
    from solver.cpsat import solve_part
    from solver.serialize import problem_from_dict, solution_to_dict

    now = timezone.now()
    claimed = SolvePart.objects.filter(pk=part_id, status=SolveRunStatus.QUEUED).update(
        status=SolveRunStatus.RUNNING, started_at=now, heartbeat_at=now, attempts=F("attempts") + 1,
    )
    if not claimed:
        return "skipped"
    part = SolvePart.objects.select_related("run").get(pk=part_id)
    run = part.run
    if run.status != SolveRunStatus.RUNNING or run.cancel_requested:
        SolvePart.objects.filter(pk=part_id).update(status=SolveRunStatus.CANCELLED, finished_at=timezone.now())
        return _parts_finish(run.pk)
    time_limit = float(run.time_limit or settings.PLANNER_TIME_LIMIT_SECONDS)
    try:
        with PartReporter(part, time_limit) as reporter:
            # Each part gets the run's whole time limit: the parts run side by side on several workers.
            problem = problem_from_dict(part.problem)
            solution = _solve_cancellable(
                lambda stop: solve_part(problem, reporter, max_time=time_limit, stop=stop), reporter
            )
    except Exception:
        log.exception("solve part %s of run %s failed", part_id, run.pk)
        SolvePart.objects.filter(pk=part_id).update(status=SolveRunStatus.FAILED, finished_at=timezone.now())
        _finish(run.pk, SolveRunStatus.FAILED, message=_(
            "Planlægningen fejlede uventet. Tidligere kladder og offentliggjorte planer er urørte."))
        raise
    if solution is None or reporter.should_stop() or solution.cancelled:
        SolvePart.objects.filter(pk=part_id, status=SolveRunStatus.RUNNING).update(
            status=SolveRunStatus.CANCELLED, finished_at=timezone.now(), heartbeat_at=timezone.now())
        return _parts_finish(run.pk)
    SolvePart.objects.filter(pk=part_id, status=SolveRunStatus.RUNNING).update(
        status=SolveRunStatus.DONE, solution=solution_to_dict(solution),
        objective=solution.objective, best_bound=solution.best_bound, progress=1.0, finished_at=timezone.now(),
        heartbeat_at=timezone.now(),
    )
    _run_progress(run.pk)
    return _parts_finish(run.pk)


def _parts_finish(run_id: int) -> str:
    """Called after each part; the call that sees every part finished merges and stores, once."""
    from scheduler.planning.services import plan_prepare, plan_solution_check, plan_store
    from solver.decompose import MergeError, merge
    from solver.serialize import problem_from_dict, solution_from_dict

    with transaction.atomic():
        # The row lock (PostgreSQL; SQLite's IMMEDIATE transactions) makes two parts finishing at the
        # same moment take turns: the second sees the run finished and does nothing.
        run = SolveRun.objects.select_for_update().filter(pk=run_id).first()
        if run is None or run.status != SolveRunStatus.RUNNING:
            return "part-done"
        parts = list(SolvePart.objects.filter(run_id=run_id).order_by("index"))
        if any(p.status in ACTIVE for p in parts):
            return "part-done"
        if run.cancel_requested or any(p.status == SolveRunStatus.CANCELLED for p in parts):
            return _cancelled(run_id)
        if any(p.status != SolveRunStatus.DONE for p in parts):
            _finish(run_id, SolveRunStatus.FAILED, message=_(
                "En del af planlægningen fejlede. Tidligere kladder og offentliggjorte planer er urørte."))
            return "failed"
        problems = [problem_from_dict(p.problem) for p in parts]
        whole = replace(
            problems[0],
            sites=tuple(x for pr in problems for x in pr.sites), rooms=tuple(x for pr in problems for x in pr.rooms),
            consultants=tuple(x for pr in problems for x in pr.consultants),
            citizens=tuple(x for pr in problems for x in pr.citizens),
            tasks=tuple(x for pr in problems for x in pr.tasks),
        )
        if not run.sites.exists():  # solve_parts_submit: no week behind the run, nothing to store
            return _parts_joined(run_id, whole, [solution_from_dict(p.solution) for p in parts])
        try:
            solution = merge(whole, [solution_from_dict(p.solution) for p in parts])
            # The demands (what each task means in rows) are read again; the data must not have changed
            # under the run in a way that removes a task.
            rebuilt = plan_prepare(week_start=run.week_start, site_ids=run.sites.values_list("pk", flat=True))
            missing = [t.id for t in whole.tasks if t.id not in rebuilt.demands]
            if missing:
                raise MergeError(f"tasks no longer due: {missing[:5]}")
            # Everything else (notes, identities, held cancellations) as read again.
            built = replace(rebuilt, problem=whole)
            plan_solution_check(built=built, solution=solution)
        except MergeError:
            log.exception("merging the parts of run %s failed", run_id)
            _finish(run_id, SolveRunStatus.FAILED, message=_(
                "Data blev ændret under planlægningen, så delene passer ikke sammen. Start planlægningen igen."))
            return "failed"
        except PlanningCancelled:
            return _cancelled(run_id)
        except DomainError as error:
            _finish(run_id, SolveRunStatus.FAILED, message=error.message)
            return "failed"
        seconds = max(float(p.elapsed_seconds) for p in parts)
        plan = plan_store(built=built, solution=solution, user=run.created_by, solve_seconds=seconds,
                          verified_violations=0)
        return _stored(run_id, plan)


def _parts_joined(run_id: int, whole: Problem, solutions: list[Solution]) -> str:
    """The end of a run from solve_parts_submit: merge and check the parts, keep the sums on the run."""
    from solver.decompose import MergeError, merge

    try:
        solution = merge(whole, solutions)
    except MergeError:
        log.exception("merging the parts of run %s failed", run_id)
        _finish(run_id, SolveRunStatus.FAILED, message=_("Delene passer ikke sammen."))
        return "failed"
    _finish(run_id, SolveRunStatus.DONE, message="", objective=solution.objective, best_bound=solution.best_bound,
            gap=solution.gap, unplaced_count=len(solution.unplaced), progress=1.0)
    return "joined"


def _finish(run_id: int, status: str, **fields: object) -> None:
    started = SolveRun.objects.filter(pk=run_id).values_list("started_at", flat=True).first()
    now = timezone.now()
    elapsed = (now - started).total_seconds() if started else 0.0
    SolveRun.objects.filter(pk=run_id, status=SolveRunStatus.RUNNING).update(
        status=status, finished_at=now, heartbeat_at=now, elapsed_seconds=round(elapsed, 2), **fields
    )


def sites_planned_together(*, week_start: date, site_ids: Iterable[int]) -> set[int]:
    """The sites a run for `site_ids` must cover: these plus every site of a draft of the week that
    covers one of them (and so on), because planning replaces whole drafts, never part of one."""
    sites = set(site_ids)
    while True:
        drafts = Plan.objects.filter(week_start=week_start, status=PlanStatus.DRAFT, sites__in=sites)
        wider = sites | set(Site.objects.filter(plans__in=drafts).values_list("pk", flat=True))
        if wider == sites:
            return sites
        sites = wider
