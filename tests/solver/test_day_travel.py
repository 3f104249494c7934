"""Travel is part of every consultant's day (DayRules.travel): between sites, between a site and a
company or home, between consecutive visits (chained), and around bookings in other plans.
Every plan comes from the real solver (and greedy) and passes the verifier."""

from dataclasses import replace

from solver.cpsat import solve
from solver.greedy import greedy
from solver.problem import Booking, DayRules, Placement, Problem, Room, Site, Solution, SolveStatus, Window
from solver.verify import Code, verify

from .builders import MEETING, VEJLE, at, citizen, consultant, days, placement_map, talk, world

FREDERICIA = Site(2, "Fredericia", days(8, 16), "site:2")
FREDERICIA_ROOM = Room(21, 2, 4, frozenset(), "Mødelokale F")
TWENTY_FIVE = {("site:1", "site:2"): 25}
TRAVEL_ON = DayRules(travel=True)


def run(problem: Problem) -> Solution:
    sol = solve(problem)
    assert verify(problem, sol) == []
    g = greedy(problem)
    assert verify(problem, g) == []
    return sol


def two_site_week(available: tuple[Window, ...], rules: DayRules = TRAVEL_ON, **kw: object) -> Problem:
    """Mette (home Vejle) serves Vejle and Fredericia; one talk must be at each."""
    mette = consultant(1, "Mette Hansen", "social", site_ids=frozenset({1, 2}), available=available, **kw)
    tasks = [talk("vejle", 1), talk("fredericia", 2, site_ids=frozenset({2}))]
    problem = world(tasks, consultants=[mette], sites=[VEJLE, FREDERICIA], rooms=[MEETING, FREDERICIA_ROOM],
                    travel=TWENTY_FIVE, start_step_slots=1)
    return replace(problem, rules=rules)


def test_two_site_consultant_gets_the_drive_between_vejle_and_fredericia() -> None:
    two_hours = (Window(at(0, 9), at(0, 11)),)
    # Without travel in the day (the old rule) both fit back to back: 09-10 Vejle, 10-11 Fredericia.
    assert len(run(two_site_week(two_hours, DayRules())).placements) == 2
    # With it, one hour + 25 minutes + one hour does not fit into two hours ...
    sol = run(two_site_week(two_hours))
    assert len(sol.placements) == 1
    # ... and fits into three, with the drive (rounded up to 30 minutes) in between and back to Vejle,
    # her home site, at the end of her working time.
    assert len(run(two_site_week((Window(at(0, 9), at(0, 11, 45)),))).placements) == 1
    problem = two_site_week((Window(at(0, 9), at(0, 12)),))
    plan = placement_map(run(problem))
    first, second = sorted(plan.values(), key=lambda p: p.start_slot)
    assert second.start_slot - (first.start_slot + 4) >= 2
    assert first.site_id != second.site_id


def test_back_to_back_at_two_sites_is_a_travel_violation() -> None:
    problem = two_site_week(days(8, 16))
    plan = Solution((Placement("vejle", at(0, 9), (1,), 11, 1), Placement("fredericia", at(0, 10), (1,), 21, 2)),
                    (), SolveStatus.GREEDY, 0, None, None, 0)
    found = [v for v in verify(problem, plan) if v.code == Code.CONSULTANT_TRAVEL]
    assert [(v.task_id, v.params["minutes"]) for v in found] == [("fredericia", 30)]
    assert verify(replace(problem, rules=DayRules()), plan) == []  # the old rule did not see it


def test_a_booking_in_another_sites_plan_blocks_its_span_plus_travel() -> None:
    fredericia_9_10 = (Booking(at(0, 9), at(0, 10), "site:2"),)
    mette = consultant(1, "Mette Hansen", "social", site_ids=frozenset({1}), available=days(8, 12, [0]),
                       bookings=fredericia_9_10)
    monday = Window(at(0, 8), at(0, 12))
    problem = world([talk("a", 1, window=monday)], consultants=[mette], sites=[VEJLE, FREDERICIA],
                    rooms=[MEETING, FREDERICIA_ROOM], travel=TWENTY_FIVE, start_step_slots=1)
    # Without travel in the day the booking blocks exactly its span.
    old = placement_map(run(problem))["a"].start_slot
    assert old + 4 <= at(0, 9) or old >= at(0, 10)
    start = placement_map(run(replace(problem, rules=TRAVEL_ON)))["a"].start_slot
    assert start >= at(0, 10, 30)  # 25 minutes back from Fredericia, rounded up; 08:00-09:00 leaves no drive
    squeezed = Solution((Placement("a", at(0, 10), (1,), 11, 1),), (), SolveStatus.GREEDY, 0, None, None, 0)
    assert [v.code for v in verify(replace(problem, rules=TRAVEL_ON), squeezed)] == [Code.CONSULTANT_TRAVEL]


def chained_visits(rules: DayRules) -> Problem:
    """Two 30-minute visits, each company 30 minutes from the office and 10 from each other;
    Lars has 08:00-10:30."""
    lars = consultant(2, "Lars Jensen", "job", available=(Window(at(0, 8), at(0, 10, 30)),))
    workers = [citizen(z, available=(), internship=days(8, 15, [0])) for z in (1, 2)]
    visits = [
        talk("a", 1, staff="job", place="company", location_id="company:a", duration_slots=2),
        talk("b", 2, staff="job", place="company", location_id="company:b", duration_slots=2),
    ]
    travel = {("site:1", "company:a"): 30, ("site:1", "company:b"): 30, ("company:a", "company:b"): 10}
    return replace(world(visits, consultants=[lars], citizens=workers, travel=travel, start_step_slots=1),
                   rules=rules)


def test_chained_visits_fit_one_day_only_when_chained() -> None:
    # Office -> A -> office -> B -> office takes 3 hours; office -> A -> B -> office 2 h 15.
    assert len(run(chained_visits(DayRules())).placements) == 1
    problem = chained_visits(TRAVEL_ON)
    plan = placement_map(run(problem))
    assert set(plan) == {"a", "b"}
    first, second = sorted(plan.values(), key=lambda p: p.start_slot)
    assert first.start_slot >= at(0, 8, 30)  # the drive out
    assert second.start_slot >= first.start_slot + 2 + 1  # 10 minutes between the companies (one slot)
    assert second.start_slot + 2 + 2 <= at(0, 10, 30)  # and the drive home


def test_phone_talks_are_held_at_the_home_site() -> None:
    # A phone talk straight after a visit 30 minutes away needs the drive back first.
    lars = consultant(2, "Lars Jensen", "job", available=(Window(at(0, 8), at(0, 10)),))
    worker = citizen(1, available=days(8, 16, [0]), internship=days(8, 9, [0]))
    visit = talk("v", 1, staff="job", place="company", location_id="company:a", duration_slots=2,
                 fixed_start=at(0, 8, 30))
    phone = talk("p", 2, staff="job", place="phone", duration_slots=2)
    problem = replace(world([visit, phone], consultants=[lars], citizens=[worker, citizen(2)],
                            travel={("site:1", "company:a"): 30}, start_step_slots=1), rules=TRAVEL_ON)
    plan = placement_map(run(problem))
    assert plan["p"].start_slot >= at(0, 9, 30)
