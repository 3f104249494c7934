"""Solving: the greedy plan first, then CP-SAT from it (`solve_part`), and the public `solve()`
that splits a Problem into independent parts and solves them one after another.

The model itself (variables, hard rules, the objective term by term) is in `solver.model`.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass

import ortools
from ortools.sat.python import cp_model

from solver.bounds import combinatorial_bound
from solver.candidates import CandidateSet, build
from solver.decompose import decompose, merge
from solver.greedy import greedy_choice, repair
from solver.lns import auto_share, improve
from solver.lp_bound import candidate_lp_bound
from solver.model import build_model
from solver.problem import Problem, Solution, SolveStatus
from solver.relaxed import RealBound, real_bound
from solver.result import build_solution
from solver.verify import verify

# on_progress(objective, best_bound, elapsed_seconds) -> True to cancel; the caller throttles
# (e.g. DB writes). Returning None/False keeps the search going.
ProgressFn = Callable[[int, int, float], "bool | None"]


class _Progress(cp_model.CpSolverSolutionCallback):
    def __init__(
        self,
        on_progress: ProgressFn | None,
        t0: float,
        placed: cp_model.LinearExprT,
        floor: int,
    ) -> None:
        super().__init__()
        self.on_progress = on_progress
        self.t0 = t0
        self.placed = placed  # number of placed tasks, to time the first complete plan
        self.floor = floor  # combinatorial bound: reported bounds never go below it
        self.first_solution_seconds: float | None = None
        self.history: list[tuple[float, int]] = []  # (elapsed, placed tasks) per solution
        self.cancelled = False

    def on_solution_callback(self) -> None:
        elapsed = time.perf_counter() - self.t0
        self.history.append((elapsed, int(self.value(self.placed))))
        if self.first_solution_seconds is None:
            self.first_solution_seconds = elapsed
        if self.on_progress is not None and not self.cancelled:
            bound = max(self.floor, math.ceil(self.best_objective_bound - 1e-6))
            if self.on_progress(int(round(self.objective_value)), bound, elapsed) is True:
                # The coordinator cancelled: stop now and keep the best plan found so far.
                self.cancelled = True
                self.stop_search()


@dataclass(slots=True)
class _Prepared:
    """Everything known before the search: candidates, the verified greedy plan and a bound."""

    problem: Problem
    cs: CandidateSet
    hint: list[int]
    greedy: Solution
    lower_bound: int  # combinatorial bound (solver.bounds)
    stats: dict[str, object]
    t0: float
    cancelled: bool = False  # the caller asked to stop: no (further) search

    def cancel(self, cancelled: bool = True) -> None:
        self.cancelled = cancelled
        self.stats["cancelled"] = cancelled  # also recorded with the run's statistics

    def solution(self, chosen: list[int], status: SolveStatus, bound: int | None) -> Solution:
        return build_solution(self.cs, chosen, status, bound, self.stats, cancelled=self.cancelled)


def _prepare(problem: Problem) -> _Prepared:
    t0 = time.perf_counter()
    problem.validate()
    cs = build(problem)
    t_cands = time.perf_counter()
    plain = greedy_choice(cs)
    lower = combinatorial_bound(cs)
    plain_sol = build_solution(cs, plain, SolveStatus.GREEDY, lower, {})
    # A cheap one-move repair places more tasks (the first plan reported and CP-SAT's hint);
    # kept only when it scores better on the full objective.
    hint = repair(cs, plain)
    greedy_sol = build_solution(cs, hint, SolveStatus.GREEDY, lower, {})
    if greedy_sol.objective > plain_sol.objective:
        hint, greedy_sol = plain, plain_sol
    greedy_violations = verify(problem, greedy_sol)
    t_greedy = time.perf_counter()
    stats: dict[str, object] = {
        "num_tasks": len(problem.tasks),
        "num_candidates": len(cs.candidates),
        "no_candidate_tasks": len(cs.reasons),
        "candidates_seconds": t_cands - t0,
        "greedy_seconds": t_greedy - t_cands,
        "greedy_objective": plain_sol.objective,
        "greedy_avoidable_objective": plain_sol.avoidable_objective,
        "greedy_unplaced": len(plain_sol.unplaced),
        "repaired_objective": greedy_sol.objective,
        "repaired_unplaced": len(greedy_sol.unplaced),
        "greedy_violations": [str(v) for v in greedy_violations[:20]],
        "combinatorial_bound": lower,
        "ortools_version": ortools.__version__,
        "params": asdict(problem.params),
        "cancelled": False,
    }
    return _Prepared(problem, cs, hint, greedy_sol, lower, stats, t0)


def _greedy_result(prep: _Prepared, status: SolveStatus = SolveStatus.GREEDY, bound: int | None = None) -> Solution:
    stats = prep.stats
    stats["wall_seconds"] = time.perf_counter() - prep.t0
    stats["complete_plan_seconds"] = float(stats["candidates_seconds"]) + float(stats["greedy_seconds"])  # type: ignore[arg-type]
    return prep.solution(prep.hint, status, prep.lower_bound if bound is None else bound)


def _solver(problem: Problem, time_limit: float) -> cp_model.CpSolver:
    params = problem.params
    solver = cp_model.CpSolver()
    sp = solver.parameters
    sp.num_workers = params.num_workers
    sp.random_seed = params.random_seed
    sp.max_time_in_seconds = time_limit
    sp.cp_model_probing_level = params.probing_level
    sp.symmetry_level = params.symmetry_level
    if params.linearization_level is not None:
        sp.linearization_level = params.linearization_level
    sp.log_search_progress = params.log_search
    if params.num_workers == 1:
        sp.interleave_search = False
    return solver


def _run(solver: cp_model.CpSolver, model: cp_model.CpModel, cb: _Progress, stop: threading.Event | None) -> int:
    """solver.solve with a watcher thread: a cancel from outside must not wait for the next better
    plan (the only time the progress callback runs)."""
    finished = threading.Event()

    def watch_stop() -> None:
        while stop is not None and not finished.wait(0.1):
            if stop.is_set():
                cb.cancelled = True
                solver.stop_search()
                return

    watcher = threading.Thread(target=watch_stop, name="cpsat-stop", daemon=True)
    watcher.start()
    try:
        return solver.solve(model, cb)
    finally:
        finished.set()
        watcher.join()


def _real_bound(prep: _Prepared, stop: threading.Event | None) -> None:
    """The bound for the real problem (no candidate caps; solver.relaxed), in the statistics
    next to the candidate-set bound. Computed after the first plan is reported; a cancel
    interrupts it."""
    t = time.perf_counter()
    real = real_bound(prep.problem, prep.cs.index, stop.is_set if stop is not None else None)
    if real is None:
        return
    prep.stats["real_bound"] = real.bound
    prep.stats["real_unavoidable"] = real.unavoidable
    prep.stats["real_bound_seconds"] = time.perf_counter() - t


def _lp_bound(prep: _Prepared, deadline: float) -> None:
    """Raise the candidate-set bound to the LP relaxation's (solver.lp_bound), after the first
    plan is reported; GLOP gets at most half of the time left."""
    t = time.perf_counter()
    lp = candidate_lp_bound(prep.cs, time_limit=max(1.0, (deadline - t) / 2))
    prep.stats["lp_bound"] = lp
    prep.stats["lp_bound_seconds"] = time.perf_counter() - t
    if lp is not None and lp > prep.lower_bound:
        prep.lower_bound = lp


def _search(
    prep: _Prepared, on_progress: ProgressFn | None, deadline: float, stop: threading.Event | None = None
) -> Solution:
    """CP-SAT from the greedy hint until `deadline` (a time.perf_counter() value) or until `stop` is set."""
    problem, cs, hint, stats, t0 = prep.problem, prep.cs, prep.hint, prep.stats, prep.t0
    if stop is not None and stop.is_set():
        prep.cancel()
    if prep.cancelled:
        return _greedy_result(prep)
    if not cs.candidates:
        # Nothing can be placed: the greedy (empty) plan is optimal.
        return _greedy_result(prep, SolveStatus.OPTIMAL, prep.greedy.objective)
    _real_bound(prep, stop)
    _lp_bound(prep, deadline)
    if stop is not None and stop.is_set():  # a cancel while the bound or the model was built
        prep.cancel()
        return _greedy_result(prep)

    share = auto_share(cs) if problem.params.lns_share is None else problem.params.lns_share
    stats["lns_share"] = share
    hint = _neighbourhoods(prep, share, on_progress, deadline, stop)
    if share >= 1 or prep.cancelled or stats.get("lns_proven") or time.perf_counter() > deadline - 0.5:
        return _lns_result(prep, hint)

    t_build = time.perf_counter()
    pm = build_model(cs, hint if problem.params.use_hint else None)
    t_model = time.perf_counter()
    if stop is not None and stop.is_set():
        prep.cancel()
        return _greedy_result(prep)
    proto = pm.model.proto
    stats["model_seconds"] = t_model - t_build
    stats["num_booleans"] = len(pm.x)
    stats["num_variables"] = len(proto.variables)
    stats["num_constraints"] = len(proto.constraints)

    solver = _solver(problem, max(0.1, deadline - t_model))
    cb = _Progress(on_progress, t0, sum(pm.x), prep.lower_bound)
    status = _run(solver, pm.model, cb, stop)
    t_solve = time.perf_counter()
    found = status in (cp_model.OPTIMAL, cp_model.FEASIBLE)
    cp_bound = math.ceil(solver.best_objective_bound - 1e-6) if found else None
    prep.cancel(cb.cancelled)
    stats.update(
        {
            "cpsat_status": solver.status_name(status),
            "cpsat_seconds": t_solve - t_model,
            "cpsat_bound": cp_bound,
            "conflicts": solver.num_conflicts,
            "branches": solver.num_branches,
            "cpsat_solutions": len(cb.history),
            "first_solution_seconds": cb.first_solution_seconds,
        }
    )
    if not found:
        # "Never an empty plan": CP-SAT found nothing in time, so return the verified warm start.
        return _lns_result(prep, hint)
    chosen = [i for i, var in enumerate(pm.x) if solver.boolean_value(var)]
    bound = max(prep.lower_bound, cp_bound or 0)
    # Optimal when CP-SAT proved it, or when the plan meets the bound (e.g. the LP's).
    optimal = status == cp_model.OPTIMAL or solver.objective_value <= bound
    sol = prep.solution(chosen, SolveStatus.OPTIMAL if optimal else SolveStatus.FEASIBLE, bound)
    violations = verify(problem, sol)
    warm = int(stats.get("lns_objective", prep.greedy.objective))  # type: ignore[call-overload]
    if violations or sol.objective > warm:
        # Defensive: a CP-SAT plan that fails the independent checker or is worse than the
        # warm start is never returned.
        stats["cpsat_violations"] = [str(v) for v in violations[:20]]
        stats["cpsat_objective"] = sol.objective
        sol = prep.solution(hint, SolveStatus.GREEDY if hint is prep.hint else SolveStatus.FEASIBLE, bound)
    stats["model_objective"] = int(round(solver.objective_value))
    stats["wall_seconds"] = time.perf_counter() - t0
    # First moment a plan placed as many tasks as the final one (greedy's plan counts).
    final = len(sol.placements)
    greedy_done = float(stats["candidates_seconds"]) + float(stats["greedy_seconds"])  # type: ignore[arg-type]
    complete = [t for t, n in [(greedy_done, len(hint)), *cb.history] if n >= final]
    stats["complete_plan_seconds"] = min(complete) if complete else stats["wall_seconds"]
    if "real_bound" in stats:
        real = RealBound(int(stats["real_bound"]), int(stats["real_unavoidable"]))  # type: ignore[call-overload]
        stats["real_gap"] = real.gap(sol.objective)
    return sol


def _neighbourhoods(
    prep: _Prepared, share: float, on_progress: ProgressFn | None, deadline: float, stop: threading.Event | None
) -> list[int]:
    """The greedy plan improved by solver.lns for `share` of the time left; the greedy plan itself
    when the share is 0 or the improved plan fails the verifier."""
    params = prep.problem.params
    if share <= 0:
        return prep.hint
    now = time.perf_counter()

    def improved(_chosen: list[int], objective: int) -> bool:
        return _report(on_progress, objective, prep.lower_bound, time.perf_counter() - prep.t0)

    chosen, lns = improve(
        prep.cs, prep.hint, now + share * (deadline - now), num_workers=params.num_workers,
        seed=params.random_seed, stop=stop, on_improve=improved if on_progress else None, bound=prep.lower_bound,
    )
    prep.stats.update(lns.as_dict())
    if stop is not None and stop.is_set():
        prep.cancel()
    if not lns.improved:
        return prep.hint
    sol = prep.solution(chosen, SolveStatus.FEASIBLE, prep.lower_bound)
    violations = verify(prep.problem, sol)
    if violations or sol.objective > prep.greedy.objective:
        prep.stats["lns_violations"] = [str(v) for v in violations[:20]]
        return prep.hint
    prep.stats["lns_objective"] = sol.objective
    return chosen


def _lns_result(prep: _Prepared, chosen: list[int]) -> Solution:
    """The plan of the neighbourhood search alone (no whole-model search): FEASIBLE when it improved
    the greedy plan, OPTIMAL when a step proved the whole part optimal or the plan meets the bound."""
    if chosen is prep.hint:
        return _greedy_result(prep)
    stats = prep.stats
    stats["wall_seconds"] = time.perf_counter() - prep.t0
    stats["complete_plan_seconds"] = float(stats["candidates_seconds"]) + float(stats["greedy_seconds"])  # type: ignore[arg-type]
    sol = prep.solution(chosen, SolveStatus.FEASIBLE, prep.lower_bound)
    if stats.get("lns_proven") or sol.objective <= prep.lower_bound:
        sol = prep.solution(chosen, SolveStatus.OPTIMAL, sol.objective)
    if "real_bound" in stats:
        stats["real_gap"] = RealBound(int(stats["real_bound"]), int(stats["real_unavoidable"])).gap(sol.objective)  # type: ignore[call-overload]
    return sol


def _report(on_progress: ProgressFn | None, objective: int, bound: int, elapsed: float) -> bool:
    """Call the caller's progress function; True means "cancel"."""
    return on_progress is not None and on_progress(objective, bound, elapsed) is True


def solve_part(
    problem: Problem,
    on_progress: ProgressFn | None = None,
    max_time: float | None = None,
    stop: threading.Event | None = None,
) -> Solution:
    """Solve one problem monolithically (no decomposition), e.g. one `decompose()` part in its own
    background job. The verified greedy plan is reported through `on_progress` before the search
    starts; `on_progress` returning True cancels (the best plan so far is returned, with
    `cancelled` set). `max_time` (default `params.max_time_seconds`) covers everything."""
    t0 = time.perf_counter()
    prep = _prepare(problem)
    if not prep.stats["greedy_violations"] and _report(
        on_progress, prep.greedy.objective, prep.lower_bound, time.perf_counter() - t0
    ):
        prep.cancel()
    limit = max_time if max_time is not None else problem.params.max_time_seconds
    return _search(prep, on_progress, t0 + limit, stop)


def solve(problem: Problem, on_progress: ProgressFn | None = None, stop: threading.Event | None = None) -> Solution:
    """Plan the week. Independent parts are solved one after another with a share of the time
    limit proportional to their size; the Django side may instead run `decompose(problem)`
    parts as separate jobs (`solve_part`) and `merge()` the results.

    Progress is always about the whole problem: right after the greedy plans of all parts exist,
    then on every improving CP-SAT plan and after each part (parts not searched yet count with
    their greedy objective and combinatorial bound)."""
    problem.validate()
    t0 = time.perf_counter()
    deadline = t0 + problem.params.max_time_seconds
    parts = decompose(problem) or [problem]
    preps: list[_Prepared | None] = [_prepare(p) for p in parts]
    rest_objective = sum(p.greedy.objective for p in preps if p is not None)
    rest_bound = sum(p.lower_bound for p in preps if p is not None)
    verified = all(not p.stats["greedy_violations"] for p in preps if p is not None)
    cancelled = verified and _report(on_progress, rest_objective, rest_bound, time.perf_counter() - t0)
    done_objective = done_bound = 0
    solutions: list[Solution] = []
    for k in range(len(preps)):
        prep = preps[k]
        assert prep is not None
        preps[k] = None  # release this part's candidates once it is solved
        # Part times (first solution, complete plan) count from the part's preparation.
        prep.stats["started_seconds"] = prep.t0 - t0
        rest_objective -= prep.greedy.objective
        rest_bound -= prep.lower_bound
        if cancelled:
            prep.cancel()
            sol = _greedy_result(prep)
        else:
            # Share what is left in proportion to the tasks still to plan, so a slow first part
            # cannot starve the last ones.
            now = time.perf_counter()
            left = max(1, sum(len(p.tasks) for p in parts[k:]))
            budget = max(1.0, (deadline - now) * max(len(prep.problem.tasks), 1) / left)

            def relay(
                obj: int,
                bound: int,
                _elapsed: float,
                o: int = done_objective + rest_objective,
                b: int = done_bound + rest_bound,
            ) -> bool:
                return _report(on_progress, o + obj, b + bound, time.perf_counter() - t0)

            sol = _search(prep, relay if on_progress else None, now + budget, stop)
            cancelled = sol.cancelled
        solutions.append(sol)
        done_objective += sol.objective
        done_bound += sol.best_bound if sol.best_bound is not None else 0
        if len(parts) > 1 and not cancelled and k + 1 < len(parts):
            cancelled = _report(
                on_progress, done_objective + rest_objective, done_bound + rest_bound, time.perf_counter() - t0
            )
    if len(parts) == 1:
        return solutions[0]
    merged = merge(problem, solutions)
    merged.stats["wall_seconds"] = time.perf_counter() - t0
    merged.stats["num_parts"] = len(parts)
    return merged
