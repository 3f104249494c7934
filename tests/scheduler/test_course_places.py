"""Which existing course each waiting citizen joins: CP-SAT (the default) against the greedy pass, with
the real solver and database."""

from datetime import date, time

import pytest
from django.test import override_settings

from activities.models import CourseMembership, CourseSession, GroupCourse, StaffType
from scheduler.planning import services
from scheduler.planning.services import course_places_assign
from solver.course_places import PlacesResult
from tests.scheduler import planning_factories as f

pytestmark = pytest.mark.django_db

WEEK = f.WEEK
COPING = {
    "kind": "group_session",
    "duration_minutes": 60,
    "frequency_type": "per_week",
    "frequency_value": 1,
    "theme": "coping",
    "with_contact_consultant": False,
}


def course(s, name: str, weekday: int, max_participants: int, min_participants: int = 1) -> GroupCourse:
    c = GroupCourse.objects.create(
        name=name, theme="coping", site=s, facilitator_staff_type=StaffType.objects.get(code="social"),
        min_participants=min_participants, max_participants=max_participants,
        start_date=date(2026, 11, 1), end_date=date(2027, 1, 31),
    )
    CourseSession.objects.create(course=c, weekday=weekday, start_time=time(10), duration_minutes=60)
    return c


def placed(*courses: GroupCourse) -> dict[str, set[int]]:
    return {
        c.name: set(CourseMembership.objects.filter(course=c).values_list("citizen_id", flat=True)) for c in courses
    }


def three_courses_where_greedy_strands_one():
    """Monday course with one seat left, Tuesday and Wednesday courses with one seat each. A (waited
    longest) can come Monday and Tuesday, B and C only Tuesday and Wednesday (they work the other days).
    All three have two fitting courses; greedy lets A choose first and A takes the emptier Tuesday course."""
    s = f.site()
    phase = f.model_with_rules(f.talk_rule(28), COPING)
    monday, tuesday, wednesday = course(s, "Man", 0, 2), course(s, "Tir", 1, 1), course(s, "Ons", 2, 1)
    old = f.citizen(s, f.model_with_rules(f.talk_rule(28)))
    CourseMembership.objects.create(course=monday, citizen=old.citizen, joined=date(2026, 11, 2))
    a = f.citizen(s, phase, start=date(2026, 8, 1))
    b = f.citizen(s, phase, start=date(2026, 9, 1))
    c = f.citizen(s, phase, start=date(2026, 10, 1))
    f.internship(a, weekdays=(2, 3, 4), hours=24)
    f.internship(b, weekdays=(0, 3, 4), hours=24)
    f.internship(c, weekdays=(0, 3, 4), hours=24)
    return s, (monday, tuesday, wednesday), (a, b, c), old


def test_cpsat_seats_every_citizen_where_greedy_leaves_one_waiting() -> None:
    s, (monday, tuesday, wednesday), (a, b, c), old = three_courses_where_greedy_strands_one()

    with override_settings(PLANNER_COURSE_PLACES="greedy"):
        greedy = course_places_assign(site_ids=[s.id], week_start=WEEK)
    greedy_seated = {m.citizen_id for m in greedy}
    CourseMembership.objects.exclude(citizen=old.citizen).delete()
    cpsat = course_places_assign(site_ids=[s.id], week_start=WEEK)  # the default

    assert len(greedy_seated) == 2 and a.citizen_id in greedy_seated
    assert {m.citizen_id for m in cpsat} == {a.citizen_id, b.citizen_id, c.citizen_id}
    members = placed(monday, tuesday, wednesday)
    assert members["Man"] == {old.citizen_id, a.citizen_id}
    assert members["Tir"] | members["Ons"] == {b.citizen_id, c.citizen_id}


def test_cpsat_respects_capacity_and_gives_short_seats_to_the_longest_waiting() -> None:
    s = f.site()
    phase = f.model_with_rules(f.talk_rule(28), COPING)
    only = course(s, "Mestring", 1, 2)
    waiting = [f.citizen(s, phase, start=start) for start in
               (date(2026, 10, 20), date(2026, 7, 1), date(2026, 11, 10), date(2026, 8, 15))]

    created = course_places_assign(site_ids=[s.id], week_start=WEEK)

    assert len(created) == 2
    assert placed(only)["Mestring"] == {waiting[1].citizen_id, waiting[3].citizen_id}


def test_without_a_cpsat_answer_the_greedy_pass_seats_them(monkeypatch: pytest.MonkeyPatch) -> None:
    s, (monday, tuesday, wednesday), (a, _b, _c), _old = three_courses_where_greedy_strands_one()
    calls = []

    def no_answer(request):
        calls.append(request)
        return PlacesResult(status="unknown")

    monkeypatch.setattr(services, "assign_places", no_answer)
    created = course_places_assign(site_ids=[s.id], week_start=WEEK)

    assert len(calls) == 1 and len(calls[0].requests) == 3
    assert len(created) == 2  # the greedy answer
    assert a.citizen_id in placed(tuesday)["Tir"]


@pytest.mark.parametrize("work_day", [0, 1])
def test_cpsat_prefers_a_course_on_a_day_the_citizen_comes_in_anyway(work_day: int) -> None:
    s = f.site()
    phase = f.model_with_rules(f.talk_rule(28), COPING, {**COPING, "theme": "work"})
    monday, tuesday = course(s, "Man", 0, 5), course(s, "Tir", 1, 5)
    work = course(s, "Arbejde", work_day, 5)
    work.theme = "work"
    work.save(update_fields=["theme"])
    work.sessions.update(start_time=time(13))
    e = f.citizen(s, phase)
    CourseMembership.objects.create(course=work, citizen=e.citizen, joined=date(2026, 11, 2))

    with override_settings(PLANNER_COURSE_PLACES="greedy"):
        (greedy,) = course_places_assign(site_ids=[s.id], week_start=WEEK)
    greedy_course = greedy.course_id
    greedy.delete()
    (cpsat,) = course_places_assign(site_ids=[s.id], week_start=WEEK)

    assert greedy_course == monday.id  # the emptiest, then the first, whatever the day
    assert cpsat.course_id == (monday, tuesday)[work_day].id  # the day of their work course
