"""Planning runs: claim once, progress, cancel, overlap, sweep, failures. The task function is called
directly: it is the same code path django-q2 runs (test_worker.py runs it on a real worker)."""
import threading
import time
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from api.auth import api_token_create
from rooms.models import Site
from scheduler.availability import coming_week_start
from scheduler.demo.centre import demo_build
from scheduler.models import Booking, Plan, PlanStatus, SolveRun, SolveRunStatus
from scheduler.planning.runs import ProgressReporter, solve_runs_sweep
from scheduler.tasks import solve_run_task
from scheduler.weeks import iso_week_label
from tests.api.conftest import Api

# Relative to today: the API plans only inside the planning window (scheduler.weeks).
WEEK = coming_week_start()
WEEK_CODE = iso_week_label(WEEK)


@pytest.fixture
def demo(db):
    demo_build(size="S", seed=1, week_start=WEEK)
    user = get_user_model().objects.get(username="koordinator")
    return Api(api_token_create(user=user, name="t")[1]), Site.objects.order_by("pk").first()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_run_plans_the_week_and_a_second_delivery_does_nothing(demo):
    api, site = demo
    response = api.post("/api/plans/runs", {"week": WEEK_CODE, "sites": [site.code], "time_limit": 2})
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
    first = api.post("/api/plans/runs", {"week": WEEK_CODE, "sites": [site.code]}).json()
    second = api.post("/api/plans/runs", {"week": WEEK_CODE, "sites": [site.code, str(site.pk)]})
    assert second.status_code == 409
    assert second.json()["extra"]["run_id"] == first["id"]
    assert str(first["id"]) in second.json()["detail"]
    other_week = api.post("/api/plans/runs", {"week": iso_week_label(WEEK + timedelta(weeks=1)), "sites": [site.code]})
    assert other_week.status_code == 202


def test_it_rejects_bad_weeks_sites_and_time_limits(demo):
    api, site = demo
    assert api.post("/api/plans/runs", {"week": "49", "sites": [site.code]}).json()["detail"][0]["field"] == "week"
    assert api.post("/api/plans/runs", {"week": WEEK_CODE, "sites": ["nowhere"]}).status_code == 422
    too_long = api.post("/api/plans/runs", {"week": WEEK_CODE, "sites": [site.code], "time_limit": 86_000})
    assert too_long.json()["detail"][0]["field"] == "time_limit"


def test_cancelling_a_queued_run_means_it_never_starts(demo):
    api, site = demo
    run_id = api.post("/api/plans/runs", {"week": WEEK_CODE, "sites": [site.code]}).json()["id"]
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


# -- runs always end ---------------------------------------------------------------------------------------


def _age(run_id: int, **ago: timedelta) -> None:
    """Move a run's timestamps into the past (what waiting that long would have done)."""
    now = timezone.now()
    SolveRun.objects.filter(pk=run_id).update(**{field: now - delta for field, delta in ago.items()})


def test_a_run_whose_message_never_left_is_sent_by_the_sweep(demo):
    api, site = demo
    # This test's transaction never commits, so the enqueue after commit never happens (as when the
    # broker was down at that moment).
    run_id = api.post("/api/plans/runs", {"week": WEEK_CODE, "sites": [site.code], "time_limit": 2}).json()["id"]
    assert SolveRun.objects.get(pk=run_id).task_id == ""
    assert solve_runs_sweep() == 0
    assert SolveRun.objects.get(pk=run_id).task_id == ""  # too early to call it lost
    _age(run_id, created_at=timedelta(minutes=6))
    assert solve_runs_sweep() == 0  # nothing failed: the message was sent
    sent = SolveRun.objects.get(pk=run_id)
    assert sent.status == "queued" and sent.task_id and sent.heartbeat_at > timezone.now() - timedelta(minutes=1)
    assert solve_runs_sweep() == 0 and SolveRun.objects.get(pk=run_id).task_id == sent.task_id  # once per wait


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_run_whose_queue_message_was_lost_is_sent_again_by_the_sweep_and_then_runs(demo):
    api, site = demo
    run_id = api.post("/api/plans/runs", {"week": WEEK_CODE, "sites": [site.code], "time_limit": 2}).json()["id"]
    first = SolveRun.objects.get(pk=run_id).task_id
    assert first  # sent when the request committed
    # No worker claimed it for six minutes: the broker lost the message (restarted, a cluster killed).
    _age(run_id, created_at=timedelta(minutes=6), heartbeat_at=timedelta(minutes=6))
    assert solve_runs_sweep() == 0
    again = SolveRun.objects.get(pk=run_id)
    assert again.status == "queued" and again.task_id and again.task_id != first
    assert solve_run_task(run_id) == "done"  # what a worker does with the new message
    assert solve_run_task(run_id) == "skipped"  # and with the old one, should it turn up after all


def test_a_run_no_worker_ever_takes_fails_and_frees_its_week(demo):
    api, site = demo
    body = {"week": WEEK_CODE, "sites": [site.code]}
    run_id = api.post("/api/plans/runs", body).json()["id"]
    assert api.post("/api/plans/runs", body).status_code == 409  # the week is blocked while it waits
    _age(run_id, created_at=timedelta(minutes=31), heartbeat_at=timedelta(minutes=2))
    assert solve_runs_sweep() == 1
    failed = api.get(f"/api/plans/runs/{run_id}").json()
    assert failed["status"] == "failed" and "aldrig startet" in failed["message"] and failed["finished_at"]
    assert api.post("/api/plans/runs", body).status_code == 202


def test_cancelling_a_run_whose_worker_died_ends_it_at_once(demo):
    api, site = demo
    run_id = api.post("/api/plans/runs", {"week": WEEK_CODE, "sites": [site.code]}).json()["id"]
    SolveRun.objects.filter(pk=run_id).update(status=SolveRunStatus.RUNNING, started_at=timezone.now())
    _age(run_id, heartbeat_at=timedelta(seconds=40))  # the worker was killed 40 s ago
    cancelled = api.post(f"/api/plans/runs/{run_id}/cancel").json()
    assert cancelled["status"] == "cancelled" and cancelled["finished_at"] and "Intet er gemt" in cancelled["message"]
    assert api.post("/api/plans/runs", {"week": WEEK_CODE, "sites": [site.code]}).status_code == 202


def test_cancelling_a_run_with_a_live_worker_asks_it_to_stop(demo):
    api, site = demo
    run_id = api.post("/api/plans/runs", {"week": WEEK_CODE, "sites": [site.code]}).json()["id"]
    SolveRun.objects.filter(pk=run_id).update(status=SolveRunStatus.RUNNING, heartbeat_at=timezone.now())
    answer = api.post(f"/api/plans/runs/{run_id}/cancel").json()
    assert answer["status"] == "running" and answer["cancel_requested"] is True  # it stops within a second


# -- a draft shared by several sites -----------------------------------------------------------------------


def _shared_draft(site: Site) -> tuple[Plan, Site, object, object]:
    """A draft of the week covering the demo site and a second site, each with a pinned appointment."""
    from scheduler.models import Appointment, Consultant, UnplacedTask
    from scheduler.planning.bookings import plan_bookings_write
    from tests.publishing.factories import at, make_appointment, make_citizen, make_consultant, make_room
    from tests.publishing.factories import make_site as make_plain_site

    other = make_plain_site(code="andet", name="Center Andetsted")
    consultant = make_consultant(other, "Olga Other", reference="k-andet")
    citizen = make_citizen(other, "Otto", "Other", reference="b-andet", contact=consultant)
    draft = Plan.objects.create(week_start=WEEK, status=PlanStatus.DRAFT, objective=42.0)
    draft.sites.set([site, other])
    here = make_appointment(draft, start=at(WEEK, 9), site=site, task_key="talk:here",
                            consultants=[Consultant.objects.filter(home_site=site).first()])
    there = make_appointment(draft, start=at(WEEK, 10), site=other, room=make_room(other), task_key="talk:there",
                             consultants=[consultant], citizens=[citizen])
    Appointment.objects.filter(pk=there.pk).update(pinned=True)
    unplaced = UnplacedTask.objects.create(plan=draft, task_key="talk:later", kind="talk", reason="Ingen tid")
    unplaced.citizens.set([citizen])
    plan_bookings_write(plan=draft)
    return draft, other, here, there


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_planning_one_site_of_a_shared_draft_splits_it_and_keeps_the_other_sites_part(demo):
    from scheduler.models import Appointment, UnplacedTask

    api, site = demo
    draft, other, here, there = _shared_draft(site)
    bookings_there = Booking.objects.filter(appointment=there).count()
    assert bookings_there > 0
    response = api.post("/api/plans/runs", {"week": WEEK_CODE, "sites": [site.code], "time_limit": 2})
    assert response.status_code == 202 and response.json()["sites"] == [site.pk]
    run_id = response.json()["id"]
    assert solve_run_task(run_id) == "done"
    run = api.get(f"/api/plans/runs/{run_id}").json()
    assert "Andetsted" not in run["message"]

    # The other site's part: the same rows, as they were, in a draft of its own.
    moved = Appointment.objects.get(pk=there.pk)
    part = moved.plan
    assert part.status == PlanStatus.DRAFT and part.pk != draft.pk
    assert list(part.sites.all()) == [other]
    assert moved.uid == there.uid and moved.pinned and moved.start == there.start
    assert Booking.objects.filter(appointment=moved, plan=part).count() == bookings_there
    assert UnplacedTask.objects.get(task_key="talk:later").plan == part
    assert part.solver_info["split_from"] == draft.pk and part.objective is None
    # The demo site got the new draft; the shared one (with the demo site's old part) was replaced.
    new = Plan.objects.get(pk=run["plan_id"])
    assert list(new.sites.all()) == [site] and not Plan.objects.filter(pk=draft.pk).exists()
    assert not Appointment.objects.filter(pk=here.pk).exists()
    assert Plan.objects.filter(week_start=WEEK, status=PlanStatus.DRAFT).count() == 2


def test_splitting_moves_every_row_exactly_once_and_tells_open_editors(demo):
    from scheduler.models import Appointment
    from scheduler.planning.services import plan_drafts_split

    _api, site = demo
    draft, other, here, there = _shared_draft(site)
    before = {a.pk: a.uid for a in Appointment.objects.filter(plan=draft)}
    version = draft.lock_version
    [part] = plan_drafts_split(week_start=WEEK, site_ids=[site.pk])
    draft.refresh_from_db()
    assert set(draft.sites.all()) == {site} and set(part.sites.all()) == {other}
    assert set(Appointment.objects.filter(plan=draft).values_list("pk", flat=True)) == {here.pk}
    assert set(Appointment.objects.filter(plan=part).values_list("pk", flat=True)) == {there.pk}
    after = {a.pk: a.uid for a in Appointment.objects.filter(plan__in=[draft, part])}
    assert after == before
    assert draft.lock_version == version + 1 and draft.objective is None
    assert draft.solver_info["split_into"] == [part.pk]
    assert plan_drafts_split(week_start=WEEK, site_ids=[site.pk]) == []  # nothing shared any more
    assert plan_drafts_split(week_start=WEEK, site_ids=[site.pk, other.pk]) == []  # covers both: no split


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_coordinator_of_one_site_replans_a_shared_plan_for_their_site_only(demo):
    api, site = demo
    draft, other, _here, there = _shared_draft(site)
    response = api.post(f"/api/plans/{draft.pk}/replan", {"time_limit": 2})
    assert response.status_code == 202, response.content
    assert response.json()["sites"] == [site.pk]
    assert solve_run_task(response.json()["id"]) == "done"
    assert list(type(there).objects.get(pk=there.pk).plan.sites.all()) == [other]
