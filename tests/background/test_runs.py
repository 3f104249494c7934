"""Planning runs: claim once, progress, cancel, overlap, sweep, failures. The task function is called
directly: it is the same code path django-q2 runs (test_worker.py runs it on a real worker)."""
import threading
import time
from datetime import date, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from api.auth import api_token_create
from rooms.models import Site
from scheduler.demo import demo_build
from scheduler.models import Booking, Plan, PlanStatus, SolveRun, SolveRunStatus
from scheduler.planning import plan_create_draft
from scheduler.runs import ProgressReporter, solve_runs_sweep
from scheduler.tasks import solve_run_task
from tests.api.conftest import Api, make_site

WEEK = date(2026, 11, 30)


@pytest.fixture
def demo(db):
    demo_build(size="S", seed=1, week_start=WEEK)
    user = get_user_model().objects.get(username="koordinator")
    return Api(api_token_create(user=user, name="t")[1]), Site.objects.order_by("pk").first()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_run_plans_the_week_and_a_second_delivery_does_nothing(demo):
    api, site = demo
    response = api.post("/api/plans/runs", {"week": "2026-W49", "sites": [site.code], "time_limit": 2})
    assert response.status_code == 202
    run_id = response.json()["id"]
    assert response.json()["status"] == "queued"
    assert solve_run_task(run_id) == "done"
    assert solve_run_task(run_id) == "skipped"
    body = api.get(f"/api/plans/runs/{run_id}").json()
    assert body["status"] == "done" and body["progress"] == 1.0
    assert body["plan_id"] and body["objective"] is not None and body["unplaced"] is not None
    assert Plan.objects.filter(status=PlanStatus.DRAFT, week_start=WEEK).count() == 1
    assert Booking.objects.filter(plan_id=body["plan_id"]).exists()


def test_it_refuses_a_second_run_for_an_overlapping_site_and_week(demo):
    api, site = demo
    first = api.post("/api/plans/runs", {"week": "2026-W49", "sites": [site.code]}).json()
    second = api.post("/api/plans/runs", {"week": "2026-W49", "sites": [site.code, str(site.pk)]})
    assert second.status_code == 409
    assert second.json()["extra"]["run_id"] == first["id"]
    assert str(first["id"]) in second.json()["detail"]
    other_week = api.post("/api/plans/runs", {"week": "2026-W50", "sites": [site.code]})
    assert other_week.status_code == 202


def test_it_rejects_bad_weeks_sites_and_time_limits(demo):
    api, site = demo
    assert api.post("/api/plans/runs", {"week": "49", "sites": [site.code]}).json()["detail"][0]["field"] == "week"
    assert api.post("/api/plans/runs", {"week": "2026-W49", "sites": ["nowhere"]}).status_code == 422
    too_long = api.post("/api/plans/runs", {"week": "2026-W49", "sites": [site.code], "time_limit": 86_000})
    assert too_long.json()["detail"][0]["field"] == "time_limit"


def test_cancelling_a_queued_run_means_it_never_starts(demo):
    api, site = demo
    run_id = api.post("/api/plans/runs", {"week": "2026-W49", "sites": [site.code]}).json()["id"]
    assert api.post(f"/api/plans/runs/{run_id}/cancel").json()["status"] == "cancelled"
    assert solve_run_task(run_id) == "skipped"
    assert api.post(f"/api/plans/runs/{run_id}/cancel").status_code == 409


def test_the_sweep_fails_runs_whose_worker_went_silent(db):
    stale = SolveRun.objects.create(week_start=WEEK, status=SolveRunStatus.RUNNING,
                                    heartbeat_at=timezone.now() - timedelta(minutes=10))
    alive = SolveRun.objects.create(week_start=WEEK, status=SolveRunStatus.RUNNING, heartbeat_at=timezone.now())
    assert solve_runs_sweep() == 1
    stale.refresh_from_db()
    alive.refresh_from_db()
    assert stale.status == "failed" and "urørte" in stale.message
    assert alive.status == "running"
    assert solve_runs_sweep() == 0


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_failing_run_leaves_the_previous_draft_untouched(demo):
    api, _site = demo
    # A draft covering two sites cannot be replaced by planning one of them: the service refuses.
    sites = [Site.objects.order_by("pk").first(), make_site("extra")]
    draft = plan_create_draft(week_start=WEEK, site_ids=[s.pk for s in sites], time_limit=1, num_workers=1)
    count = draft.appointments.count()
    run_id = api.post("/api/plans/runs", {"week": "2026-W49", "sites": [sites[0].code], "time_limit": 2}).json()["id"]
    assert solve_run_task(run_id) == "failed"
    run = SolveRun.objects.get(pk=run_id)
    assert run.status == "failed" and run.message  # Danish reason from the planning service
    assert Plan.objects.get(pk=draft.pk).appointments.count() == count


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_heartbeat_reports_progress_every_second_and_notices_a_cancel(db):
    run = SolveRun.objects.create(week_start=WEEK, status=SolveRunStatus.RUNNING)
    with ProgressReporter(run, time_limit=10) as reporter:
        assert reporter(500, 400, 0.1) is False
        time.sleep(2.3)
        run.refresh_from_db()
        assert run.heartbeat_at is not None and run.elapsed_seconds >= 1.0
        assert run.objective == 500 and run.best_bound == 400 and run.gap == pytest.approx(0.2)
        assert 0 < run.progress < 1
        SolveRun.objects.filter(pk=run.pk).update(cancel_requested=True)
        deadline = time.monotonic() + 3
        while not reporter(450, 400, 2.5) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert reporter.should_stop()
    assert not any(t.name.startswith(f"solve-run-{run.pk}") for t in threading.enumerate())
