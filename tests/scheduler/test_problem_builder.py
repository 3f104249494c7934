"""Who is free when, as the solver sees it."""

from datetime import date, time

import pytest

from rooms.models import ClosedDay
from scheduler.models import Absence, CitizenUnavailability, Enrolment
from scheduler.planning.services import contact_consultants_assign, course_places_assign
from scheduler.problem.builder import grid_of, problem_build
from tests.scheduler import planning_factories as f

pytestmark = pytest.mark.django_db

WEEK = f.WEEK


def open_days(problem, windows) -> set[int]:
    return {problem.day_of(w.start) for w in windows if len(w)}


def hours_on(problem, windows, day: int) -> list[tuple[str, str]]:
    grid = grid_of(problem)
    return [
        (f"{grid.datetime_of(w.start):%H:%M}", f"{grid.datetime_of(w.end - 1):%H:%M}")
        for w in windows
        if problem.day_of(w.start) == day
    ]


def test_christmas_day_and_a_closed_christmas_eve_close_the_site() -> None:
    s = f.site()
    k = f.consultant(s)
    f.citizen(s, f.model_with_rules(f.talk_rule(28)), contact=k)
    ClosedDay.objects.create(site=None, date=date(2026, 12, 24), reason="Juleaftensdag")

    problem = problem_build(week_start=date(2026, 12, 21), site_ids=[s.id], num_workers=1).problem

    (site,) = problem.sites
    assert open_days(problem, site.open_windows) == {0, 1, 2}
    (consultant,) = problem.consultants
    assert open_days(problem, consultant.available) == {0, 1, 2}
    (citizen,) = problem.citizens
    assert open_days(problem, citizen.available) == {0, 1, 2}


def test_an_absence_removes_the_consultant_for_those_days_and_hours() -> None:
    s = f.site()
    k = f.consultant(s)
    f.citizen(s, f.model_with_rules(f.talk_rule(28)), contact=k)
    Absence.objects.create(consultant=k, start_date=date(2026, 12, 2), end_date=date(2026, 12, 2), reason="sick")
    Absence.objects.create(
        consultant=k, start_date=date(2026, 12, 3), end_date=date(2026, 12, 3), start_time=time(12), end_time=time(14)
    )

    problem = problem_build(week_start=WEEK, site_ids=[s.id], num_workers=1).problem

    (c,) = problem.consultants
    assert open_days(problem, c.available) == {0, 1, 3, 4}
    assert hours_on(problem, c.available, 3) == [("08:00", "11:45"), ("14:00", "15:45")]
    assert c.contracted_minutes_per_week == 37 * 60


def test_internship_hours_block_the_citizen_and_count_as_internship_time() -> None:
    s = f.site()
    e = f.citizen(s, f.model_with_rules(f.talk_rule(28)))
    f.internship(e, weekdays=(0, 1, 2), hours=12, daily_start=time(8))  # 4 hours a day, 08–12

    problem = problem_build(week_start=WEEK, site_ids=[s.id], num_workers=1).problem

    (z,) = problem.citizens
    (monday,) = hours_on(problem, z.available, 0)
    assert monday[0] >= "12:00"  # internship plus the trip to the centre
    assert hours_on(problem, z.available, 3) == [("08:00", "15:45")]
    assert hours_on(problem, z.internship, 0) == [("08:00", "11:45")]
    assert z.busy_days == frozenset({0, 1, 2})


def test_accommodations_and_fixed_unavailability_shape_the_citizens_day() -> None:
    s = f.site()
    e = f.citizen(s, f.model_with_rules(f.talk_rule(28)), not_before=time(10), max_hours_per_day=2)
    CitizenUnavailability.objects.create(citizen=e.citizen, weekday=1, start_time=time(13), end_time=time(14))

    problem = problem_build(week_start=WEEK, site_ids=[s.id], num_workers=1).problem

    (z,) = problem.citizens
    assert hours_on(problem, z.available, 0) == [("10:00", "15:45")]
    assert hours_on(problem, z.available, 1) == [("10:00", "12:45"), ("14:00", "15:45")]
    assert z.max_minutes_per_day == 120


def test_travel_times_come_from_coordinates_unless_overridden() -> None:
    from rooms.models import TravelTimeOverride

    VISIT = {
        "kind": "followup_visit",
        "duration_minutes": 45,
        "frequency_type": "every_n_days",
        "frequency_value": 14,
        "place": "company",
        "condition": "in_internship",
        "staff": ["job"],
    }
    s = f.site()
    f.consultant(s, staff="job")
    e = f.citizen(s, f.model_with_rules(VISIT))
    firm = f.internship(e).company
    problem = problem_build(week_start=WEEK, site_ids=[s.id], num_workers=1).problem
    assert problem.travel(f"site:{s.id}", f"company:{firm.id}") >= 5

    TravelTimeOverride.objects.create(origin=f"company:{firm.id}", destination=f"site:{s.id}", minutes=40)
    problem = problem_build(week_start=WEEK, site_ids=[s.id], num_workers=1).problem
    assert problem.travel(f"site:{s.id}", f"company:{firm.id}") == 40
    (task,) = problem.tasks
    assert task.location_id == f"company:{firm.id}"


def test_contact_consultants_respect_caseload_and_are_never_changed() -> None:
    s = f.site()
    full = f.consultant(s, "Fuld Konsulent", max_caseload=1)
    free = f.consultant(s, "Ledig Konsulent", max_caseload=3)
    job = f.consultant(s, "Job Konsulent", staff="job", max_caseload=10)
    phase = f.model_with_rules(f.talk_rule(28))
    kept = f.citizen(s, phase, contact=full)
    newcomers = [f.citizen(s, phase) for _ in range(3)]
    f.citizen(s, phase, contact=free)

    assigned = contact_consultants_assign(site_ids=[s.id], week_start=WEEK)

    kept.refresh_from_db()
    assert kept.contact_consultant_id == full.id
    contacts = [Enrolment.objects.get(pk=e.pk).contact_consultant_id for e in newcomers]
    assert contacts[:2] == [free.id, free.id]  # the full one and the job consultant are not chosen
    assert contacts[2] is None  # everyone of the right type is at their limit
    assert len(assigned) == 2 and job.id not in contacts


@pytest.mark.parametrize("method", ["greedy", "cpsat"])
def test_course_places_respect_capacity_and_the_citizens_free_days(method: str) -> None:
    from activities.models import CourseMembership, CourseSession, GroupCourse, StaffType

    s = f.site()
    phase = f.model_with_rules(
        f.talk_rule(28),
        {
            "kind": "group_session",
            "duration_minutes": 60,
            "frequency_type": "per_week",
            "frequency_value": 1,
            "theme": "coping",
            "with_contact_consultant": False,
        },
    )
    social = StaffType.objects.get(code="social")
    small = GroupCourse.objects.create(
        name="Mestring A",
        theme="coping",
        site=s,
        facilitator_staff_type=social,
        min_participants=1,
        max_participants=2,
        start_date=date(2026, 11, 1),
        end_date=date(2027, 1, 31),
    )
    CourseSession.objects.create(course=small, weekday=1, start_time=time(10), duration_minutes=60)
    other = GroupCourse.objects.create(
        name="Mestring B",
        theme="coping",
        site=s,
        facilitator_staff_type=social,
        min_participants=1,
        max_participants=10,
        start_date=date(2026, 11, 1),
        end_date=date(2027, 1, 31),
    )
    CourseSession.objects.create(course=other, weekday=3, start_time=time(13), duration_minutes=60)
    citizens = [f.citizen(s, phase) for _ in range(4)]
    f.internship(citizens[3], weekdays=(3,), hours=8, daily_start=time(9))  # Thursday 09–17: not for B

    course_places_assign(site_ids=[s.id], week_start=WEEK, method=method)

    members = {
        c: set(CourseMembership.objects.filter(course=c).values_list("citizen_id", flat=True)) for c in (small, other)
    }
    assert 1 <= len(members[small]) <= 2  # never above max participants
    assert citizens[3].citizen_id in members[small]
    assert len(members[small] | members[other]) == 4
