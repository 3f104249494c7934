"""Which activities the rules make due in a week, and by when."""

from datetime import date, time

import pytest

from activities.models import ActivityRule
from scheduler.demand.demand import week_demand
from scheduler.models import ActivityRequest
from tests.scheduler import planning_factories as f

pytestmark = pytest.mark.django_db

WEEK = f.WEEK  # Monday 30.11.2026


def demands_for(s, kind=None):
    wd = week_demand(week_start=WEEK, site_ids=[s.id])
    return [d for d in wd.demands if kind is None or d.kind == kind], wd.notes


def test_a_28_day_talk_is_due_by_the_day_the_28_days_run_out() -> None:
    s = f.site()
    k = f.consultant(s)
    e = f.citizen(s, f.model_with_rules(f.talk_rule(28)), contact=k)
    f.held(f.published_plan(s, date(2026, 11, 2)), e, "talk", f.at(date(2026, 11, 5), 10), k)

    (talk,), _ = demands_for(s, "talk")

    assert talk.due_by == date(2026, 12, 3)
    assert (talk.first_day, talk.last_day) == (0, 3)
    assert "senest torsdag 03.12." in talk.reason_rule
    assert talk.preferred_consultant_ids == (k.id,)


def test_a_28_day_talk_is_not_due_when_its_deadline_is_after_this_week() -> None:
    s = f.site()
    k = f.consultant(s)
    e = f.citizen(s, f.model_with_rules(f.talk_rule(28)), contact=k)
    f.held(f.published_plan(s, date(2026, 11, 9)), e, "talk", f.at(date(2026, 11, 10), 10), k)

    talks, _ = demands_for(s, "talk")

    assert talks == []


def test_a_start_talk_counts_as_the_last_talk_and_drafts_do_not() -> None:
    s = f.site()
    k = f.consultant(s)
    e = f.citizen(s, f.model_with_rules(f.talk_rule(28)), contact=k)
    f.held(f.published_plan(s, date(2026, 11, 16)), e, "start_talk", f.at(date(2026, 11, 16), 9), k)

    talks, _ = demands_for(s, "talk")

    assert talks == []  # due 14.12., not this week


def test_an_overdue_talk_gets_the_whole_week() -> None:
    s = f.site()
    e = f.citizen(s, f.model_with_rules(f.talk_rule(28)), start=date(2026, 9, 1))

    (talk,), _ = demands_for(s, "talk")

    assert (talk.first_day, talk.last_day) == (0, 4)
    assert "overskredet" in talk.reason_rule
    assert talk.enrolment_id == e.id


def test_per_week_gives_that_many_tasks_on_different_days() -> None:
    s = f.site()
    f.citizen(
        s,
        f.model_with_rules(
            {
                "kind": "contact",
                "duration_minutes": 30,
                "frequency_type": "per_week",
                "frequency_value": 2,
                "staff": ["job"],
            }
        ),
    )

    contacts, _ = demands_for(s, "contact")

    assert len(contacts) == 2
    days = [set(range(d.first_day, d.last_day + 1)) for d in contacts]
    assert not days[0] & days[1]
    assert days[0] | days[1] == {0, 1, 2, 3, 4}
    assert contacts[0].staff_types == (frozenset({"job"}),)


def test_once_is_due_until_it_has_been_held() -> None:
    s = f.site()
    k = f.consultant(s)
    phase = f.model_with_rules({"kind": "start_talk", "duration_minutes": 60, "frequency_type": "once"})
    new, old = f.citizen(s, phase, contact=k), f.citizen(s, phase, contact=k)
    f.held(f.published_plan(s, date(2026, 10, 5)), old, "start_talk", f.at(date(2026, 10, 6), 9), k)

    starts, _ = demands_for(s, "start_talk")

    assert [d.enrolment_id for d in starts] == [new.id]


VISIT = {
    "kind": "followup_visit",
    "duration_minutes": 45,
    "frequency_type": "every_n_days",
    "frequency_value": 14,
    "place": "company",
    "condition": "in_internship",
    "staff": ["job"],
    "with_contact_consultant": False,
}


def test_an_internship_visit_is_due_14_days_after_the_internship_started() -> None:
    s = f.site()
    e = f.citizen(s, f.model_with_rules(VISIT))
    i = f.internship(e, start=date(2026, 11, 20))

    (visit,), _ = demands_for(s, "followup_visit")

    assert visit.due_by == date(2026, 12, 4)
    assert visit.company_id == i.company_id
    assert visit.place == "company"


def test_an_internship_visit_is_not_due_within_14_days_of_the_last_one() -> None:
    s = f.site()
    k = f.consultant(s, staff="job")
    e = f.citizen(s, f.model_with_rules(VISIT))
    f.internship(e, start=date(2026, 11, 1))
    f.held(f.published_plan(s, date(2026, 11, 23)), e, "followup_visit", f.at(date(2026, 11, 24), 10), k)

    visits, _ = demands_for(s, "followup_visit")

    assert visits == []


def test_a_citizen_without_an_internship_gets_no_visit() -> None:
    s = f.site()
    f.citizen(s, f.model_with_rules(VISIT))

    visits, _ = demands_for(s, "followup_visit")

    assert visits == []


AFTERCARE = {
    "kind": "contact",
    "duration_minutes": 30,
    "frequency_type": "every_n_days",
    "frequency_value": 28,
    "place": "phone",
    "condition": "after_job_start",
}


def test_monthly_follow_up_after_job_start_is_due_a_month_after_the_job_started() -> None:
    s = f.site()
    e = f.citizen(s, f.model_with_rules(AFTERCARE))
    e.job_started = date(2026, 11, 6)
    e.save()

    (contact,), _ = demands_for(s, "contact")

    assert contact.due_by == date(2026, 12, 4)
    assert contact.place == "phone"


def test_no_follow_up_before_the_job_has_started() -> None:
    s = f.site()
    f.citizen(s, f.model_with_rules(AFTERCARE))

    contacts, _ = demands_for(s, "contact")

    assert contacts == []


def test_an_open_request_is_due_inside_its_window() -> None:
    s = f.site()
    e = f.citizen(s, f.model_with_rules(f.talk_rule(28)), start=date(2026, 11, 25))
    firm = f.internship(e, kind="partial_return").company
    req = ActivityRequest.objects.create(
        enrolment=e, kind="roundtable", earliest=date(2026, 12, 1), due_by=date(2026, 12, 3), duration_minutes=60
    )
    ActivityRequest.objects.create(
        enrolment=e, kind="s7a", earliest=date(2026, 12, 10), due_by=date(2026, 12, 17), duration_minutes=45
    )

    requests, _ = demands_for(s)
    requests = [d for d in requests if d.request_id]

    assert [d.request_id for d in requests] == [req.id]
    (d,) = requests
    assert (d.first_day, d.last_day) == (1, 3)
    assert d.staff_types == (frozenset({"job"}), frozenset({"social"}))
    assert d.place == "company" and d.company_id == firm.id
    assert d.reason_rule.startswith("Bestilt af koordinator: Rundbordssamtale")


def test_group_course_sessions_become_one_task_each_with_a_fixed_start() -> None:
    from activities.models import CourseMembership, CourseSession, GroupCourse, StaffType

    s = f.site()
    phase = f.model_with_rules(f.talk_rule(28))
    members = [f.citizen(s, phase, start=date(2026, 11, 25)) for _ in range(3)]
    course = GroupCourse.objects.create(
        name="Mestring",
        theme="coping",
        site=s,
        facilitator_staff_type=StaffType.objects.get(code="social"),
        min_participants=2,
        max_participants=10,
        start_date=date(2026, 11, 1),
        end_date=date(2027, 1, 31),
    )
    CourseSession.objects.create(course=course, weekday=1, start_time=time(10), duration_minutes=60)
    CourseSession.objects.create(course=course, weekday=3, start_time=time(10), duration_minutes=60)
    for e in members:
        CourseMembership.objects.create(course=course, citizen=e.citizen, joined=date(2026, 11, 1))

    sessions, _ = demands_for(s, "group_session")

    assert [(d.fixed_day, d.fixed_minute) for d in sessions] == [(1, 600), (3, 600)]
    assert all(set(d.citizen_ids) == {e.citizen_id for e in members} for d in sessions)
    assert sessions[0].min_participants == 2 and sessions[0].max_participants == 10


def test_a_course_session_on_a_public_holiday_is_listed_not_planned() -> None:
    from activities.models import CourseMembership, CourseSession, GroupCourse, StaffType

    s = f.site()
    e = f.citizen(s, f.model_with_rules(f.talk_rule(28)), start=date(2026, 12, 20))
    course = GroupCourse.objects.create(
        name="Sundhed",
        theme="health",
        site=s,
        facilitator_staff_type=StaffType.objects.get(code="health"),
        min_participants=1,
        max_participants=10,
        start_date=date(2026, 11, 1),
        end_date=date(2027, 1, 31),
    )
    CourseSession.objects.create(course=course, weekday=4, start_time=time(10), duration_minutes=60)
    CourseMembership.objects.create(course=course, citizen=e.citizen, joined=date(2026, 11, 1))

    wd = week_demand(week_start=date(2026, 12, 21), site_ids=[s.id])

    assert not [d for d in wd.demands if d.kind == "group_session"]
    (note,) = [n for n in wd.notes if n.kind == "group_session"]
    assert "Juledag" in note.reason


def test_task_ids_are_stable_between_runs() -> None:
    s = f.site()
    phase = f.model_with_rules(f.talk_rule(28))
    f.citizen(s, phase)
    rule = ActivityRule.objects.get(phase=phase)

    first = [d.key for d in week_demand(week_start=WEEK, site_ids=[s.id]).demands]
    again = [d.key for d in week_demand(week_start=WEEK, site_ids=[s.id]).demands]

    assert first == again
    assert first[0].startswith("talk:") and first[0].endswith(f":{rule.id}:2026-W49:1")
