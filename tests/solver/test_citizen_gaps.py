"""Soft term "no long gaps": a talk on a day the citizen comes in for a group session is placed next to
the session when it can be, and the waiting that cannot be avoided is scored the same by CP-SAT and
evaluate()."""
from dataclasses import replace

from solver.cpsat import solve
from solver.objective import evaluate
from solver.problem import Problem, Solution, Task, Window

from .builders import GROUPROOM, WEEK_WINDOW, at, citizen, consultant, placement_map, talk, world

SESSION = Task(
    id="g", kind="group_session", citizen_ids=(1, 2), staff_requirements=(frozenset({"social"}),),
    duration_slots=8, place="site", site_ids=frozenset({1}), window=WEEK_WINDOW, fixed_start=at(2, 9),
    room_features=frozenset({"group"}), reason_rule="Gruppeforløb",
)
WEDNESDAY = Window(at(2, 8), at(2, 16))


def _solve(tasks: list[Task], **kw: object) -> tuple[Problem, Solution]:
    problem = world(tasks, citizens=[citizen(1), citizen(2)], **kw)
    solution = solve(problem)
    return problem, solution


def test_a_talk_on_a_course_day_is_placed_next_to_the_session() -> None:
    afternoon = replace(SESSION, fixed_start=at(2, 13))  # 13–15: the earliest free time (8:00) would mean waiting
    problem, solution = _solve([afternoon, talk("t", 1, staff="job", window=WEDNESDAY)])
    assert solution.status == "OPTIMAL"
    start = placement_map(solution)["t"].start_slot
    assert start in (at(2, 12), at(2, 15))  # right before the session, or right after it
    assert evaluate(problem, solution.placements).citizen_gaps == 0


def test_unavoidable_waiting_is_scored_per_slot() -> None:
    # The job consultant is free only from 13:00 on Wednesday: two hours of waiting after the session.
    lars = consultant(2, "Lars Jensen", "job", available=(Window(at(2, 13), at(2, 16)),))
    problem, solution = _solve([SESSION, talk("t", 1, staff="job", window=WEDNESDAY)],
                               consultants=[consultant(1, "Mette Hansen", "social"), lars])
    assert placement_map(solution)["t"].start_slot == at(2, 13)
    breakdown = evaluate(problem, solution.placements)
    assert breakdown.citizen_gaps == 8 * problem.weights.citizen_gap  # 11:00–13:00, eight slots
    assert solution.objective == breakdown.total


def test_the_gap_weight_can_be_turned_off() -> None:
    problem = world([SESSION, talk("t", 1, staff="job", window=WEDNESDAY)], citizens=[citizen(1), citizen(2)])
    off = replace(problem, weights=replace(problem.weights, citizen_gap=0))
    solution = solve(off)
    assert evaluate(off, solution.placements).citizen_gaps == 0
    assert solution.objective == evaluate(off, solution.placements).total
    assert GROUPROOM.id in {p.room_id for p in solution.placements}
