"""Citizen presence per place: a company visit only while the citizen is at that company, a phone
talk needs them free only, a site or home appointment needs them free plus the trip from work.
Every plan is solved by the real solver and checked by the verifier."""

from dataclasses import replace

from solver.cpsat import solve
from solver.greedy import greedy
from solver.problem import Placement, Problem, Solution, SolveStatus, Unplaced, Window, Workplace
from solver.verify import Code, verify

from .builders import at, citizen, consultant, days, placement_map, talk, world

COMPANY = "company:5"
OTHER_COMPANY = "company:6"


def run(problem: Problem) -> Solution:
    sol = solve(problem)
    assert verify(problem, sol) == []
    assert verify(problem, greedy(problem)) == []
    return sol


def visit(tid: str, zid: int, location: str = COMPANY) -> object:
    return talk(tid, zid, staff="job", place="company", location_id=location, duration_slots=2)


def tuesday_only_worker(**kw: object) -> object:
    """At work Tuesdays 08:00-15:00 at COMPANY, free at the centre the other days."""
    return citizen(1, available=days(8, 16, [0, 2, 3, 4]), internship=days(8, 15, [1]), **kw)


def test_tuesday_only_internship_visit_lands_on_tuesday_with_the_legacy_fields() -> None:
    # Before: free at the centre OR at work counted, so visits landed on Monday/Friday.
    problem = world([visit("v1", 1)], citizens=[tuesday_only_worker()])
    start = placement_map(run(problem))["v1"].start_slot
    assert problem.day_of(start) == 1
    assert at(1, 8) <= start and start + 2 <= at(1, 15)


def test_tuesday_only_internship_visits_all_on_tuesday_with_presence_per_place() -> None:
    z = tuesday_only_worker(free=days(8, 16, [0, 2, 3, 4]), workplaces=(Workplace(COMPANY, days(8, 15, [1])),))
    visits = [visit(f"v{i}", 1) for i in range(3)]
    lars = [consultant(2, "Lars Jensen", "job"), consultant(3, "Bo Berg", "job"), consultant(4, "Ib Dam", "job")]
    problem = world(visits, consultants=lars, citizens=[z], travel={("site:1", COMPANY): 20})
    sol = run(problem)
    assert len(sol.placements) == 3
    assert {problem.day_of(p.start_slot) for p in sol.placements} == {1}


def test_a_visit_on_a_day_without_internship_is_a_violation() -> None:
    z = tuesday_only_worker(free=days(8, 16, [0, 2, 3, 4]), workplaces=(Workplace(COMPANY, days(8, 15, [1])),))
    problem = world([visit("v1", 1)], citizens=[z])
    monday = Solution((Placement("v1", at(0, 10), (2,)),), (), SolveStatus.GREEDY, 0, None, None, 0)
    assert [v.code for v in verify(problem, monday)] == [Code.CITIZEN_UNAVAILABLE]


def test_a_visit_goes_to_the_company_the_citizen_is_at_that_day() -> None:
    workplaces = (Workplace(COMPANY, days(8, 12, [1])), Workplace(OTHER_COMPANY, days(8, 12, [3])))
    z = citizen(1, available=(), free=days(12, 16), workplaces=workplaces)
    problem = world([visit("v5", 1, COMPANY), visit("v6", 1, OTHER_COMPANY)], citizens=[z])
    plan = placement_map(run(problem))
    assert problem.day_of(plan["v5"].start_slot) == 1
    assert problem.day_of(plan["v6"].start_slot) == 3


def test_phone_talk_after_a_far_away_internship_needs_no_commute() -> None:
    # At work 08:00-15:15, 20 minutes from the centre; only 15:15-16:00 left that Monday.
    z = citizen(
        1,
        available=(Window(at(0, 15, 45), at(0, 16)),),  # the centre's view: work plus the trip
        free=(Window(at(0, 15, 15), at(0, 16)),),
        workplaces=(Workplace(COMPANY, (Window(at(0, 8), at(0, 15, 15)),)),),
    )
    late = Window(at(0, 15), at(0, 16))
    phone = talk("phone", 1, place="phone", duration_slots=2, window=late)
    on_site = talk("site", 1, duration_slots=2, window=late)
    travel = {("site:1", COMPANY): 20}
    far = world([phone, on_site], citizens=[z], travel=travel, start_step_slots=1)
    sol = run(far)
    plan = placement_map(sol)
    assert plan["phone"].start_slot in (at(0, 15, 15), at(0, 15, 30))
    assert "site" not in plan  # at the centre only from 15:45 (20 min, rounded up): no 30 min left
    # The phone talk does not depend on how far away the company is.
    near = world([phone], citizens=[z], travel={("site:1", COMPANY): 5}, start_step_slots=1)
    assert placement_map(run(near))["phone"].start_slot == plan["phone"].start_slot


def test_site_talk_keeps_the_trip_from_work_to_the_site_it_is_held_at() -> None:
    z = citizen(1, free=days(8, 16), workplaces=(Workplace(COMPANY, (Window(at(0, 8), at(0, 12)),)),))
    monday = Window(at(0, 8), at(0, 16))
    problem = world([talk("a", 1, window=monday)], citizens=[z], travel={("site:1", COMPANY): 30}, start_step_slots=1)
    assert placement_map(run(problem))["a"].start_slot >= at(0, 12, 30)
    bad = Solution((Placement("a", at(0, 12), (1,), 11, 1),), (), SolveStatus.GREEDY, 0, None, None, 0)
    assert Code.CITIZEN_UNAVAILABLE in [v.code for v in verify(problem, bad)]


def test_home_visit_needs_the_citizen_home_from_work() -> None:
    z = citizen(1, free=days(8, 16), workplaces=(Workplace(COMPANY, (Window(at(2, 8), at(2, 13)),)),))
    wednesday = Window(at(2, 8), at(2, 16))
    home = talk("h", 1, place="home", location_id="home:1", duration_slots=4, window=wednesday)
    travel = {("home:1", COMPANY): 45, ("site:1", "home:1"): 15}
    sol = run(world([home], citizens=[z], travel=travel, start_step_slots=1))
    assert placement_map(sol)["h"].start_slot >= at(2, 13, 45)


def test_reason_when_the_citizen_is_never_at_the_company() -> None:
    z = citizen(1, available=days(8, 16), free=(), workplaces=(Workplace(COMPANY, ()),))
    sol = run(world([visit("v", 1)], citizens=[z]))
    (unplaced,) = sol.unplaced
    assert isinstance(unplaced, Unplaced) and unplaced.reason.startswith("B1 er ikke på virksomheden")
    assert unplaced.cause is not None and unplaced.cause.code == "citizen_not_at_company"


def test_presence_fields_are_validated() -> None:
    import pytest

    from solver.problem import ProblemError

    z = citizen(1, workplaces=(Workplace(COMPANY, days(8, 12)),))
    with pytest.raises(ProblemError, match="workplaces need free"):
        world([talk("a", 1)], citizens=[z]).validate()
    assert replace(z, free=()).free == ()
