"""Every way to plan a week stores the same draft: the `plan_week` command, a run started in the web UI
and a run started through the API end in the same storing step (scheduler.planning.services.plan_store),
so their drafts have the same appointments and the same bookings (occupancy rows)."""
from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client

from api.auth import api_token_create
from scheduler.availability import coming_week_start
from scheduler.models import Booking, Coordinator, Plan, PlanStatus, SolveRun
from scheduler.planning.runs import solve_run_execute
from scheduler.tasks import solve_run_task
from scheduler.weeks import iso_week_label
from tests.api.conftest import Api
from tests.scheduler import planning_factories as f

# Inside the planning window the web UI and the API accept (scheduler.weeks).
WEEK = coming_week_start()
WEEK_CODE = iso_week_label(WEEK)


def _draft() -> Plan:
    return Plan.objects.get(week_start=WEEK, status=PlanStatus.DRAFT)


def _stored(plan: Plan) -> tuple[set, set]:
    """What a draft holds, independent of row ids and uids: (appointments, bookings)."""
    appointments = {
        (a.task_key, a.start, a.end, a.room_id, tuple(sorted(c.pk for c in a.consultants.all())))
        for a in plan.appointments.prefetch_related("consultants")
    }
    bookings = set(Booking.objects.filter(plan=plan).values_list("resource_kind", "resource_id", "slot_start"))
    return appointments, bookings


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_plan_week_the_web_run_and_the_api_run_store_the_same_draft_with_bookings(settings) -> None:
    # One search worker: CP-SAT is deterministic then, so the three runs can be compared exactly.
    settings.PLANNER_NUM_WORKERS = 1
    site = f.site()
    talks = f.model_with_rules(f.talk_rule(7))
    for name in ("Mette Hansen", "Jonas Berg"):
        consultant = f.consultant(site, name)
    for _ in range(3):
        f.citizen(site, talks, contact=consultant, start=WEEK - timedelta(days=21))
    user = get_user_model().objects.create_user("koord", password="pw-koord-1")
    Coordinator.objects.create(user=user).sites.add(site)

    call_command("plan_week", week=WEEK_CODE, site=[site.code], time_limit=10, workers=1, stdout=StringIO())
    by_command = _stored(_draft())

    web = Client()
    web.force_login(user)
    assert web.post(f"/uge/{site.code}/{WEEK_CODE}/planlaeg/").status_code == 302
    assert solve_run_execute(run_id=SolveRun.objects.latest("pk").pk) == "done"
    by_web = _stored(_draft())

    api = Api(api_token_create(user=user, name="t")[1])
    response = api.post("/api/plans/runs", {"week": WEEK_CODE, "sites": [site.code], "time_limit": 10})
    assert response.status_code == 202, response.content
    assert solve_run_task(response.json()["id"]) == "done"
    by_api = _stored(_draft())

    appointments, bookings = by_command
    assert len(appointments) == 3
    # Each one-hour talk books its consultant, its citizen and its room for four quarter hours.
    assert len(bookings) == 3 * 3 * 4
    assert by_web == by_command
    assert by_api == by_command
