"""Neighbourhood search (solver.lns): every step's plan keeps every hard rule, is never worse than
the plan it started from, and on a generated week with all day rules it does better than greedy."""

from __future__ import annotations

import time
from dataclasses import replace

from hypothesis import HealthCheck, given, settings

from solver.candidates import build
from solver.cpsat import solve
from solver.generate import generate
from solver.greedy import greedy, greedy_choice, repair
from solver.lns import improve
from solver.problem import Problem, SolveStatus
from solver.result import build_solution
from solver.verify import verify

from .test_day_rules_properties import day_problems


def _with(problem: Problem, **params: object) -> Problem:
    return replace(problem, params=replace(problem.params, **params))  # type: ignore[arg-type]


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(day_problems())
def test_a_plan_from_neighbourhoods_keeps_every_rule_and_is_never_worse(problem: Problem) -> None:
    cs = build(problem)
    start = repair(cs, greedy_choice(cs))
    chosen, stats = improve(cs, start, time.perf_counter() + 0.6, num_workers=1, seed=3)
    before = build_solution(cs, start, SolveStatus.GREEDY, None, {})
    after = build_solution(cs, chosen, SolveStatus.FEASIBLE, None, {})
    assert verify(problem, after) == []
    assert after.objective <= before.objective
    assert len({cs.candidates[i].task_index for i in chosen}) == len(chosen)  # one placement per task
    assert stats.steps >= 1 or not cs.candidates  # nothing to re-plan: no step


def test_neighbourhoods_improve_greedy_on_a_generated_week_with_day_rules() -> None:
    problem = _with(generate("S", 1, day_rules=True), num_workers=1, random_seed=5)
    cs = build(problem)
    start = repair(cs, greedy_choice(cs))
    greedy_plan = build_solution(cs, start, SolveStatus.GREEDY, None, {})
    chosen, stats = improve(cs, start, time.perf_counter() + 5.0, num_workers=1, seed=5)
    plan = build_solution(cs, chosen, SolveStatus.FEASIBLE, None, {})
    assert verify(problem, plan) == []
    assert stats.improved >= 1 and plan.objective < greedy_plan.objective
    # Each improvement is recorded with its time and objective, the objectives falling.
    objectives = [objective for _, objective in stats.history]
    assert objectives == sorted(objectives, reverse=True) and objectives[-1] == plan.objective


def test_solve_with_neighbourhoods_only_reports_a_verified_plan_and_its_steps() -> None:
    problem = _with(generate("S", 2, day_rules=True), num_workers=1, lns_share=1.0, max_time_seconds=4.0)
    seen: list[int] = []
    plan = solve(problem, on_progress=lambda objective, _bound, _t: seen.append(objective) and None)
    assert verify(problem, plan) == []
    assert plan.status in (SolveStatus.FEASIBLE, SolveStatus.GREEDY)
    parts = plan.stats.get("parts") or [plan.stats]
    assert all(int(p["lns_steps"]) >= 1 for p in parts)  # type: ignore[index]
    assert "cpsat_status" not in parts[0]  # the whole model was never searched
    assert seen and plan.objective <= min(seen) and plan.objective <= greedy(problem).objective


def test_a_cancel_stops_the_neighbourhood_search_at_once() -> None:
    import threading

    problem = _with(generate("S", 1, day_rules=True), num_workers=1, lns_share=1.0, max_time_seconds=60.0)
    stop = threading.Event()
    stop.set()
    t = time.perf_counter()
    plan = solve(problem, stop=stop)
    assert time.perf_counter() - t < 20
    assert plan.cancelled and verify(problem, plan) == []
