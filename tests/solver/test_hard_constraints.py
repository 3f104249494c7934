"""Each hard rule on a tiny hand-built week; every solve goes through the verifier."""

from dataclasses import replace

from solver.cpsat import solve
from solver.greedy import greedy
from solver.problem import Problem, Room, Solution, Task, Window
from solver.verify import verify

from .builders import (
    GROUPROOM,
    MEETING,
    VEJLE,
    WEEK_WINDOW,
    at,
    citizen,
    consultant,
    days,
    placement_map,
    talk,
    world,
)


def run(problem: Problem) -> Solution:
    sol = solve(problem)
    assert verify(problem, sol) == []
    assert verify(problem, greedy(problem)) == []
    return sol


def test_consultant_is_never_double_booked() -> None:
    mette = consultant(1, "Mette Hansen", "social", available=(Window(at(1, 10), at(1, 11)),))
    problem = world([talk("a", 1), talk("b", 2)], consultants=[mette])
    sol = run(problem)
    assert len(sol.placements) == 1
    (unplaced,) = sol.unplaced
    assert "Mette Hansen er fuldt booket" in unplaced.reason
    assert "Individuel samtale mindst hver 28. dag" in unplaced.reason


def test_citizen_availability_and_accommodation_respected() -> None:
    only_tuesday_late = citizen(1, available=(Window(at(1, 13), at(1, 14)),))
    sol = run(world([talk("a", 1)], citizens=[only_tuesday_late]))
    assert placement_map(sol)["a"].start_slot == at(1, 13)


def test_citizen_is_never_double_booked() -> None:
    z = citizen(1, available=(Window(at(0, 9), at(0, 10)),))
    tasks = [talk("a", 1), talk("b", 1, staff="job")]
    sol = run(world(tasks, citizens=[z]))
    assert len(sol.placements) == 1


def test_company_visit_includes_travel_both_ways() -> None:
    lars = consultant(2, "Lars Jensen", "job", available=(Window(at(0, 8), at(0, 10)),))
    z = citizen(1, available=(), internship=days(8, 15))
    visit = talk("v", 1, staff="job", place="company", location_id="company:5", duration_slots=2)
    problem = world([visit], consultants=[lars], citizens=[z], travel={("site:1", "company:5"): 30})
    start = placement_map(run(problem))["v"].start_slot
    # 30 min there + 30 min visit + 30 min back inside 08:00-10:00.
    assert at(0, 8, 30) <= start <= at(0, 9)


def test_two_visits_need_travel_between_them() -> None:
    lars = consultant(2, "Lars Jensen", "job", available=(Window(at(0, 8), at(0, 10)),))
    zs = [citizen(1, available=(), internship=days(8, 15)), citizen(2, available=(), internship=days(8, 15))]
    visits = [
        talk("v1", 1, staff="job", place="company", location_id="company:5", duration_slots=2),
        talk("v2", 2, staff="job", place="company", location_id="company:6", duration_slots=2),
    ]
    travel = {("site:1", "company:5"): 15, ("site:1", "company:6"): 15}
    # Each visit blocks 15 + 30 + 15 minutes: two fit in the two hours only back to back.
    sol = run(world(visits, consultants=[lars], citizens=zs, travel=travel, start_step_slots=1))
    assert len(sol.placements) == 2
    longer = {k: 30 for k in travel}
    sol = run(world(visits, consultants=[lars], citizens=zs, travel=longer, start_step_slots=1))
    assert len(sol.placements) == 1


def test_wrong_staff_type_is_never_used() -> None:
    sol = run(world([talk("h", 1, staff="health")]))
    assert sol.placements == ()
    assert sol.unplaced[0].reason.startswith("Ingen sundhedskonsulent dækker Vejle")


def test_room_capacity_and_features() -> None:
    group = Task(
        id="g",
        kind="group_session",
        citizen_ids=tuple(range(1, 11)),
        staff_requirements=(frozenset({"social"}),),
        duration_slots=8,
        place="site",
        site_ids=frozenset({1}),
        window=WEEK_WINDOW,
        fixed_start=at(2, 9),
        room_features=frozenset({"group"}),
        min_participants=6,
        max_participants=14,
        reason_rule="Gruppeforløb",
    )
    citizens = [citizen(z) for z in range(1, 11)]
    sol = run(world([group], citizens=citizens))
    assert placement_map(sol)["g"].room_id == GROUPROOM.id
    small = Room(12, 1, 8, frozenset({"group"}), "Lille kursuslokale")
    sol = run(world([group], citizens=citizens, rooms=[MEETING, small]))
    assert sol.unplaced[0].reason.startswith("Intet lokale i Vejle med plads til 11 personer med group")


def test_room_pool_limits_parallel_talks() -> None:
    one_hour = (Window(at(0, 9), at(0, 10)),)
    staff = [consultant(k, f"Rådgiver {k}", "social", available=one_hour) for k in (1, 2, 3)]
    rooms = [MEETING, Room(13, 1, 4, frozenset(), "Mødelokale 2")]
    sol = run(world([talk("a", 1), talk("b", 2), talk("c", 3)], consultants=staff, rooms=rooms))
    assert len(sol.placements) == 2
    assert {p.room_id for p in sol.placements} == {11, 13}
    assert "Ingen ledige lokaler" in sol.unplaced[0].reason


def test_citizen_max_minutes_per_day() -> None:
    z = citizen(1, max_minutes_per_day=60)
    monday = Window(at(0, 0 + 8), at(0, 16))
    sol = run(world([talk("a", 1, window=monday), talk("b", 1, staff="job", window=monday)], citizens=[z]))
    assert len(sol.placements) == 1
    assert "daglige maksimum på 60 min" in sol.unplaced[0].reason


def test_consultant_contracted_minutes() -> None:
    mette = consultant(1, "Mette Hansen", "social", contracted_minutes_per_week=60)
    sol = run(world([talk("a", 1), talk("b", 2)], consultants=[mette]))
    assert len(sol.placements) == 1
    assert "Mette Hansen har ikke flere kontraktlige timer" in sol.unplaced[0].reason


def test_site_closed_on_holiday() -> None:
    closed_thursday = replace(VEJLE, open_windows=days(8, 16, [0, 1, 2, 4]))
    thursday = Window(at(3, 8), at(3, 16))
    sol = run(world([talk("a", 1, window=thursday)], sites=[closed_thursday]))
    assert sol.unplaced[0].reason.startswith("Vejle er lukket i hele perioden")


def test_external_window_respected() -> None:
    employer = (Window(at(4, 13), at(4, 15)),)
    sol = run(world([talk("r", 1, external_windows=employer)]))
    assert at(4, 13) <= placement_map(sol)["r"].start_slot <= at(4, 14)


def test_two_consultants_are_distinct_and_typed() -> None:
    staff = [
        consultant(1, "Mette Hansen", "social"),
        consultant(2, "Lars Jensen", "job"),
        consultant(3, "Pia Madsen", "social"),
    ]
    rt = talk("rt", 1, staff_requirements=(frozenset({"social"}), frozenset({"job"})))
    sol = run(world([rt], consultants=staff))
    p = placement_map(sol)["rt"]
    assert p.consultant_ids[1] == 2 and p.consultant_ids[0] in (1, 3)


def test_absent_job_consultant_gives_danish_reason() -> None:
    lars = consultant(2, "Lars Jensen", "job", available=(), absent=days(8, 16))
    z = citizen(1, internship=days(8, 12))
    visit = talk("v", 1, staff="job", place="company", location_id="company:5", duration_slots=2)
    sol = run(world([visit], consultants=[consultant(1, "Mette Hansen", "social"), lars], citizens=[z]))
    assert sol.unplaced[0].reason.startswith("Lars Jensen er fraværende man–fre; ingen anden jobkonsulent dækker Vejle")
    cause = sol.unplaced[0].cause
    assert cause is not None and cause.code == "consultant_absent" and cause.person.name == "Lars Jensen"
    assert sol.avoidable_objective == 0
    # Not absent, just never working when the citizen can: the hours, not an absence, are named.
    lars = consultant(2, "Lars Jensen", "job", available=days(13, 16))
    sol = run(world([visit], consultants=[lars], citizens=[citizen(1, available=(), internship=days(8, 12))]))
    assert sol.unplaced[0].reason.startswith("Lars Jensen arbejder ikke på de tider, hvor borgeren kan")
    assert sol.unplaced[0].cause.code == "consultant_hours"


def test_citizen_in_internship_all_week() -> None:
    z = citizen(1, available=(), internship=days(8, 16))
    sol = run(world([talk("a", 1)], citizens=[z]))
    # The one commitment that takes every time is named, and the deadline is the site's closing time.
    assert sol.unplaced[0].reason.startswith("B1 er i praktik i alle mulige tider før fristen fredag 16:00")
    assert sol.unplaced[0].cause.code == "citizen_internship"


def test_contact_consultant_preferred() -> None:
    staff = [consultant(1, "Mette Hansen", "social"), consultant(3, "Pia Madsen", "social")]
    sol = run(world([talk("a", 1, preferred_consultant_ids=(3,))], consultants=staff))
    assert placement_map(sol)["a"].consultant_ids == (3,)


def test_early_monday_visit_with_long_travel_starts_after_the_trip() -> None:
    # Regression: starts in the first slots of the week made covers() shift by a negative
    # amount ("negative shift count") before the "travel fits before the week" check ran.
    lars = consultant(2, "Lars Jensen", "job", available=(Window(0, at(0, 10)),))
    z = citizen(1, available=(Window(0, at(0, 15)),))
    visit = talk("v", 1, staff="job", place="home", location_id="home:5", duration_slots=2)
    problem = world([visit], consultants=[lars], citizens=[z], travel={("site:1", "home:5"): 45}, start_step_slots=1)
    start = placement_map(run(problem))["v"].start_slot
    assert start >= 3  # 45 minutes of travel from the start of the grid (07:00)
