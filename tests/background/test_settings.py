"""The time limits nest: CP-SAT stops before django-q2's timeout, which is below its retry."""
from django.conf import settings
from django_q.models import Schedule

from scheduler.planning.runs import max_time_limit


def test_the_solver_stops_before_the_task_times_out_before_it_is_retried():
    cluster = settings.Q_CLUSTER
    assert settings.PLANNER_TIME_LIMIT_SECONDS < cluster["timeout"] < cluster["retry"]
    assert max_time_limit() < cluster["timeout"]
    assert cluster["max_attempts"] >= 1


def test_the_sweep_is_scheduled_every_minute(db):
    sweep = Schedule.objects.get(name="solve-runs-sweep")
    assert sweep.func == "scheduler.tasks.solve_runs_sweep_task"
    assert sweep.schedule_type == Schedule.MINUTES and sweep.minutes == 1 and sweep.repeats < 0
