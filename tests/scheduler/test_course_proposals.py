"""Proposals for new holdforløb from the database, with the real solver: who waits, which course would
seat them, the facilitator's hours and the rooms' other bookings over every week, and accepting one."""
from datetime import date, time, timedelta

import pytest
from django.contrib.auth import get_user_model

from activities.models import CourseMembership, CourseSession, GroupCourse, StaffType
from rooms.calendar import holiday_name
from rooms.models import Room
from scheduler.access import scope_for
from scheduler.courses.selectors import course_proposals_for_week as course_proposals
from scheduler.courses.services import accepted_from, course_proposal_accept
from scheduler.models import Absence, Appointment, WorkingHours
from scheduler.planning.services import plan_create_draft
from tests.dates import quiet_monday
from tests.scheduler import planning_factories as f

pytestmark = pytest.mark.django_db

FAST = {"time_limit": 10, "num_workers": 1, "random_seed": 1}
COPING = {"kind": "group_session", "duration_minutes": 120, "frequency_type": "per_week", "frequency_value": 1,
          "theme": "coping", "with_contact_consultant": False, "features": ["group_room"]}


def quiet_weeks(n: int) -> date:
    """The first Monday from which n weeks in a row have no holiday on a weekday."""
    monday = quiet_monday()
    while any(holiday_name(monday + timedelta(days=d)) for d in range(7 * n)):
        monday += timedelta(weeks=1)
    return monday


def course(s, start: date, *, weekday: int = 1, at: time = time(9), facilitator=None, low: int = 2,
           high: int = 12, weeks: int = 4) -> GroupCourse:
    c = GroupCourse.objects.create(
        name="Mestring 1", theme="coping", site=s, facilitator_staff_type=StaffType.objects.get(code="social"),
        facilitator=facilitator, min_participants=low, max_participants=high, start_date=start - timedelta(weeks=1),
        end_date=start + timedelta(weeks=weeks, days=-3),
    )
    c.room_features.add(*Room.objects.get(site=s, name="Grupperum").features.all())
    CourseSession.objects.create(course=c, weekday=weekday, start_time=at, duration_minutes=120)
    return c


def test_fourteen_citizens_for_a_course_of_twelve_get_a_second_course_that_fits_the_two_left_over() -> None:
    week = quiet_weeks(4)
    s = f.site()
    k = f.consultant(s, "Mette Hansen")
    f.consultant(s, "Ole Lund")
    phase = f.model_with_rules(COPING)
    first = course(s, week, facilitator=k)  # Tuesdays 9-11, 12 seats
    early = [f.citizen(s, phase, start=week - timedelta(weeks=3)) for _ in range(12)]
    late_a = f.citizen(s, phase, start=week - timedelta(weeks=1))
    late_b = f.citizen(s, phase, start=week - timedelta(weeks=1))
    f.internship(late_a, start=week - timedelta(weeks=1), weekdays=(0, 2), hours=16)  # Mon, Wed 8-16
    f.internship(late_b, start=week - timedelta(weeks=1), weekdays=(3, 4), hours=16)  # Thu, Fri 8-16

    groups = course_proposals(site_ids=[s.id], week_start=week, weeks=4, **FAST)

    assert [(g.theme, g.waiting) for g in groups] == [("coping", 2)]
    (proposal,) = groups[0].proposals
    assert {seat.citizen_id for seat in proposal.seats} == {late_a.citizen_id, late_b.citizen_id}
    assert proposal.weekdays == (1,)  # the only day neither of them works
    start = proposal.start_time.hour * 60 + proposal.start_time.minute
    # The group room is the first course's on Tuesday 9-11 in every week.
    assert start + 120 <= 9 * 60 or start >= 11 * 60
    assert proposal.min_participants == first.min_participants and proposal.max_participants == 12
    assert proposal.start_date == week + timedelta(days=1) and proposal.end_date == week + timedelta(weeks=3, days=4)
    assert not groups[0].refused
    assert proposal.text.startswith("Mestring, tirsdage ")
    assert proposal.text.endswith(f"fra {week + timedelta(days=1):%d.%m.}")
    assert len(early) == 12 and not CourseMembership.objects.exists()  # proposing writes nothing


def test_a_proposal_respects_the_facilitators_hours_and_the_rooms_other_bookings_in_every_week() -> None:
    week = quiet_weeks(4)
    s = f.site()
    k = f.consultant(s, "Mette Hansen")
    WorkingHours.objects.filter(consultant=k).exclude(weekday__in=[1, 3]).delete()
    WorkingHours.objects.filter(consultant=k).update(start_time=time(8), end_time=time(12))
    Absence.objects.create(consultant=k, start_date=week + timedelta(weeks=2, days=1),
                           end_date=week + timedelta(weeks=2, days=1))  # the third Tuesday
    plan = f.published_plan(s, week + timedelta(weeks=1))
    booked = Appointment.objects.create(plan=plan, task_key="x", kind="talk", site=s,
                                        room=Room.objects.get(site=s, name="Grupperum"),
                                        start=f.at(week + timedelta(weeks=1, days=3), 8),
                                        end=f.at(week + timedelta(weeks=1, days=3), 10))  # the second Thursday 8-10
    phase = f.model_with_rules(COPING)
    waiting = [f.citizen(s, phase, start=week - timedelta(weeks=2)) for _ in range(6)]

    (group,) = course_proposals(site_ids=[s.id], week_start=week, weeks=4, **FAST)

    (proposal,) = group.proposals
    assert (proposal.weekdays, proposal.start_time, proposal.facilitator_id) == ((3,), time(10), k.id)
    assert proposal.room_name == "Grupperum" and booked.room.name == "Grupperum"
    assert len(proposal.seats) == len(waiting)
    # Without the free Thursday morning hours nothing fits: no course is proposed and each citizen is told why.
    booked.end = f.at(week + timedelta(weeks=1, days=3), 12)
    booked.save()
    (group,) = course_proposals(site_ids=[s.id], week_start=week, weeks=4, **FAST)
    assert not group.proposals and group.why_none == "no_time"
    assert {(r.code, r.reason) for r in group.refused} == {
        ("no_course", "Ingen fælles tid for nok borgere, en facilitator og et lokale")}
    assert len(group.refused) == 6


def test_accepting_creates_exactly_the_course_sessions_and_memberships_shown_and_the_plan_seats_them() -> None:
    week = quiet_weeks(4)
    s = f.site()
    f.consultant(s, "Mette Hansen")
    phase = f.model_with_rules(COPING)
    waiting = [f.citizen(s, phase, start=week - timedelta(weeks=2)) for _ in range(7)]
    coordinator = get_user_model().objects.create_superuser("a")
    (group,) = course_proposals(site_ids=[s.id], week_start=week, weeks=4, **FAST)
    (proposal,) = group.proposals
    before = GroupCourse.objects.count()

    made = course_proposal_accept(scope=scope_for(coordinator), accepted=accepted_from(proposal))

    assert GroupCourse.objects.count() == before + 1
    assert (made.site_id, made.theme, made.start_date, made.end_date, made.facilitator_id) == (
        s.id, "coping", proposal.start_date, proposal.end_date, proposal.facilitator_id)
    assert [(x.weekday, x.start_time, x.duration_minutes) for x in made.sessions.all()] == [
        (d, proposal.start_time, proposal.duration_minutes) for d in proposal.weekdays]
    assert sorted(CourseMembership.objects.filter(course=made).values_list("citizen_id", "joined")) == sorted(
        (seat.citizen_id, seat.joined) for seat in proposal.seats)
    assert {seat.citizen_id for seat in proposal.seats} == {e.citizen_id for e in waiting}

    plan = plan_create_draft(week_start=week, site_ids=[s.id], **FAST)
    sessions = plan.appointments.filter(group_course=made)
    assert sessions.count() == 1
    assert set(sessions.get().citizens.values_list("id", flat=True)) == {e.citizen_id for e in waiting}
    assert not plan.unplaced.filter(kind="group_session").exists()


def _fourteen_for_a_course_of_twelve(week: date) -> tuple:
    """A full coping course of 12 with Mette Hansen, two more citizens waiting (the first works Mondays
    and Wednesdays) and Ole Lund free to facilitate a second course."""
    s = f.site()
    k = f.consultant(s, "Mette Hansen")
    ole = f.consultant(s, "Ole Lund")
    phase = f.model_with_rules(COPING)
    course(s, week, facilitator=k)
    for _ in range(12):
        f.citizen(s, phase, start=week - timedelta(weeks=3))
    late = [f.citizen(s, phase, start=week - timedelta(weeks=1)) for _ in range(2)]
    f.internship(late[0], start=week - timedelta(weeks=1), weekdays=(0, 2), hours=16)
    return s, ole, late


def test_the_citizens_left_without_a_course_place_are_pointed_at_the_proposed_new_course() -> None:
    week = quiet_weeks(4)
    s, ole, late = _fourteen_for_a_course_of_twelve(week)

    plan = plan_create_draft(week_start=week, site_ids=[s.id], **FAST)

    tasks = list(plan.unplaced.filter(kind="group_session"))
    assert sorted(t.citizens.get().pk for t in tasks) == sorted(e.citizen_id for e in late)
    (proposal,) = course_proposals(site_ids=[s.id], week_start=week, weeks=8, **FAST)[0].proposals
    for task in tasks:
        assert task.reason.startswith("Holdet »Mestring 1« er fuldt (12 af 12)")
        assert task.reason.endswith(f". Foreslået nyt hold: {proposal.text}")
        assert "Foreslået nyt hold: Mestring, " in task.reason
        assert task.cause["code"] == "course_full"
        assert task.cause["params"]["proposal"] == proposal.summary()
        assert 0 not in task.cause["params"]["proposal"]["weekdays"]  # late[0] works Mondays and Wednesdays


def test_the_pointer_and_the_new_courses_screen_propose_the_same_course_with_the_shared_solve(settings) -> None:
    """Planning (its own workers and seed) and the screen go through one deterministic solve; the week's
    draft, which planning replaces, is not a fact for either, so a draft stored in between changes nothing."""
    from scheduler.courses.proposals import proposal_solve

    settings.PLANNER_COURSE_PROPOSAL_SECONDS = 2
    week = quiet_weeks(4)
    s, ole, late = _fourteen_for_a_course_of_twelve(week)

    plan = plan_create_draft(week_start=week, site_ids=[s.id], time_limit=10, num_workers=2, random_seed=7)

    solve = proposal_solve()
    assert (solve.num_workers, solve.random_seed, solve.deterministic_time) == (1, 0, 2.0)
    pointers = [t.cause["params"]["proposal"] for t in plan.unplaced.filter(kind="group_session")]
    assert len(pointers) == 2 and pointers[0] == pointers[1]
    (group,) = course_proposals(site_ids=[s.id], week_start=week)  # what the screen and the API call
    (proposal,) = group.proposals
    assert proposal.summary() == pointers[0] and proposal.facilitator_id == ole.id
    # The planner fills the facilitator's free time in the draft; re-planning the week moves that aside,
    # so the screen still shows the course the pointer names.
    day = week + timedelta(days=proposal.weekdays[0])
    start = f.at(day, proposal.start_time.hour, proposal.start_time.minute)
    busy = Appointment.objects.create(plan=plan, task_key="fill", kind="talk", site=s, start=start,
                                      end=start + timedelta(minutes=proposal.duration_minutes))
    busy.consultants.add(ole)
    assert course_proposals(site_ids=[s.id], week_start=week)[0].proposals[0].summary() == pointers[0]
    # A published plan is a fact: the same booking there moves the proposal.
    plan.status = "published"
    plan.save(update_fields=["status"])
    assert course_proposals(site_ids=[s.id], week_start=week)[0].proposals[0].summary() != pointers[0]


def test_a_session_longer_than_the_planners_longest_run_is_split_over_days(settings) -> None:
    from activities.models import ActivityRule
    from scheduler.courses.proposals import session_pattern

    settings.PLANNER_MAX_RUN_MINUTES = 180
    phase = f.model_with_rules({**COPING, "duration_minutes": 240}, {**COPING, "theme": "health"})
    long_rule, short_rule = ActivityRule.objects.filter(phase=phase).order_by("id")
    assert session_pattern(long_rule) == (2, 120) and session_pattern(short_rule) == (1, 120)
    settings.PLANNER_MAX_RUN_MINUTES = 0
    assert session_pattern(long_rule) == (1, 240)
