"""Breaks: a consultant's lunch inside its window (per site), the longest run of appointments
without a break (consultants, and citizens by accommodation). Real solver and greedy, checked by
the verifier; off unless the Problem sets them."""

from dataclasses import replace

from solver.cpsat import solve
from solver.greedy import greedy
from solver.problem import DayRules, Lunch, Problem, Solution, Window
from solver.verify import verify

from .builders import VEJLE, at, citizen, consultant, placement_map, talk, world

MONDAY = Window(at(0, 8), at(0, 16))
OFF = DayRules()


def run(problem: Problem) -> Solution:
    sol = solve(problem)
    assert verify(problem, sol) == []
    assert verify(problem, greedy(problem)) == []
    return sol


def mettes_monday(n_talks: int, rules: DayRules = OFF, hours: tuple[int, int, int] = (8, 16, 0)) -> Problem:
    """Mette has only Monday; n one-hour talks with different citizens are due that day."""
    h0, h1, m1 = hours
    mette = consultant(1, "Mette Hansen", "social", available=(Window(at(0, h0), at(0, h1, m1)),))
    tasks = [talk(f"t{z}", z, window=MONDAY) for z in range(1, n_talks + 1)]
    citizens = [citizen(z) for z in range(1, n_talks + 1)]
    problem = world(tasks, consultants=[mette], citizens=citizens, start_step_slots=1)
    return replace(problem, rules=rules)


def busy_slots(problem: Problem, sol: Solution) -> set[int]:
    tasks = {t.id: t for t in problem.tasks}
    return {s for p in sol.placements for s in range(p.start_slot, p.start_slot + tasks[p.task_id].duration_slots)}


def test_six_talks_back_to_back_get_a_lunch_break() -> None:
    plain = run(mettes_monday(6))
    assert len(plain.placements) == 6
    problem = mettes_monday(6, DayRules(lunch=Lunch()))  # 30 minutes between 11:00 and 13:30
    sol = run(problem)
    assert len(sol.placements) == 6
    busy = busy_slots(problem, sol)
    assert any(s not in busy and s + 1 not in busy for s in range(at(0, 11), at(0, 13) + 1)), "no free half hour"


def test_a_full_day_of_talks_leaves_room_for_lunch() -> None:
    # Eight hours, eight one-hour talks: without a lunch rule all eight; with it one gives way.
    assert len(run(mettes_monday(8)).placements) == 8
    sol = run(mettes_monday(8, DayRules(lunch=Lunch())))
    assert len(sol.placements) == 7
    assert "frokostpause" in sol.unplaced[0].reason


def test_lunch_window_set_per_site() -> None:
    noon = Lunch(12 * 60, 13 * 60, 30)
    problem = mettes_monday(6, DayRules(lunch=Lunch()))
    problem = replace(problem, sites=(replace(VEJLE, lunch=noon),))
    sol = run(problem)
    busy = busy_slots(problem, sol)
    assert len(sol.placements) == 6
    assert any(s not in busy and s + 1 not in busy for s in range(at(0, 12), at(0, 12, 30) + 1))


def test_longest_run_of_appointments_for_consultants() -> None:
    # Four one-hour talks in 08:00-12:15: only with a quarter of an hour between the third and fourth.
    sol = run(mettes_monday(4, DayRules(max_run_minutes=180), hours=(8, 12, 15)))
    assert len(sol.placements) == 4
    sol = run(mettes_monday(4, DayRules(max_run_minutes=180), hours=(8, 12, 0)))
    assert len(sol.placements) == 3
    assert "i træk" in sol.unplaced[0].reason
    assert len(run(mettes_monday(4, hours=(8, 12, 0))).placements) == 4  # off by default


def test_citizen_accommodation_asks_for_a_break_between_appointments() -> None:
    z = citizen(1, available=(Window(at(0, 9), at(0, 11, 15)),), max_run_minutes=60)
    tasks = [talk("a", 1, window=MONDAY), talk("b", 1, staff="job", window=MONDAY)]
    problem = world(tasks, citizens=[z], start_step_slots=1)
    plan = placement_map(run(problem))
    first, second = sorted(plan.values(), key=lambda p: p.start_slot)
    assert second.start_slot >= first.start_slot + 4 + 1
    tight = replace(problem, citizens=(replace(z, available=(Window(at(0, 9), at(0, 11)),)),))
    assert len(run(tight).placements) == 1


def test_new_rules_leave_existing_problems_alone() -> None:
    problem = mettes_monday(6)
    assert problem.rules == DayRules() and problem.rules.lunch is None and not problem.rules.travel


def test_no_visit_when_the_drive_from_a_booking_leaves_no_lunch() -> None:
    """Lars has a meeting in Fredericia 11:00-11:15 (another plan) and the lunch rule 11:00-12:30,
    45 minutes. A home visit that can only be at 12:00 is 40 minutes' drive from Fredericia: the
    drive and the visit fill the lunch window, so it stays unplaced (it was once planned, and the
    verifier refused the plan)."""
    from solver.problem import Booking, Site

    from .builders import days

    fredericia = Site(2, "Fredericia", days(8, 16), "site:2")
    lars = consultant(2, "Lars Jensen", "job", site_ids=frozenset({1, 2}),
                      available=(Window(at(0, 8), at(0, 13)),), bookings=(Booking(at(0, 11), at(0, 11, 15), "site:2"),))
    z = citizen(1, available=(), free=(Window(at(0, 12), at(0, 12, 15)),))
    visit = talk("v", 1, staff="job", place="home", location_id="home:1", duration_slots=1)
    problem = world([visit], consultants=[lars], citizens=[z], sites=[VEJLE, fredericia],
                    travel={("site:2", "home:1"): 40}, start_step_slots=1)
    problem = replace(problem, rules=DayRules(travel=True, lunch=Lunch(11 * 60, 12 * 60 + 30, 45)))
    assert run(problem).placements == ()
    # Without the booking the visit is planned, with a lunch after it.
    free_day = replace(problem, consultants=(replace(lars, bookings=()),))
    assert len(run(free_day).placements) == 1
