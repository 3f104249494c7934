"""A run whose week splits into independent parts solves each part as its own task (what django-q2 runs),
merges when the last part finishes and stores one draft; a redelivered part does nothing. A cancelled
run stores nothing: the previous draft stays exactly as it was."""
import threading
import time
from datetime import date

import pytest
from django.db import connection

from rooms.models import Site
from scheduler.demo.centre import demo_build
from scheduler.models import Booking, Plan, PlanStatus, SolvePart, SolveRun, SolveRunStatus
from scheduler.planning.runs import solve_parts_submit, solve_run_cancel, solve_run_create
from scheduler.planning.services import plan_create_draft
from scheduler.tasks import solve_part_task, solve_run_task
from solver.decompose import decompose, merge
from solver.serialize import solution_from_dict
from solver.verify import verify
from tests.background.test_cluster_bench import two_part_week
from tests.scheduler import planning_factories as f

WEEK = date(2026, 11, 30)


def _region(code: str) -> Site:
    """A site with its own consultant and four citizens who need a talk: nothing shared with another."""
    site = f.site(code=code, name=code.title())
    consultant = f.consultant(site, name=f"Konsulent {code}")
    phase = f.model_with_rules(f.talk_rule(days=7))
    for _ in range(4):
        f.citizen(site, phase, contact=consultant)
    return site


def test_two_regions_are_solved_as_two_part_tasks_and_merged_into_one_draft(db, settings) -> None:
    settings.PLANNER_SPLIT_MIN_TASKS = 0
    settings.PLANNER_NUM_WORKERS = 1
    sites = [_region("nord"), _region("syd")]
    run = solve_run_create(week_start=WEEK, site_ids=[s.pk for s in sites], time_limit=2)

    assert solve_run_task(run.pk) == "split"
    parts = list(SolvePart.objects.filter(run=run).order_by("index"))
    assert len(parts) == 2 and all(p.status == "queued" and p.task_count == 4 for p in parts)
    run.refresh_from_db()
    assert run.status == SolveRunStatus.RUNNING and run.plan is None

    assert solve_part_task(parts[0].pk) == "part-done"
    assert solve_part_task(parts[0].pk) == "skipped"  # redelivery of a finished part
    run.refresh_from_db()
    assert run.status == SolveRunStatus.RUNNING and 0 < run.progress < 1
    assert not Plan.objects.filter(status=PlanStatus.DRAFT).exists()

    assert solve_part_task(parts[1].pk) == "done"
    assert solve_part_task(parts[1].pk) == "skipped"
    run.refresh_from_db()
    assert run.status == SolveRunStatus.DONE and run.progress == 1.0 and run.unplaced_count == 0
    plan = Plan.objects.get(status=PlanStatus.DRAFT)
    assert run.plan_id == plan.pk and {s.pk for s in plan.sites.all()} == {s.pk for s in sites}
    assert {a.site_id for a in plan.appointments.all()} == {s.pk for s in sites}
    assert plan.appointments.count() == 8
    assert Booking.objects.filter(plan=plan).exists()
    assert len(plan.solver_info["stats"]["parts"]) == 2


def test_a_small_run_with_several_parts_stays_one_task(db, settings) -> None:
    settings.PLANNER_SPLIT_MIN_TASKS = 400
    settings.PLANNER_NUM_WORKERS = 1
    sites = [_region("nord"), _region("syd")]
    run = solve_run_create(week_start=WEEK, site_ids=[s.pk for s in sites], time_limit=2)
    assert solve_run_task(run.pk) == "done"
    assert not SolvePart.objects.exists()


def test_a_cancelled_part_run_stores_nothing(db, settings) -> None:
    settings.PLANNER_SPLIT_MIN_TASKS = 0
    sites = [_region("nord"), _region("syd")]
    run = solve_run_create(week_start=WEEK, site_ids=[s.pk for s in sites], time_limit=2)
    assert solve_run_task(run.pk) == "split"
    solve_run_cancel(run=run)
    for part in SolvePart.objects.filter(run=run):
        solve_part_task(part.pk)
    run.refresh_from_db()
    assert run.status == SolveRunStatus.CANCELLED and "intet er gemt" in run.message
    assert not Plan.objects.exists()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_cancelling_a_long_run_ends_it_within_seconds_and_leaves_the_previous_draft(settings) -> None:
    settings.PLANNER_NUM_WORKERS = 2
    demo_build(size="M", seed=1, week_start=WEEK)  # S now proves optimality before a cancel can arrive
    site_ids = list(Site.objects.values_list("pk", flat=True))
    previous = plan_create_draft(week_start=WEEK, site_ids=site_ids, time_limit=1, num_workers=1)
    before = sorted(previous.appointments.values_list("pk", "start"))
    run = solve_run_create(week_start=WEEK, site_ids=site_ids, time_limit=120)
    result: dict[str, str] = {}

    def work() -> None:
        try:
            result["status"] = solve_run_task(run.pk)
        finally:
            connection.close()

    worker = threading.Thread(target=work)
    worker.start()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        seen = SolveRun.objects.get(pk=run.pk)
        if seen.objective is not None:  # the first progress report (the greedy plan)
            break
        time.sleep(0.1)
    assert seen.objective is not None, "no progress within 60 s"
    cancelled_at = time.monotonic()
    solve_run_cancel(run=seen)
    worker.join(timeout=30)
    assert not worker.is_alive()
    # Prompt, not instant: the model being built when the cancel arrives is finished first (≈ 1 s alone,
    # several seconds when parallel test workers share the 2 cores).
    assert time.monotonic() - cancelled_at < 10
    run.refresh_from_db()
    assert result["status"] == "cancelled" and run.status == SolveRunStatus.CANCELLED
    assert run.plan is None and "intet er gemt" in run.message
    assert list(Plan.objects.filter(status=PlanStatus.DRAFT).values_list("pk", flat=True)) == [previous.pk]
    assert sorted(Plan.objects.get(pk=previous.pk).appointments.values_list("pk", "start")) == before


def test_a_solver_problems_parts_are_solved_by_the_part_tasks_and_joined_without_a_draft(db) -> None:
    """solve_parts_submit (bench.cluster): no week behind the run, so the join keeps the sums and stores nothing."""
    problem = two_part_week()
    run = solve_parts_submit(parts=decompose(problem), time_limit=2, week_start=WEEK)
    assert run.status == SolveRunStatus.RUNNING and not run.sites.exists()
    parts = list(SolvePart.objects.filter(run=run).order_by("index"))
    assert [p.task_count for p in parts] == [12, 12]

    assert solve_part_task(parts[0].pk) == "part-done"
    assert solve_part_task(parts[1].pk) == "joined"
    assert solve_part_task(parts[1].pk) == "skipped"

    run.refresh_from_db()
    assert run.status == SolveRunStatus.DONE and run.plan is None and run.progress == 1.0
    assert not Plan.objects.exists()
    solution = merge(problem, [solution_from_dict(p.solution) for p in SolvePart.objects.filter(run=run)])
    assert verify(problem, solution) == []
    assert run.objective == solution.objective and run.best_bound == solution.best_bound
    assert run.unplaced_count == len(solution.unplaced)


def test_a_submitted_run_with_a_part_that_does_not_fit_fails(db) -> None:
    problem = two_part_week()
    first, second = decompose(problem)
    run = solve_parts_submit(parts=[first, second], time_limit=2, week_start=WEEK)
    parts = list(SolvePart.objects.filter(run=run).order_by("index"))
    solve_part_task(parts[0].pk)
    # A solution that places a task of the other part: the join refuses it.
    other = solution_from_dict(SolvePart.objects.get(pk=parts[0].pk).solution)
    SolvePart.objects.filter(pk=parts[1].pk).update(status="done", solution=SolvePart.objects.get(
        pk=parts[0].pk).solution, objective=other.objective)
    from scheduler.planning.runs import _parts_finish

    assert _parts_finish(run.pk) == "failed"
    run.refresh_from_db()
    assert run.status == SolveRunStatus.FAILED and run.message == "Delene passer ikke sammen."
