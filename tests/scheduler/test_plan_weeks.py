"""Planning several weeks as one run, with the real solver: a talk due every 28 days leaves a crowded
deadline week for a week with spare consultant hours, and is not asked for again later in the run."""
from datetime import timedelta

import pytest

from scheduler.models import Absence, Appointment, UnplacedTask
from scheduler.planning.weeks import plan_weeks_create_drafts, weeks_choose
from solver.week_spread import Movable, SpreadRequest, spread
from tests.scheduler import planning_factories as f
from tests.scheduler.test_course_proposals import quiet_weeks

pytestmark = pytest.mark.django_db

FAST = {"time_limit": 5, "num_workers": 2, "random_seed": 1}
WEEKLY = {"kind": "contact", "duration_minutes": 60, "frequency_type": "per_week", "frequency_value": 1}


def centre(*, crowded: bool):
    """Mette (social, 37 h) meets six citizens an hour each every week; Anne's talk every 28 days is due
    on the Wednesday of week 3. With `crowded`, Mette is away Monday to Thursday of week 3: 7.4 h left
    there for 6 h of weekly meetings."""
    week = quiet_weeks(3)
    s = f.site()
    mette = f.consultant(s, "Mette Hansen", hours=37)
    weekly = f.model_with_rules(WEEKLY)
    for _ in range(6):
        f.citizen(s, weekly, contact=mette, start=week - timedelta(weeks=2))
    anne = f.citizen(s, f.model_with_rules(f.talk_rule(28)), contact=mette, start=week + timedelta(days=16 - 28))
    if crowded:
        Absence.objects.create(consultant=mette, start_date=week + timedelta(weeks=2),
                               end_date=week + timedelta(weeks=2, days=3))
    return week, s, anne


def test_the_spread_moves_a_task_off_a_crowded_week_and_never_past_its_deadline() -> None:
    request = SpreadRequest(
        weeks=3, load={"1:social": (360, 360, 360)}, capacity={"1:social": (2220, 2220, 444)},
        tasks=(Movable(0, 60, ("1:social",), (0, 1, 2)), Movable(1, 60, ("1:social",), (2,))),
    )
    result = spread(request)
    assert result.week_of == {0: 1, 1: 2}  # the week before the deadline week: free, and not the last moment
    assert result.load["1:social"] == [360, 420, 420]
    # Week 2 full, week 1 free: the task goes to week 1.
    result = spread(SpreadRequest(weeks=3, load={"1:social": (360, 2200, 360)},
                                  capacity={"1:social": (2220, 2220, 444)}, tasks=request.tasks))
    assert result.week_of[0] == 0
    # A first week already busier than the run's even share (a backlog) gets nothing moved into it: the
    # task due in week 2 stays at its last moment rather than making week 1 busier still.
    busy_first = spread(SpreadRequest(
        weeks=3, load={"1:social": (1800, 600, 600)}, capacity={"1:social": (2220, 2220, 2220)},
        tasks=(Movable(0, 60, ("1:social",), (0, 1, 2)), Movable(1, 60, ("1:social",), (0, 1))),
    ))
    assert busy_first.week_of == {0: 1, 1: 1}


def test_a_talk_due_in_a_crowded_third_week_is_planned_in_a_week_with_spare_hours() -> None:
    week, s, anne = centre(crowded=True)

    choice = weeks_choose(site_ids=[s.id], week_start=week, weeks=3)
    (moved,) = choice.moved
    assert (moved.enrolment_id, moved.kind, moved.from_week, moved.deadline) == (
        anne.id, "talk", 2, week + timedelta(days=16))
    spare = [choice.capacity[f"{s.id}:social"][w] - choice.load[f"{s.id}:social"][w] for w in range(3)]
    assert spare[moved.to_week] > spare[2]

    planned = plan_weeks_create_drafts(week_start=week, weeks=3, site_ids=[s.id], **FAST)

    assert [p.week_start for p in planned.plans] == [week, week + timedelta(weeks=1), week + timedelta(weeks=2)]
    talks = Appointment.objects.filter(plan__in=planned.plans, kind="talk", citizens=anne.citizen)
    (talk,) = talks
    assert talk.plan == planned.plans[moved.to_week] and moved.to_week < 2
    assert talk.start.date() >= week + timedelta(days=16 - 14)  # not before half its interval
    assert talk.rule.endswith(f"frist onsdag {week + timedelta(days=16):%d.%m.}, planlagt tidligere"), talk.rule
    assert not UnplacedTask.objects.filter(plan__in=planned.plans, kind="talk").exists()
    info = planned.plans[moved.to_week].solver_info["weeks_run"]
    assert info["index"] == moved.to_week and len(info["weeks"]) == 3
    assert info["brought_forward"][0]["enrolment"] == anne.id
    assert planned.plans[2].solver_info["weeks_run"]["brought_forward"] == []
    assert all(Appointment.objects.filter(plan=p, kind="contact").count() == 6 for p in planned.plans[:2])


def test_a_task_the_chosen_week_cannot_place_is_not_unplaced_there_and_comes_back_in_its_deadline_week() -> None:
    week, s, anne = centre(crowded=False)
    # Anne works Monday to Friday 8-16 in week 2 only: the week the run chooses has no time for her talk.
    job = f.internship(anne, start=week + timedelta(weeks=1), weekdays=(0, 1, 2, 3, 4), hours=40)
    job.end_date = week + timedelta(weeks=1, days=4)
    job.save()

    planned = plan_weeks_create_drafts(week_start=week, weeks=3, site_ids=[s.id], **FAST)

    (moved,) = planned.choice.moved
    assert moved.to_week == 1  # equally free weeks: the one before the deadline week
    second = planned.plans[1]
    assert not second.unplaced.filter(kind="talk").exists()
    assert [c["enrolment"] for c in second.solver_info["weeks_run"]["carried_over"]] == [anne.id]
    (talk,) = Appointment.objects.filter(plan__in=planned.plans, kind="talk", citizens=anne.citizen)
    assert talk.plan == planned.plans[2] and talk.start.date() <= week + timedelta(days=16)


def test_one_week_at_a_time_the_talk_waits_for_its_deadline_week_and_misses_it() -> None:
    from scheduler.planning.services import plan_create_draft

    week, s, anne = centre(crowded=True)
    plans = [plan_create_draft(week_start=week + timedelta(weeks=w), site_ids=[s.id], **FAST) for w in range(3)]
    # Weeks 1 and 2 do not ask for it; in week 3 it is due by Wednesday, and Mette is away until Thursday.
    assert not Appointment.objects.filter(plan__in=plans, kind="talk").exists()
    (left,) = UnplacedTask.objects.filter(plan__in=plans, kind="talk")
    assert left.plan == plans[2] and list(left.citizens.all()) == [anne.citizen]


def test_plan_week_weeks_plans_the_run_and_says_which_task_moved() -> None:
    from io import StringIO

    from django.core.management import call_command

    from scheduler.models import Plan
    from scheduler.weeks import iso_week_label

    week, s, anne = centre(crowded=True)
    out = StringIO()
    call_command("plan_week", week=iso_week_label(week), site=[s.code], weeks=3, time_limit=5, workers=2,
                 allow_started_week=True, stdout=out)
    text = out.getvalue()
    assert text.count("Kladde for uge ") == 3 and "3 uger planlagt som én kørsel" in text
    assert f"talk (forløb {anne.id}): frist {week + timedelta(days=16):%d.%m.}" in text
    assert Plan.objects.filter(status="draft").count() == 3
    with pytest.raises(Exception, match="mellem 1 og 8"):
        call_command("plan_week", week=iso_week_label(week), weeks=9, stdout=StringIO())


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_run_of_three_weeks_through_the_api_and_the_web_stores_a_draft_per_week_as_one_run(settings) -> None:
    from django.contrib.auth import get_user_model
    from django.test import Client

    from api.auth import api_token_create
    from scheduler.availability import coming_week_start
    from scheduler.models import Coordinator, Plan, SolveRun
    from scheduler.planning.runs import solve_run_execute
    from scheduler.weeks import iso_week_label
    from tests.api.conftest import Api

    settings.PLANNER_NUM_WORKERS = 1
    week = coming_week_start()
    s = f.site()
    mette = f.consultant(s, "Mette Hansen")
    f.citizen(s, f.model_with_rules(f.talk_rule(28)), contact=mette, start=week + timedelta(days=16 - 28))
    user = get_user_model().objects.create_user("koord")
    Coordinator.objects.create(user=user).sites.add(s)

    api = Api(api_token_create(user=user, name="t")[1])
    answer = api.post("/api/plans/runs", {"week": iso_week_label(week), "sites": [s.code], "time_limit": 5,
                                          "weeks": 3, "allow_started_week": True})
    assert answer.status_code == 202, answer.content
    assert answer.json()["weeks"] == 3 and answer.json()["plan_ids"] == []
    # A second run over any of these weeks is refused while it runs.
    later = api.post("/api/plans/runs", {"week": iso_week_label(week + timedelta(weeks=2)), "sites": [s.code]})
    assert later.status_code == 409
    assert solve_run_execute(run_id=answer.json()["id"]) == "done"
    run = api.get(f"/api/plans/runs/{answer.json()['id']}").json()
    drafts = list(Plan.objects.filter(status="draft").order_by("week_start"))
    assert run["status"] == "done" and run["plan_ids"] == [p.pk for p in drafts] and len(drafts) == 3
    assert run["plan_id"] == drafts[0].pk
    assert [p.solver_info["weeks_run"]["index"] for p in drafts] == [0, 1, 2]
    too_many = api.post("/api/plans/runs", {"week": iso_week_label(week), "sites": [s.code], "weeks": 9})
    assert too_many.status_code == 422

    web = Client()
    web.force_login(user)
    page = web.get(f"/uge/{s.code}/{iso_week_label(week)}/").content.decode()
    assert 'name="weeks"' in page and "3 uger fra denne som én kørsel" in page
    response = web.post(f"/uge/{s.code}/{iso_week_label(week)}/planlaeg/", {"weeks": "2", "allow_started_week": "1"})
    assert response.status_code == 302
    web_run = SolveRun.objects.latest("pk")
    assert web_run.weeks == 2 and solve_run_execute(run_id=web_run.pk) == "done"
    html = web.get(response["Location"]).content.decode()
    assert "Planlægger 2 uger som én kørsel" in html
    assert f"Uge {iso_week_label(week + timedelta(weeks=1))}" in html
