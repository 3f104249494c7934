"""Issue 12 items 1-3 through the product: database → problem_build → real solver → verifier → stored draft.

Presence per place (internship hours per company), travel between every two appointments of a consultant's
day (bookings in other sites' plans included), the lunch break and the longest run.
"""

from datetime import date, time, timedelta

import pytest
from django.test import override_settings

from rooms.models import Site, TravelTimeOverride
from scheduler.availability import TZ
from scheduler.models import Appointment, Consultant, Plan, PlanStatus, WorkingHours
from scheduler.planning.services import plan_create_draft
from scheduler.problem.builder import problem_build
from tests.scheduler import planning_factories as f

pytestmark = pytest.mark.django_db

WEEK = f.WEEK
FAST = {"time_limit": 10, "num_workers": 1, "random_seed": 1}

VISIT = {
    "kind": "followup_visit",
    "duration_minutes": 45,
    "frequency_type": "per_week",
    "frequency_value": 2,
    "place": "company",
    "condition": "in_internship",
    "staff": ["job"],
}


def span(a: Appointment) -> tuple[date, int, int]:
    s, e = a.start.astimezone(TZ), a.end.astimezone(TZ)
    return s.date(), s.hour * 60 + s.minute, e.hour * 60 + e.minute


def only_on(c: Consultant, weekday: int) -> None:
    WorkingHours.objects.filter(consultant=c).exclude(weekday=weekday).delete()


def fredericia() -> Site:
    s = f.site("fredericia", "Fredericia")
    s.latitude, s.longitude, s.street, s.postcode, s.city = 55.565, 9.752, "Gothersgade 1", "7000", "Fredericia"
    s.save()
    return s


def test_a_tuesday_only_internship_gets_its_follow_up_visits_on_tuesday_only() -> None:
    s = f.site()
    f.consultant(s, "Jens Job", staff="job")
    e = f.citizen(s, f.model_with_rules(VISIT))
    f.internship(e, weekdays=(1,), hours=7)  # Tuesdays 08:00-15:00

    plan = plan_create_draft(week_start=WEEK, site_ids=[s.id], **FAST)

    visits = list(plan.appointments.filter(kind="followup_visit"))
    assert visits, list(plan.unplaced.values_list("reason", flat=True))
    for a in visits:
        day, start, end = span(a)
        assert day == WEEK + timedelta(days=1)
        assert 8 * 60 <= start and end <= 15 * 60


def test_the_citizen_is_present_per_place_in_the_built_problem() -> None:
    s = f.site()
    f.consultant(s, "Jens Job", staff="job")
    e = f.citizen(s, f.model_with_rules(VISIT))
    firm = f.internship(e, weekdays=(1,), hours=7).company

    (z,) = problem_build(week_start=WEEK, site_ids=[s.id], num_workers=1).problem.citizens

    assert z.free is not None and [w.location_id for w in z.workplaces] == [f"company:{firm.id}"]
    with override_settings(PLANNER_DAY_RULES=False):
        problem = problem_build(week_start=WEEK, site_ids=[s.id], num_workers=1).problem
    assert problem.citizens[0].free is None and problem.rules.travel is False


def _consultant_day(c: Consultant, day: date) -> list[tuple[int, int, int | None]]:
    """(start, end, site) of every planned appointment of the consultant that day, in any plan."""
    out = []
    for a in Appointment.objects.filter(consultants=c, status="planned", plan__status__in=["draft", "published"]):
        d, start, end = span(a)
        if d == day:
            out.append((start, end, a.site_id))
    return sorted(out)


def _assert_trips_kept(day: list[tuple[int, int, int | None]], minutes: int) -> None:
    for (_s1, e1, site1), (s2, _e2, site2) in zip(day, day[1:], strict=False):
        assert e1 <= s2, day
        if site1 != site2:
            assert s2 - e1 >= minutes, day


def test_a_consultant_serving_two_sites_25_minutes_apart_gets_the_trip_around_a_booking_elsewhere() -> None:
    vejle, fred = f.site(), fredericia()
    TravelTimeOverride.objects.create(origin=f"site:{vejle.id}", destination=f"site:{fred.id}", minutes=25)
    k = f.consultant(vejle, "Mette Hansen")
    k.sites.add(fred)
    only_on(k, 1)  # Tuesday only
    tuesday = WEEK + timedelta(days=1)
    # Fredericia's published plan already has her 10:00-11:00 at Fredericia.
    other = Plan.objects.create(week_start=WEEK, status=PlanStatus.PUBLISHED, version=1)
    other.sites.add(fred)
    booked = Appointment.objects.create(
        plan=other, task_key="other:1", kind="talk", start=f.at(tuesday, 10), end=f.at(tuesday, 11), site=fred
    )
    booked.consultants.add(k)
    phase = f.model_with_rules(f.talk_rule(28))
    for _ in range(4):
        f.citizen(vejle, phase, contact=k)

    plan = plan_create_draft(week_start=WEEK, site_ids=[vejle.id], **FAST)

    assert plan.appointments.count() >= 3
    day = _consultant_day(k, tuesday)
    assert (600, 660, fred.id) in day
    _assert_trips_kept(day, 25)


def test_a_consultant_serving_two_sites_planned_together_travels_between_them() -> None:
    vejle, fred = f.site(), fredericia()
    TravelTimeOverride.objects.create(origin=f"site:{vejle.id}", destination=f"site:{fred.id}", minutes=25)
    k = f.consultant(vejle, "Mette Hansen")
    k.sites.add(fred)
    only_on(k, 1)
    phase = f.model_with_rules(f.talk_rule(28))
    for s in (vejle, fred, vejle, fred):
        f.citizen(s, phase, contact=k)

    plan = plan_create_draft(week_start=WEEK, site_ids=[vejle.id, fred.id], **FAST)

    assert plan.appointments.count() == 4, list(plan.unplaced.values_list("reason", flat=True))
    day = _consultant_day(k, WEEK + timedelta(days=1))
    assert {site for *_x, site in day} == {vejle.id, fred.id}
    _assert_trips_kept(day, 25)


def _free_in(day: list[tuple[int, int, int | None]], lo: int, hi: int) -> int:
    """Longest stretch inside [lo, hi) without an appointment."""
    best, cursor = 0, lo
    for s, e, _site in day:
        if s > cursor:
            best = max(best, min(s, hi) - cursor)
        cursor = max(cursor, e)
        if cursor >= hi:
            break
    return max(best, hi - cursor)


def test_six_talks_in_one_day_leave_a_lunch_break_and_no_run_over_three_hours() -> None:
    s = f.site()
    k = f.consultant(s)
    only_on(k, 0)
    phase = f.model_with_rules(f.talk_rule(28))
    for _ in range(6):
        f.citizen(s, phase, contact=k)

    plan = plan_create_draft(week_start=WEEK, site_ids=[s.id], **FAST)

    assert plan.appointments.count() == 6, list(plan.unplaced.values_list("reason", flat=True))
    day = _consultant_day(k, WEEK)
    assert _free_in(day, 11 * 60, 13 * 60 + 30) >= 30, day
    run_start, run_end = day[0][0], day[0][1]
    for start, end, _site in day[1:]:
        if start > run_end:
            run_start = start
        run_end = max(run_end, end)
        assert run_end - run_start <= 180, day


def test_the_sites_own_lunch_window_is_used() -> None:
    s = f.site()
    s.lunch_earliest, s.lunch_latest, s.lunch_minutes = time(12), time(13), 45
    s.save()
    k = f.consultant(s)

    problem = problem_build(week_start=WEEK, site_ids=[s.id], num_workers=1).problem

    lunch = problem.lunch_of(next(c for c in problem.consultants if c.id == k.id))
    assert (lunch.earliest_minute, lunch.latest_minute, lunch.minutes) == (720, 780, 45)
    assert problem.rules.max_run_minutes == 180 and problem.rules.travel is True


def test_the_phone_talk_after_a_far_away_internship_is_placed() -> None:
    s = f.site()
    k = f.consultant(s)
    phone_talk = {**f.talk_rule(28), "duration_minutes": 30, "place": "phone"}
    e = f.citizen(s, f.model_with_rules(phone_talk), contact=k)
    far = f.company("Horsens Stål A/S")
    far.latitude, far.longitude = 55.861, 9.850  # about 40 minutes from Vejle
    far.save()
    f.internship(e, weekdays=(0, 1, 2, 3, 4), hours=37, firm=far)  # 08:00-15:24 every day
    problem = problem_build(week_start=WEEK, site_ids=[s.id], num_workers=1).problem
    assert problem.travel(f"site:{s.id}", f"company:{far.id}") >= 20

    plan = plan_create_draft(week_start=WEEK, site_ids=[s.id], **FAST)

    (a,) = plan.appointments.all()
    _day, start, end = span(a)
    assert start >= 15 * 60 + 24 and end <= 16 * 60
    assert a.consultants.get() == k
