"""The pure proposal model (solver.course_proposals) with the real CP-SAT solver."""
from solver.course_proposals import (
    ACCOMMODATION,
    FULL,
    WORKS,
    Busy,
    Facilitator,
    ProposalRequest,
    RoomOption,
    WaitingCitizen,
    propose_courses,
)

WEEKS = 4
OPEN = tuple({d: (8 * 60, 16 * 60) for d in range(5)} for _ in range(WEEKS))
ALL = tuple(range(WEEKS))
FULL_DAYS = {d: (8 * 60, 16 * 60) for d in range(5)}


def request(citizens: list[WaitingCitizen], **over: object) -> ProposalRequest:
    base = dict(weeks=WEEKS, open_hours=OPEN, sessions_per_week=1, duration=120, min_participants=2,
                max_participants=12, citizens=tuple(citizens), facilitators=(Facilitator(1, FULL_DAYS),),
                rooms=(RoomOption(10, 14),), num_workers=1, time_limit=10)
    return ProposalRequest(**{**base, **over})


def works(day: int, week: int | None = None) -> Busy:
    return Busy(day, 8 * 60, 16 * 60, WORKS, week)


def test_two_waiting_citizens_get_one_course_outside_the_days_they_work() -> None:
    a = WaitingCitizen(1, ALL, (works(0), works(1), works(2)))
    b = WaitingCitizen(2, ALL, (works(3, week=2),))  # works one Thursday only
    result = propose_courses(request([a, b]))
    assert len(result.courses) == 1
    course = result.courses[0]
    assert course.citizen_ids == (1, 2)
    assert course.days == (4,)  # Friday: Mon-Wed taken by a, Thursday of week 3 by b
    assert not result.left_out


def test_a_facilitators_working_hours_and_a_rooms_bookings_hold_in_every_week() -> None:
    citizens = [WaitingCitizen(i, ALL) for i in range(1, 4)]
    facilitator = Facilitator(1, {1: (12 * 60, 16 * 60)}, busy=(Busy(1, 15 * 60, 16 * 60, "appointment", 3),))
    room = RoomOption(10, 14, busy=(Busy(1, 12 * 60, 13 * 60, "booked", 2),))
    result = propose_courses(request(citizens, facilitators=(facilitator,), rooms=(room,)))
    course = result.courses[0]
    assert course.days == (1,)
    # Tuesday 12-16 only; the room is booked 12-13 in week 3, the facilitator 15-16 in week 4.
    assert course.start == 13 * 60
    assert propose_courses(request(citizens, facilitators=(facilitator,), rooms=(room,), duration=180)).courses == []


def test_with_one_course_the_longest_waiting_sit_first_and_the_rest_are_told_it_is_full() -> None:
    citizens = [WaitingCitizen(i, ALL, priority=i) for i in range(1, 15)]
    result = propose_courses(request(citizens, min_participants=6, max_participants=12, max_courses=1))
    assert len(result.courses) == 1
    assert set(result.courses[0].citizen_ids) == set(range(3, 15))
    assert {o.citizen_id: o.code for o in result.left_out} == {1: FULL, 2: FULL}


def test_fourteen_citizens_and_twelve_seats_make_two_courses_that_never_share_the_facilitator() -> None:
    citizens = [WaitingCitizen(i, ALL) for i in range(1, 15)]
    result = propose_courses(request(citizens, min_participants=6, max_participants=12))
    a, b = result.courses
    assert len(a.citizen_ids) + len(b.citizen_ids) == 14 and min(len(a.citizen_ids), len(b.citizen_ids)) >= 6
    assert a.days != b.days or a.start + 120 <= b.start or b.start + 120 <= a.start
    assert not result.left_out


def test_accommodations_and_minimum_explain_why_nobody_is_seated() -> None:
    a = WaitingCitizen(1, ALL, max_minutes_per_day=60)
    b = WaitingCitizen(2, ALL)
    result = propose_courses(request([a, b]))
    assert not result.courses and result.why_none == "too_few" or result.patterns == 0
    result = propose_courses(request([a, b], min_participants=1))
    assert [c.citizen_ids for c in result.courses] == [(2,)]
    assert [(o.citizen_id, o.code) for o in result.left_out] == [(1, ACCOMMODATION)]


def test_two_sessions_a_week_are_on_days_with_a_day_between() -> None:
    citizens = [WaitingCitizen(i, ALL) for i in range(1, 4)]
    result = propose_courses(request(citizens, sessions_per_week=2, duration=60))
    days = result.courses[0].days
    assert len(days) == 2 and days[1] - days[0] >= 2
