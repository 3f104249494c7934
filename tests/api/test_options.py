""""Where could this go?" offers only what the verifier accepts: options are the solver's candidates on
the plan's free time (S demo centre, real planner, real verifier)."""
import io

import pytest
from django.core.management import call_command

from rooms.models import Site
from scheduler.availability import coming_week_start
from scheduler.editing.options import options_cache_clear, plan_week, talk_options
from scheduler.editing.services import appointment_move, move_violations
from scheduler.models import Appointment, Plan
from scheduler.planning.services import plan_create_draft
from scheduler.problem.builder import grid_of, problem_build

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_plan() -> Plan:
    call_command("seed_demo", size="S", seed=1, stdout=io.StringIO())
    plan = plan_create_draft(week_start=coming_week_start(), site_ids=Site.objects.values_list("pk", flat=True),
                             time_limit=2, num_workers=2)
    options_cache_clear()
    return plan


def _accepted(appointment: Appointment, options: list[dict]) -> None:
    assert options
    for option in options:
        refused = move_violations(appointment=appointment, start=option["start"], consultant_ids=option["consultants"],
                                  room_id=option["room"])
        assert refused == [], (option["start"], refused)


def test_every_option_for_a_citizen_in_an_internship_passes_the_move_check(demo_plan: Plan) -> None:
    problem = plan_week(plan=demo_plan).built.problem
    interns = {z.id for z in problem.citizens if z.internship}
    talks = [a for a in demo_plan.appointments.filter(kind__in=["talk", "contact", "start_talk"], citizens__in=interns)
             .distinct()]
    assert talks, "the S demo has citizens in an internship with a talk"
    for talk in talks:
        options = talk_options(plan=demo_plan, citizen=talk.citizens.get(), kind=talk.kind, limit=20,
                               appointment=talk)
        _accepted(talk, options)


def test_every_option_for_an_assessment_is_with_a_health_consultant_and_passes_the_move_check(
    demo_plan: Plan,
) -> None:
    assessment = demo_plan.appointments.filter(kind="assessment").order_by("pk").first()
    options = talk_options(plan=demo_plan, citizen=assessment.citizens.get(), kind="assessment", limit=20,
                           appointment=assessment)
    consultants = plan_week(plan=demo_plan).built.problem.consultant_by_id()
    assert all("health" in consultants[o["consultant"]].staff_types for o in options)
    assert all(o["room"] is None for o in options)  # a home visit takes no room
    _accepted(assessment, options)


def test_a_new_talk_gets_the_rules_duration_and_the_contact_consultant_first(demo_plan: Plan) -> None:
    talk = demo_plan.appointments.filter(kind="talk", enrolment__contact_consultant__isnull=False).first()
    options = talk_options(plan=demo_plan, citizen=talk.citizens.get(), kind="talk", limit=5)
    assert options[0]["consultant"] == talk.enrolment.contact_consultant_id
    assert all(o["end"] - o["start"] == talk.end - talk.start for o in options)
    assert options == sorted(options, key=lambda o: -o["score"])
    # None of them collides with what the plan already holds for the citizen.
    for o in options:
        assert not talk.citizens.get().appointments.filter(
            plan=demo_plan, status="planned", start__lt=o["end"], end__gt=o["start"]).exists()


def test_the_problem_is_built_once_per_plan_and_a_move_only_rereads_the_occupied_time(
    demo_plan: Plan, monkeypatch: pytest.MonkeyPatch
) -> None:
    import scheduler.editing.options

    builds = []

    def counting_build(**kwargs):
        builds.append(kwargs)
        return problem_build(**kwargs)

    monkeypatch.setattr(scheduler.editing.options, "problem_build", counting_build)
    talk = demo_plan.appointments.filter(kind="talk").order_by("pk").first()
    citizen = talk.citizens.get()
    first = plan_week(plan=demo_plan)
    options = talk_options(plan=demo_plan, citizen=citizen, kind="talk", appointment=talk)
    assert plan_week(plan=demo_plan) is first and len(builds) == 1
    target = next(o for o in options if o["start"] != talk.start)
    appointment_move(appointment=talk, start=target["start"], consultant_ids=target["consultants"],
                     room_id=target["room"], seen_version=demo_plan.lock_version)
    after = plan_week(plan=demo_plan)
    assert after is not first and after.built is first.built and len(builds) == 1
    grid = grid_of(first.built.problem)
    moved = next(o for o in after.occupied if o.appointment_id == talk.pk)
    assert grid.datetime_of(moved.start) == target["start"]  # the new version sees the move
    before = next(o for o in first.occupied if o.appointment_id == talk.pk)
    assert before.start != moved.start


def test_moving_offers_neither_the_current_slot_nor_a_late_time_before_a_timely_one(demo_plan: Plan) -> None:
    week = plan_week(plan=demo_plan)
    problem = week.built.problem
    tasks = problem.task_by_id()
    spd = problem.slots_per_day
    early = [a for a in demo_plan.appointments.filter(kind__in=["talk", "contact"], status="planned").order_by("pk")
             if a.task_key in tasks and tasks[a.task_key].window.end <= 3 * spd and a.citizens.count() == 1]
    assert early, "the S demo has a talk due by Wednesday"
    seen_late = False
    for talk in early[:6]:
        options = talk_options(plan=demo_plan, citizen=talk.citizens.get(), kind=talk.kind, limit=40,
                               appointment=talk)
        current = {c.pk for c in talk.consultants.all()}
        assert not any(o["start"] == talk.start and set(o["consultants"]) == current and o["room"] == talk.room_id
                       for o in options)
        lates = [o["late"] for o in options]
        assert lates == sorted(lates), "late options rank after every timely one"
        deadline = grid_of(problem).datetime_of(tasks[talk.task_key].window.end)
        for o in options:
            assert (o["end"] > deadline) == o["late"]
            assert len(o["effects"]) == 2 and o["effects"][0].startswith("Borgerens dag:") and "%" in o["effects"][1]
        seen_late |= any(lates)
    assert seen_late, "a talk due early in the week could be moved later, marked late"
