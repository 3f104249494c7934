"""One true reason per unplaced task, end to end (real database, real solver, real verifier): the
blocker that holds for every candidate is named, with a structured cause (docs/plan-format.md)."""

from datetime import date, time, timedelta

import pytest

from activities.models import CourseMembership, CourseSession, EmployerAvailability, GroupCourse, StaffType
from scheduler.models import ActivityRequest, Plan
from scheduler.planning.selectors import plan_export
from scheduler.planning.services import plan_create_draft
from tests.scheduler import planning_factories as f

pytestmark = pytest.mark.django_db

WEEK = f.WEEK  # Monday 30.11.2026
FAST = {"time_limit": 10, "num_workers": 1, "random_seed": 1}


def plan_week(s) -> Plan:
    return plan_create_draft(week_start=WEEK, site_ids=[s.id], **FAST)


def course(s, name: str, *, theme: str = "coping", start: date = date(2026, 11, 1), seats: int = 10,
           staff: str = "health") -> GroupCourse:
    return GroupCourse.objects.create(
        name=name, theme=theme, site=s, facilitator_staff_type=StaffType.objects.get(code=staff),
        min_participants=1, max_participants=seats, start_date=start, end_date=start + timedelta(days=90),
    )


def test_a_round_table_blocked_by_the_citizens_own_course_names_the_course() -> None:
    s = f.site()
    f.consultant(s, "Mette Hansen", "social")
    f.consultant(s, "Lars Jensen", "job")
    f.consultant(s, "Pia Madsen", "social")
    f.consultant(s, "Søren Holm", "health")
    phase = f.model_with_rules(f.talk_rule(28))
    members = [f.citizen(s, phase, start=date(2026, 11, 25)) for _ in range(3)]
    e = members[0]
    # Employed, on full sick leave (no hours at work this week): the round table with the employer
    # can be at the workplace whenever the citizen is free.
    firm = f.internship(e, kind="partial_return", weekdays=(), hours=0).company
    for day in (1, 3):  # the employer can only Tuesday and Thursday morning ...
        EmployerAvailability.objects.create(company=firm, weekday=day, start_time=time(9), end_time=time(12))
    kom_videre = course(s, "Kom videre")
    for day in (1, 3):  # ... exactly when the citizen is on their course
        CourseSession.objects.create(course=kom_videre, weekday=day, start_time=time(9), duration_minutes=180)
    for m in members:
        CourseMembership.objects.create(course=kom_videre, citizen=m.citizen, joined=date(2026, 11, 1))
    ActivityRequest.objects.create(
        enrolment=e, kind="roundtable", earliest=WEEK, due_by=WEEK + timedelta(days=4), duration_minutes=60
    )

    plan = plan_week(s)

    (task,) = plan.unplaced.filter(kind="roundtable")
    assert "»Kom videre«" in task.reason
    assert "fuldt booket" not in task.reason
    assert task.cause["code"] == "citizen_course"
    assert task.cause["object"] == {"kind": "course", "id": kom_videre.id, "name": "Kom videre"}
    assert task.cause["person"] == {"kind": "citizen", "id": e.citizen_id, "name": e.citizen.full_name}
    assert task.cause["at"] == "2026-12-01T09:00:00+01:00"
    # The export keeps citizens pseudonymous: the reference, never the name.
    exported = next(u for u in plan_export(plan=plan)["unplaced"] if u["kind"] == "roundtable")
    assert exported["cause"] == {**task.cause, "person": {**task.cause["person"], "name": e.citizen.reference}}
    assert e.citizen.full_name not in exported["reason"] and e.citizen.reference in exported["reason"]


def test_a_full_course_is_told_apart_and_names_the_next_course_with_seats() -> None:
    s = f.site()
    f.consultant(s, "Søren Holm", "health")
    phase = f.model_with_rules(
        f.talk_rule(28), {"kind": "group_session", "duration_minutes": 60, "frequency_type": "per_week",
                          "frequency_value": 1, "theme": "coping", "staff": ["health"]}
    )
    full = course(s, "Mestring forår", seats=2)
    CourseSession.objects.create(course=full, weekday=2, start_time=time(10), duration_minutes=60)
    for _ in range(2):
        other = f.citizen(s, f.model_with_rules(f.talk_rule(28)))
        CourseMembership.objects.create(course=full, citizen=other.citizen, joined=date(2026, 11, 1))
    later = course(s, "Mestring januar", start=date(2027, 1, 4))
    CourseSession.objects.create(course=later, weekday=2, start_time=time(10), duration_minutes=60)
    e = f.citizen(s, phase)

    plan = plan_week(s)

    (task,) = plan.unplaced.filter(kind="group_session", citizens=e.citizen)
    assert task.reason.startswith("Holdet »Mestring forår« er fuldt (2 af 2)")
    assert "næste hold med ledig plads er »Mestring januar« med start 04.01.2027" in task.reason
    assert task.cause["code"] == "course_full"
    assert task.cause["object"]["id"] == full.id
    assert task.cause["params"]["next_course_id"] == later.id
    assert task.cause["params"]["next_course_name"] == "Mestring januar"
    assert task.cause["params"]["next_course_start"] == "2027-01-04"


def test_a_course_with_seats_whose_times_do_not_fit_says_so_not_full() -> None:
    s = f.site()
    f.consultant(s, "Søren Holm", "health")
    phase = f.model_with_rules(
        f.talk_rule(28), {"kind": "group_session", "duration_minutes": 60, "frequency_type": "per_week",
                          "frequency_value": 1, "theme": "coping", "staff": ["health"]}
    )
    mestring = course(s, "Mestring")
    CourseSession.objects.create(course=mestring, weekday=0, start_time=time(9), duration_minutes=60)
    e = f.citizen(s, phase)
    f.internship(e, weekdays=(0, 1), hours=16)  # Monday and Tuesday 08:00-16:00 at the company

    plan = plan_week(s)

    (task,) = plan.unplaced.filter(kind="group_session", citizens=e.citizen)
    assert task.cause["code"] == "course_times"
    assert "fuldt" not in task.reason
    assert "holdgangen mandag 09:00 ligger i borgerens praktiktid" in task.reason


def test_the_deadline_is_shown_at_the_sites_closing_time() -> None:
    s = f.site(closes=time(15, 30))  # the consultant works until 16:00, the centre closes 15:30
    k = f.consultant(s)
    e = f.citizen(s, f.model_with_rules(f.talk_rule(28)), contact=k)
    f.internship(e, weekdays=(0, 1, 2, 3, 4), hours=40)  # 08:00-16:00 every day

    plan = plan_week(s)

    (task,) = plan.unplaced.all()
    assert "før fristen fredag 15:30" in task.reason
    assert "18:00" not in task.reason and "16:00" not in task.reason
    assert task.cause["code"] == "citizen_internship"
    assert task.cause["at"] == "2026-12-04T15:30:00+01:00"
