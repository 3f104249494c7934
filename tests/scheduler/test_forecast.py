"""The forecast of the weeks ahead on a small case computed by hand."""
from datetime import timedelta

import pytest

from scheduler.demand.demand import week_demand
from scheduler.demand.forecast import load_forecast
from scheduler.models import Absence
from tests.scheduler import planning_factories as f
from tests.scheduler.test_course_proposals import quiet_weeks

pytestmark = pytest.mark.django_db


def test_the_forecast_hours_are_the_due_tasks_durations_week_by_week() -> None:
    week = quiet_weeks(6)
    s = f.site()
    social = f.consultant(s, "Mette Hansen", hours=30)
    f.consultant(s, "Jens Job", staff="job", hours=20)
    Absence.objects.create(consultant=social, start_date=week + timedelta(weeks=1, days=1),
                           end_date=week + timedelta(weeks=1, days=2))  # two days in week 2
    phase = f.model_with_rules(
        f.talk_rule(28),  # 60 min, social
        {"kind": "contact", "duration_minutes": 30, "frequency_type": "per_week", "frequency_value": 2,
         "staff": ["job"]},
    )
    # Started 10 days before the first Monday: the first talk is due on the Friday of week 3 (day 18),
    # the next one 28 days after that, on the Friday of week 7: outside six weeks.
    f.citizen(s, phase, start=week - timedelta(days=10))
    f.citizen(s, phase, start=week - timedelta(days=3))  # first talk due on the Friday of week 4 (day 25)

    rows = load_forecast(site_ids=[s.id], week_start=week, weeks=6)

    by = {(r.staff_type, (r.week_start - week).days // 7): r for r in rows}
    assert [by["social", w].demand_hours for w in range(6)] == [0, 0, 1, 1, 0, 0]
    assert [by["job", w].demand_hours for w in range(6)] == [2.0] * 6  # 2 citizens × 2 × 30 min
    assert [by["health", w].demand_hours for w in range(6)] == [0] * 6
    assert [by["social", w].available_hours for w in range(6)] == [30, 18, 30, 30, 30, 30]
    assert by["job", 0].available_hours == 20 and by["social", 2].tasks == 1 and by["job", 0].tasks == 4
    assert all(r.fits for r in rows)
    # The first week is exactly the planner's demand for it.
    first = week_demand(week_start=week, site_ids=[s.id]).demands
    assert by["job", 0].demand_hours * 60 == sum(d.duration_minutes for d in first if "job" in d.staff_types[0])


def test_phases_move_on_over_the_weeks_and_part_day_absences_take_their_hours() -> None:
    from datetime import time

    from activities.models import ActivityRule, Phase, StaffType

    week = quiet_weeks(6)
    s = f.site()
    social = f.consultant(s, "Mette Hansen", hours=30)  # Monday to Friday 8-16
    f.consultant(s, "Jens Job", staff="job", hours=20)
    Absence.objects.create(consultant=social, start_date=week + timedelta(weeks=2, days=1),
                           end_date=week + timedelta(weeks=2, days=1), start_time=time(12), end_time=time(16))
    Absence.objects.create(consultant=social, start_date=week + timedelta(weeks=4, days=2),
                           end_date=week + timedelta(weeks=4, days=3), start_time=time(8), end_time=time(10))
    first = f.model_with_rules({"kind": "contact", "duration_minutes": 30, "frequency_type": "per_week",
                                "frequency_value": 1, "staff": ["job"]})
    first.target_weeks = 2
    first.save()
    step_up = Phase.objects.create(model=first.model, order=2, name="Step-up", optional=True)
    ActivityRule.objects.create(phase=step_up, kind="contact", duration_minutes=60, frequency_type="per_week",
                                frequency_value=3).staff_types.set(StaffType.objects.filter(code="job"))
    second = Phase.objects.create(model=first.model, order=3, name="Fase 2")
    ActivityRule.objects.create(phase=second, **f.talk_rule(14)).staff_types.set(
        StaffType.objects.filter(code="social"))
    ActivityRule.objects.create(phase=second, kind="contact", duration_minutes=30, frequency_type="per_week",
                                frequency_value=2).staff_types.set(StaffType.objects.filter(code="job"))
    # Two weeks in the first phase from a week before the first Monday: the second phase (the optional
    # step-up is skipped) starts on the Monday of week 2. Its talk every 14 days counts from that day:
    # due on the Monday of week 4, then on the Monday of week 6.
    f.citizen(s, first, start=week - timedelta(weeks=1))
    # Past its first phase's target length already: stays where the coordinator has it.
    late = f.citizen(s, first, start=week - timedelta(weeks=5))
    late.phase_started = week - timedelta(weeks=3)
    late.save()

    rows = load_forecast(site_ids=[s.id], week_start=week, weeks=6)

    by = {(r.staff_type, (r.week_start - week).days // 7): r for r in rows}
    assert [by["job", w].demand_hours for w in range(6)] == [1.0, 1.5, 1.5, 1.5, 1.5, 1.5]
    assert [by["social", w].demand_hours for w in range(6)] == [0, 0, 0, 1, 0, 1]
    # Half a Tuesday in week 3; two hours on each of two days in week 5: 30 h x 4.5 / 5 days.
    assert [by["social", w].available_hours for w in range(6)] == [30, 30, 27, 30, 27, 30]
    assert [by["job", w].available_hours for w in range(6)] == [20] * 6
    # The first week is exactly the planner's demand for it.
    planner = week_demand(week_start=week, site_ids=[s.id]).demands
    assert by["job", 0].demand_hours * 60 == sum(d.duration_minutes for d in planner)


def test_the_forecast_screen_and_api_show_the_weeks_that_do_not_fit() -> None:
    from django.contrib.auth import get_user_model
    from django.test import Client

    from api.auth import api_token_create
    from scheduler.models import Coordinator
    from scheduler.weeks import iso_week_label

    week = quiet_weeks(4)
    s = f.site()
    f.consultant(s, "Jens Job", staff="job", hours=1)
    phase = f.model_with_rules({"kind": "contact", "duration_minutes": 60, "frequency_type": "per_week",
                                "frequency_value": 1, "staff": ["job"]})
    for _ in range(2):
        f.citizen(s, phase, start=week - timedelta(days=3))
    user = get_user_model().objects.create_user("koord")
    Coordinator.objects.create(user=user).sites.set([s])
    client = Client()
    client.force_login(user)
    html = client.get(f"/uge/{s.code}/{iso_week_label(week)}/kommende-uger/?uger=4").content.decode()
    assert "Passer ikke:" in html and f"uge {week.isocalendar().week} (2,0 af 1,0 timer)" in html
    api = Client(HTTP_AUTHORIZATION=f"Bearer {api_token_create(user=user, name='t')[1]}")
    rows = api.get(f"/api/forecast?site={s.code}&week={iso_week_label(week)}&weeks=4").json()
    job = [r for r in rows if r["staff_type"] == "job"]
    assert [(r["demand_hours"], r["available_hours"], r["fits"]) for r in job] == [(2.0, 1.0, False)] * 4
