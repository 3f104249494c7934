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
    assert not UnplacedTask.objects.filter(plan__in=planned.plans, kind="talk").exists()
    info = planned.plans[moved.to_week].solver_info["weeks_run"]
    assert info["index"] == moved.to_week and len(info["weeks"]) == 3
    assert info["brought_forward"][0]["enrolment"] == anne.id
    assert planned.plans[2].solver_info["weeks_run"]["brought_forward"] == []
    assert all(Appointment.objects.filter(plan=p, kind="contact").count() == 6 for p in planned.plans[:2])


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
