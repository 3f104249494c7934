import threading
import time as clock
from dataclasses import replace

from solver.cpsat import solve
from solver.decompose import decompose
from solver.generate import generate
from solver.greedy import greedy
from solver.objective import evaluate
from solver.problem import DayRules
from solver.verify import verify


def test_generator_is_deterministic_and_valid() -> None:
    a, b = generate("M", 5), generate("M", 5)
    assert a == b
    assert len(a.sites) == 3 and len(a.consultants) == 30 and len(a.citizens) == 250
    kinds = {t.kind for t in a.tasks}
    assert {"talk", "followup_visit", "group_session"} <= kinds
    assert len(decompose(generate("L", 1))) == 3


def test_small_instance_optimal_and_better_than_greedy() -> None:
    problem = generate("S", 1)
    # The proof takes ≈ 40 s on one idle core; the limit leaves room for a machine shared with parallel
    # test workers (the 60-second target itself is measured by `python -m solver.bench`, not here).
    problem = replace(problem, params=replace(problem.params, num_workers=1, random_seed=3, max_time_seconds=180))
    sol = solve(problem)
    assert verify(problem, sol) == []
    g = greedy(problem)
    assert verify(problem, g) == []
    assert sol.status == "OPTIMAL"
    assert sol.objective <= g.objective
    # The model objective is exactly the shared objective function.
    assert sol.stats["model_objective"] == sol.objective == evaluate(problem, sol.placements).total
    again = solve(problem)
    assert again.placements == sol.placements  # one worker + fixed seed: reproducible


def test_progress_callback_reports_improving_objectives() -> None:
    problem = generate("S", 2)
    problem = replace(problem, params=replace(problem.params, num_workers=1, max_time_seconds=10))
    seen: list[tuple[int, int, float]] = []
    sol = solve(problem, on_progress=lambda o, b, e: seen.append((o, b, e)))
    # The callback reports CP-SAT's objective. Stopped by the time limit, an intermediate solution can carry
    # slack in a soft term's indicator, so the plan's evaluated objective may be lower, never higher.
    assert seen and seen[-1][0] == sol.stats["model_objective"] >= sol.objective
    assert all(x[0] >= y[0] for x, y in zip(seen, seen[1:], strict=False))


def test_a_stop_event_from_another_thread_ends_the_search_within_a_second() -> None:
    problem = generate("M", 1)
    problem = replace(problem, params=replace(problem.params, max_time_seconds=120, num_workers=2))
    stop = threading.Event()
    threading.Timer(3.0, stop.set).start()
    started = clock.perf_counter()
    solution = solve(problem, stop=stop)
    assert clock.perf_counter() - started < 10, "the search went on after the stop"
    assert solution.cancelled is True
    assert solution.placements  # the best plan so far (at least the greedy one) comes back


def test_generated_week_with_day_rules_is_valid_and_the_plain_one_unchanged() -> None:
    plain, ruled = generate("S", 1), generate("S", 1, day_rules=True)
    assert plain.rules == DayRules() and all(z.free is None for z in plain.citizens)
    assert ruled.rules.travel and ruled.rules.lunch is not None and ruled.rules.max_run_minutes == 180
    assert ruled.tasks == plain.tasks and len(ruled.travel_minutes) > len(plain.travel_minutes)
    problem = replace(ruled, params=replace(ruled.params, num_workers=1, max_time_seconds=20))
    sol = solve(problem)
    assert verify(problem, sol) == [] and verify(problem, greedy(problem)) == []
    assert len(sol.placements) == len(problem.tasks)
