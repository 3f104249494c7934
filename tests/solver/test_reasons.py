"""One true reason per unplaced task: the blocker that holds for every candidate is named, with a
structured cause (solver.explain). Every solve goes through the verifier."""

from solver.cpsat import solve
from solver.greedy import greedy
from solver.problem import Problem, Ref, Solution, Task, Window
from solver.verify import verify

from .builders import VEJLE, WEEK_WINDOW, at, citizen, consultant, days, talk, world


def run(problem: Problem) -> Solution:
    sol = solve(problem)
    assert verify(problem, sol) == []
    assert verify(problem, greedy(problem)) == []
    return sol


COURSE = Ref("course", 41, "Kom videre – job og trivsel")


def _session(tid: str, day: int, zids: tuple[int, ...]) -> Task:
    return Task(
        id=tid, kind="group_session", citizen_ids=zids, staff_requirements=(frozenset({"health"}),),
        duration_slots=12, place="site", site_ids=frozenset({1}), window=Window(at(day, 8), at(day, 16)),
        reason_rule="Gruppeforløb", fixed_start=at(day, 9), room_features=frozenset({"group"}),
        min_participants=1, max_participants=12, course=COURSE, penalty_unplaced=20,
    )


def test_round_table_blocked_by_the_citizens_own_course_names_the_course() -> None:
    # The employer can only Tuesday and Thursday 9-12, exactly when the citizen is on their course;
    # the consultants have plenty of time, so blaming them would send the coordinator the wrong way.
    employer = (Window(at(1, 9), at(1, 12)), Window(at(3, 9), at(3, 12)))
    rt = talk("rt", 1, kind="roundtable", place="company", location_id="company:5", duration_slots=4,
              staff_requirements=(frozenset({"social"}), frozenset({"job"})), external_windows=employer)
    staff = [consultant(1, "Mette Hansen", "social"), consultant(2, "Lars Jensen", "job"),
             consultant(3, "Pia Madsen", "social"), consultant(4, "Søren Holm", "health")]
    problem = world([_session("s-tue", 1, (1, 2)), _session("s-thu", 3, (1, 2)), rt], consultants=staff)
    sol = run(problem)
    (unplaced,) = sol.unplaced
    assert unplaced.task_id == "rt"
    assert "»Kom videre – job og trivsel«" in unplaced.reason
    assert "fuldt booket" not in unplaced.reason
    cause = unplaced.cause
    assert cause.code == "citizen_course"
    assert cause.object == COURSE
    assert cause.person == Ref("citizen", 1, "B1")
    assert cause.at_slot == at(1, 9)


def test_consultants_booked_is_still_named_when_they_are_the_blocker() -> None:
    mette = consultant(1, "Mette Hansen", "social", available=(Window(at(1, 10), at(1, 11)),))
    sol = run(world([talk("a", 1), talk("b", 2)], consultants=[mette]))
    (unplaced,) = sol.unplaced
    assert unplaced.cause.code == "consultant_full"
    assert unplaced.cause.person == Ref("consultant", 1, "Mette Hansen")


def test_deadline_is_shown_at_the_sites_closing_time_not_the_grids_end() -> None:
    # Vejle closes 15:30 on Wednesday; the grid runs to 16:00 (another site, another day).
    vejle = VEJLE.__class__(1, "Vejle", (*days(8, 16, [0, 1, 3, 4]), Window(at(2, 8), at(2, 15, 30))), "site:1")
    due_wednesday = Window(0, at(2, 16))
    z = citizen(1, available=(), internship=days(8, 16))
    sol = run(world([talk("a", 1, window=due_wednesday)], citizens=[z], sites=[vejle]))
    (unplaced,) = sol.unplaced
    assert "før fristen onsdag 15:30" in unplaced.reason
    assert unplaced.cause.at_slot == at(2, 15, 30)


def test_fixed_unavailability_and_accommodation_are_told_apart() -> None:
    monday = Window(at(0, 8), at(0, 16))
    absent = citizen(1, available=(), unavailable=(monday,))
    sol = run(world([talk("a", 1, window=monday)], citizens=[absent]))
    assert sol.unplaced[0].cause.code == "citizen_absent"
    assert "faste fravær" in sol.unplaced[0].reason
    late = citizen(1, available=(), outside_hours=(monday,))
    sol = run(world([talk("a", 1, window=monday)], citizens=[late]))
    assert sol.unplaced[0].cause.code == "citizen_accommodation"
    assert "aftalte mødetider" in sol.unplaced[0].reason


def test_employer_never_present_before_the_deadline() -> None:
    employer = (Window(at(3, 9), at(3, 12)),)  # Thursdays only
    z = citizen(1, internship=days(8, 15))
    visit = talk("v", 1, staff="job", place="company", location_id="company:5", duration_slots=2,
                 window=Window(0, at(1, 18)), external_windows=employer)
    sol = run(world([visit], citizens=[z]))
    (unplaced,) = sol.unplaced
    assert unplaced.cause.code == "employer_window"
    assert unplaced.cause.object == Ref("company", 5, "")
    assert "først torsdag 09:00" in unplaced.reason


def test_fixed_time_outside_every_facilitators_hours_names_the_hours() -> None:
    mornings = consultant(1, "Mette Hansen", "social", available=days(8, 12))
    session = Task(
        id="g", kind="group_session", citizen_ids=(1, 2), staff_requirements=(frozenset({"social"}),),
        duration_slots=8, place="site", site_ids=frozenset({1}), window=WEEK_WINDOW,
        fixed_start=at(1, 12, 30), room_features=frozenset({"group"}), reason_rule="Gruppeforløb",
    )
    sol = run(world([session], consultants=[mornings]))
    (unplaced,) = sol.unplaced
    assert unplaced.reason.startswith("Den faste tid tirsdag 12:30 ligger uden for arbejdstiden for Mette Hansen")
    assert unplaced.cause.code == "consultant_hours"


def test_an_appointment_longer_than_the_longest_run_says_so_and_has_no_candidates() -> None:
    # A four-hour session and a three-hour run limit: no break inside it can be planned, so the
    # reason is its length, not the lunch or the bookings around it.
    from dataclasses import replace as with_

    from solver.candidates import build
    from solver.problem import DayRules

    problem = with_(world([talk("long", 1, duration_slots=16), talk("short", 2)]), rules=DayRules(max_run_minutes=180))
    assert build(problem).by_task[0] == []
    sol = run(problem)
    (unplaced,) = sol.unplaced
    assert unplaced.task_id == "long"
    assert unplaced.reason.startswith("Aftalen varer 240 min, men medarbejderne skal have pause efter højst 180 min")
    assert unplaced.cause.code == "run" and unplaced.cause.params == {"max_run_minutes": 180, "minutes": 240}


def test_a_long_appointment_stays_possible_on_a_day_bookings_elsewhere_already_broke() -> None:
    # The verifier leaves a day alone whose bookings in other plans already run past the limit.
    from dataclasses import replace as with_

    from solver.candidates import build
    from solver.problem import Booking, DayRules

    mette = consultant(1, "Mette Hansen", "social", available=days(8, 16),
                       bookings=(Booking(at(2, 8), at(2, 12)),))
    problem = with_(world([talk("long", 1, duration_slots=16)], consultants=[mette]),
                    rules=DayRules(max_run_minutes=180))
    cands = build(problem).by_task[0]
    assert cands and {build(problem).candidates[i].start // problem.slots_per_day for i in cands} == {2}
    sol = run(problem)
    assert [p.task_id for p in sol.placements] == ["long"]


def test_a_citizen_run_limit_shorter_than_the_appointment_is_the_reason() -> None:
    problem = world([talk("long", 1, duration_slots=8)], citizens=[citizen(1, max_run_minutes=90)])
    sol = run(problem)
    (unplaced,) = sol.unplaced
    assert unplaced.reason.startswith("B1 skal have pause efter højst 90 min aftaler i træk (aftalt hensyn)")
    assert unplaced.cause.code == "citizen_accommodation"
    assert unplaced.cause.params == {"max_run_minutes": 90, "minutes": 120}
