"""Progress reporting, cancelling a run, and bounds that mean something."""

import time
from dataclasses import replace

from solver.bounds import combinatorial_bound
from solver.candidates import build
from solver.cpsat import solve, solve_part
from solver.generate import generate
from solver.greedy import greedy
from solver.problem import Problem
from solver.verify import verify

from .test_decompose_diagnose import two_regions


def small(seed: int = 1, **params: object) -> Problem:
    problem = generate("S", seed)
    return replace(problem, params=replace(problem.params, num_workers=1, random_seed=3, **params))  # type: ignore[arg-type]


def test_the_greedy_plan_is_reported_before_the_search_and_bounds_mean_something() -> None:
    problem = small(max_time_seconds=8)
    seen: list[tuple[int, int, float]] = []
    sol = solve(problem, on_progress=lambda o, b, e: seen.append((o, b, e)))
    assert verify(problem, sol) == []
    assert sol.cancelled is False and sol.stats["cancelled"] is False
    g = greedy(problem)
    # A complete, verified plan is visible at once: greedy, after the one-move repair.
    assert seen[0][0] == sol.stats["repaired_objective"] <= g.objective
    assert seen[0][2] < sol.stats["candidates_seconds"] + sol.stats["greedy_seconds"] + 1.0  # type: ignore[operator]
    assert seen[-1][0] == sol.objective
    assert all(0 <= bound <= sol.objective for _, bound, _ in seen)
    lower = combinatorial_bound(build(problem))
    # Not trivial: per-task cheapest costs, least load balance and trips add up to most of it.
    assert 0.5 * sol.objective <= lower <= sol.objective
    assert sol.best_bound is not None and lower <= sol.best_bound <= sol.objective


def test_cancel_at_once_returns_the_verified_greedy_plan() -> None:
    problem = small(max_time_seconds=30)
    t0 = time.perf_counter()
    sol = solve_part(problem, on_progress=lambda o, b, e: True)
    assert time.perf_counter() - t0 < 10
    assert sol.cancelled is True and sol.status == "GREEDY"
    assert "cpsat_status" not in sol.stats  # CP-SAT never started
    assert verify(problem, sol) == []
    assert sol.objective == sol.stats["repaired_objective"] <= greedy(problem).objective


def test_cancel_during_the_search_keeps_the_best_plan_so_far() -> None:
    problem = small(max_time_seconds=30)
    calls: list[int] = []

    def cancel_at_first_cpsat_plan(objective: int, bound: int, elapsed: float) -> bool:
        calls.append(objective)
        return len(calls) == 2  # call 1 is the greedy plan, call 2 CP-SAT's first plan

    sol = solve(problem, on_progress=cancel_at_first_cpsat_plan)
    assert sol.cancelled is True
    assert len(calls) == 2  # nothing reported after the cancel
    assert sol.stats["cpsat_solutions"] == 1  # the search stopped right away
    assert sol.status in ("FEASIBLE", "GREEDY")
    assert verify(problem, sol) == []
    assert sol.objective <= calls[0]


def test_decomposed_progress_is_about_the_whole_problem() -> None:
    problem = two_regions()
    seen: list[tuple[int, int, float]] = []
    sol = solve(problem, on_progress=lambda o, b, e: seen.append((o, b, e)))
    assert verify(problem, sol) == [] and sol.stats["num_parts"] == 2
    assert seen[0][0] <= greedy(problem).objective
    assert seen[-1][0] == sol.objective
    assert all(0 <= b <= o for o, b, _ in seen)
    assert len(seen) >= 3  # greedy, at least one per part, and after the first part


def test_cancelling_a_decomposed_run_gives_every_part_a_plan() -> None:
    problem = two_regions()
    sol = solve(problem, on_progress=lambda o, b, e: True)
    assert sol.cancelled is True and sol.stats["cancelled"] is True  # also in the statistics a run stores
    assert verify(problem, sol) == []
    assert {p.task_id for p in sol.placements} >= {p.task_id for p in greedy(problem).placements}


def test_the_bound_sees_two_fixed_sessions_that_cannot_both_happen() -> None:
    from .builders import GROUPROOM, at, citizen, talk, world

    z = citizen(1, max_minutes_per_day=120)
    a = talk("a", 1, duration_slots=8, fixed_start=at(1, 9), room_features=frozenset({"group"}))
    b = talk("b", 1, duration_slots=8, fixed_start=at(1, 13), room_features=frozenset({"group"}))
    problem = world([a, b], citizens=[z], rooms=[GROUPROOM])
    lower = combinatorial_bound(build(problem))
    sol = solve(problem)
    assert verify(problem, sol) == [] and len(sol.unplaced) == 1
    assert lower >= problem.weights.unplaced * a.penalty_unplaced  # one of them is unplaced for sure
    assert lower <= sol.objective


def test_the_bound_sees_consultant_capacity() -> None:
    from .builders import consultant, talk, world

    mette = consultant(1, "Mette Hansen", "social", contracted_minutes_per_week=120)
    problem = world([talk(f"t{z}", z) for z in range(1, 4)], consultants=[mette])  # three hours of talks
    lower = combinatorial_bound(build(problem))
    sol = solve(problem)
    assert verify(problem, sol) == [] and len(sol.unplaced) == 1
    assert problem.weights.unplaced * 10 <= lower <= sol.objective


def test_repair_moves_one_appointment_to_make_room() -> None:
    from solver.greedy import greedy_choice, repair
    from solver.problem import Window
    from solver.result import build_solution

    from .builders import at, citizen, consultant, talk, world

    mette = consultant(1, "Mette Hansen", "social", available=(Window(at(0, 8), at(0, 10)),))
    early = talk("a", 1, window=Window(at(0, 8), at(0, 10)))  # earliest deadline: greedy puts it at 8:00
    only_eight = talk("b", 2)  # citizen 2 can only come 8-9
    problem = world(
        [early, only_eight],
        consultants=[mette],
        citizens=[citizen(1), citizen(2, available=(Window(at(0, 8), at(0, 9)),))],
    )
    cs = build(problem)
    plain = greedy_choice(cs)
    assert len(plain) == 1
    fixed = repair(cs, plain)
    sol = build_solution(cs, fixed, "GREEDY", None, {})
    assert len(sol.placements) == 2 and verify(problem, sol) == []
    seen: list[int] = []
    solved = solve(problem, on_progress=lambda o, b, e: seen.append(o))
    assert seen[0] == sol.objective  # the repaired plan is the first one reported
    assert solved.stats["repaired_unplaced"] == 0 and solved.stats["greedy_unplaced"] == 1
