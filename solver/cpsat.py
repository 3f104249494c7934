"""CP-SAT model over the feasible candidates, and the public `solve()`.

One Boolean per candidate. Hard rules left after candidate filtering are resource sharing:
at most one per (consultant, slot), (citizen, slot), room pool counts per (room class, slot),
citizen minutes per day and consultant contracted minutes. Everything else is soft and is
scored by `objective.evaluate`; the model objective equals that function exactly (constant
included), so CP-SAT's bound is a bound on the same number the benchmarks report.
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
from solver.objective import trip_days
from solver.problem import Problem, Solution
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


def _starts_cover(intervals: list[tuple[int, int, int]]) -> list[list[int]]:
    """Groups of variables that pairwise overlap: for every interval start, all intervals
    covering that slot. Two intervals overlap iff one covers the other's start, so one
    at-most-one per distinct start point is exact and much smaller than one per slot."""
    ordered = sorted(intervals)
    groups: list[list[int]] = []
    active: list[tuple[int, int]] = []  # (end, var)
    k = 0
    while k < len(ordered):
        s = ordered[k][0]
        while k < len(ordered) and ordered[k][0] == s:
            active.append((ordered[k][1], ordered[k][2]))
            k += 1
        active = [(e, v) for e, v in active if e > s]
        if len(active) > 1:
            groups.append([v for _, v in active])
    return groups


def add_hard_constraints(model: cp_model.CpModel, cs: CandidateSet, x: list[cp_model.IntVar]) -> None:
    """Resource sharing rules; everything per task is already guaranteed by the candidates."""
    problem, idx = cs.problem, cs.index
    # Resource at-most-ones at interval start points (see _starts_cover).
    per_consultant: dict[int, list[tuple[int, int, int]]] = {}
    per_citizen: dict[int, list[tuple[int, int, int]]] = {}
    per_class: dict[int, list[tuple[int, int, int]]] = {}
    # (citizen, day) -> (task, var, minutes)
    day_minutes: dict[tuple[int, int], list[tuple[int, int, int]]] = {}
    contract: dict[int, list[tuple[int, int, int]]] = {}  # consultant -> (task, var, minutes)
    for i, cand in enumerate(cs.candidates):
        task = problem.tasks[cand.task_index]
        end = cand.start + task.duration_slots
        for kid, s0, s1 in cand.busy:
            per_consultant.setdefault(kid, []).append((s0, s1, i))
        for zid in task.citizen_ids:
            per_citizen.setdefault(zid, []).append((cand.start, end, i))
            day_minutes.setdefault((zid, problem.day_of(cand.start)), []).append(
                (cand.task_index, i, task.duration_slots * problem.slot_minutes)
            )
        if cand.room_class is not None:
            per_class.setdefault(cand.room_class, []).append((cand.start, end, i))
        for kid, minutes in cand.load:
            contract.setdefault(kid, []).append((cand.task_index, i, minutes))
    for table in (per_consultant, per_citizen):
        for intervals in table.values():
            for group in _starts_cover(intervals):
                model.add_at_most_one(x[i] for i in group)
    for rc_index, intervals in per_class.items():
        size = len(cs.room_classes[rc_index].room_ids)
        for group in _starts_cover(intervals):
            if len(group) > size:
                model.add(sum(x[i] for i in group) <= size)

    def capped(items: list[tuple[int, int, int]], cap: int) -> None:
        most: dict[int, int] = {}
        for ti, _, m in items:
            most[ti] = max(most.get(ti, 0), m)
        if sum(most.values()) > cap:  # only when the cap can actually bind
            model.add(sum(m * x[i] for _, i, m in items) <= cap)

    for (zid, _), items in day_minutes.items():
        cap = idx.citizens[zid].max_minutes_per_day
        if cap is not None:
            capped(items, cap)
    for kid, items in contract.items():
        capped(items, idx.consultants[kid].contracted_minutes_per_week)


def build_model(cs: CandidateSet, hint: list[int] | None) -> tuple[cp_model.CpModel, list[cp_model.IntVar]]:
    problem, idx = cs.problem, cs.index
    model = cp_model.CpModel()
    x = [model.new_bool_var(f"x{i}") for i in range(len(cs.candidates))]
    obj_terms: list[tuple[cp_model.IntVar, int]] = []
    constant = 0

    # Every objective term is non-negative by construction: an explicit "unplaced" Boolean per
    # task (exactly one of its candidates or unplaced) instead of rewarding placements with
    # negative coefficients. With rewards, CP-SAT's bound before its LP converges is the sum of
    # all negative coefficients (one per candidate, ignoring the at-most-one) — the large
    # negative bounds seen on L/XL and on the demo centres.
    unplaced_vars: dict[int, cp_model.IntVar] = {}
    for ti, task in enumerate(problem.tasks):
        miss = idx.unplaced_cost(task)
        cands = cs.by_task[ti]
        if not cands:
            constant += miss
            continue
        u = model.new_bool_var(f"u{ti}")
        unplaced_vars[ti] = u
        model.add_exactly_one([u, *(x[i] for i in cands)])
        obj_terms.append((u, miss))
        for i in cands:
            obj_terms.append((x[i], cs.candidates[i].cost))

    add_hard_constraints(model, cs, x)

    # Load balance: the largest relative load per (consultant group, staff type).
    rel_terms: dict[int, list[tuple[int, int]]] = {}
    for i, cand in enumerate(cs.candidates):
        for kid, minutes in cand.load:
            rel_terms.setdefault(kid, []).append((i, idx.rel_permille(idx.consultants[kid], minutes)))
    maxima: dict[tuple[object, str], cp_model.IntVar] = {}
    hint_loads: dict[int, int] = {}
    if hint is not None:
        for i in hint:
            for kid, minutes in cs.candidates[i].load:
                hint_loads[kid] = hint_loads.get(kid, 0) + idx.rel_permille(idx.consultants[kid], minutes)
    for kid, terms in rel_terms.items() if problem.weights.load_balance else ():
        expr = sum(coef * x[i] for i, coef in terms)
        for st in sorted(idx.consultants[kid].staff_types):
            key = (idx.group_of[kid], st)
            if key not in maxima:
                maxima[key] = model.new_int_var(0, 10**6, f"max_load_{len(maxima)}")
            model.add(maxima[key] >= expr)
    for var in maxima.values():
        obj_terms.append((var, problem.weights.load_balance))

    # Citizen trips: y[(citizen, day)] is forced by any site appointment that day.
    trip_vars: dict[tuple[int, int], cp_model.IntVar] = {}
    if problem.weights.citizen_trip:
        for i, cand in enumerate(cs.candidates):
            task = problem.tasks[cand.task_index]
            if not idx.citizen_trip(task):
                continue
            day = problem.day_of(cand.start)
            for zid in task.citizen_ids:
                if day in idx.citizens[zid].busy_days:
                    continue
                key = (zid, day)
                if key not in trip_vars:
                    trip_vars[key] = model.new_bool_var(f"trip_{zid}_{day}")
                    obj_terms.append((trip_vars[key], problem.weights.citizen_trip))
                model.add_implication(x[i], trip_vars[key])

    model.minimize(constant + sum(coef * var for var, coef in obj_terms if coef))

    if hint is not None:
        chosen = set(hint)
        for i, var in enumerate(x):
            model.add_hint(var, i in chosen)
        hinted_tasks = {cs.candidates[i].task_index for i in hint}
        for ti, var in unplaced_vars.items():
            model.add_hint(var, ti not in hinted_tasks)
        placed = [(problem.tasks[cs.candidates[i].task_index], cs.candidates[i].start) for i in hint]
        hinted_trips = trip_days(idx, placed)
        for key, var in trip_vars.items():
            model.add_hint(var, key in hinted_trips)
        worst: dict[tuple[object, str], int] = {}
        for c in problem.consultants:
            for st in c.staff_types:
                k = (idx.group_of[c.id], st)
                worst[k] = max(worst.get(k, 0), hint_loads.get(c.id, 0))
        for key, var in maxima.items():
            model.add_hint(var, worst.get(key, 0))
    return model, x


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


def _prepare(problem: Problem) -> _Prepared:
    t0 = time.perf_counter()
    problem.validate()
    cs = build(problem)
    t_cands = time.perf_counter()
    plain = greedy_choice(cs)
    lower = combinatorial_bound(cs)
    plain_sol = build_solution(cs, plain, "GREEDY", lower, {})
    # A cheap one-move repair places more tasks (the first plan reported and CP-SAT's hint);
    # kept only when it scores better on the full objective.
    hint = repair(cs, plain)
    greedy_sol = build_solution(cs, hint, "GREEDY", lower, {})
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
        "greedy_violations": greedy_violations[:20],
        "combinatorial_bound": lower,
        "ortools_version": ortools.__version__,
        "params": asdict(problem.params),
        "cancelled": False,
    }
    return _Prepared(problem, cs, hint, greedy_sol, lower, stats, t0)


def _greedy_result(prep: _Prepared, status: str = "GREEDY", bound: int | None = None) -> Solution:
    stats = prep.stats
    stats["wall_seconds"] = time.perf_counter() - prep.t0
    stats["complete_plan_seconds"] = float(stats["candidates_seconds"]) + float(stats["greedy_seconds"])  # type: ignore[arg-type]
    return build_solution(prep.cs, prep.hint, status, prep.lower_bound if bound is None else bound, stats)


def _search(
    prep: _Prepared, on_progress: ProgressFn | None, deadline: float, stop: threading.Event | None = None
) -> Solution:
    """CP-SAT from the greedy hint until `deadline` (a time.perf_counter() value) or until `stop` is set."""
    problem, cs, hint, stats, t0 = prep.problem, prep.cs, prep.hint, prep.stats, prep.t0
    params = problem.params
    if stop is not None and stop.is_set():
        stats["cancelled"] = True
    if stats["cancelled"]:
        return _greedy_result(prep)
    if not cs.candidates:
        # Nothing can be placed: the greedy (empty) plan is optimal.
        return _greedy_result(prep, "OPTIMAL", prep.greedy.objective)

    t_build = time.perf_counter()
    model, x = build_model(cs, hint if params.use_hint else None)
    t_model = time.perf_counter()
    proto = model.proto
    stats["model_seconds"] = t_model - t_build
    stats["num_booleans"] = len(x)
    stats["num_variables"] = len(proto.variables)
    stats["num_constraints"] = len(proto.constraints)

    solver = cp_model.CpSolver()
    sp = solver.parameters
    sp.num_workers = params.num_workers
    sp.random_seed = params.random_seed
    sp.max_time_in_seconds = max(0.1, deadline - t_model)
    sp.cp_model_probing_level = params.probing_level
    sp.symmetry_level = params.symmetry_level
    if params.linearization_level is not None:
        sp.linearization_level = params.linearization_level
    sp.log_search_progress = params.log_search
    if params.num_workers == 1:
        sp.interleave_search = False
    cb = _Progress(on_progress, t0, sum(x), prep.lower_bound)
    finished = threading.Event()

    def watch_stop() -> None:
        # The progress callback only runs on a better plan; a cancel from outside must not wait for one.
        while stop is not None and not finished.wait(0.1):
            if stop.is_set():
                cb.cancelled = True
                solver.stop_search()
                return

    watcher = threading.Thread(target=watch_stop, name="cpsat-stop", daemon=True)
    watcher.start()
    try:
        status = solver.solve(model, cb)
    finally:
        finished.set()
        watcher.join()
    t_solve = time.perf_counter()
    found = status in (cp_model.OPTIMAL, cp_model.FEASIBLE)
    cp_bound = math.ceil(solver.best_objective_bound - 1e-6) if found else None
    stats.update(
        {
            "cpsat_status": solver.status_name(status),
            "cpsat_seconds": t_solve - t_model,
            "cpsat_bound": cp_bound,
            "conflicts": solver.num_conflicts,
            "branches": solver.num_branches,
            "cpsat_solutions": len(cb.history),
            "first_solution_seconds": cb.first_solution_seconds,
            "cancelled": cb.cancelled,
        }
    )
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        # "Never an empty plan": CP-SAT found nothing in time, so return the verified greedy plan.
        return _greedy_result(prep)
    chosen = [i for i, var in enumerate(x) if solver.boolean_value(var)]
    bound = max(prep.lower_bound, cp_bound or 0)
    sol = build_solution(cs, chosen, "OPTIMAL" if status == cp_model.OPTIMAL else "FEASIBLE", bound, stats)
    violations = verify(problem, sol)
    if violations or sol.objective > prep.greedy.objective:
        # Defensive: a CP-SAT plan that fails the independent checker or is worse than the
        # warm start is never returned.
        stats["cpsat_violations"] = violations[:20]
        stats["cpsat_objective"] = sol.objective
        sol = build_solution(cs, hint, "GREEDY", bound, stats)
    stats["model_objective"] = int(round(solver.objective_value))
    stats["wall_seconds"] = time.perf_counter() - t0
    # First moment a plan placed as many tasks as the final one (greedy's plan counts).
    final = len(sol.placements)
    greedy_done = float(stats["candidates_seconds"]) + float(stats["greedy_seconds"])  # type: ignore[arg-type]
    complete = [t for t, n in [(greedy_done, len(hint)), *cb.history] if n >= final]
    stats["complete_plan_seconds"] = min(complete) if complete else stats["wall_seconds"]
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
    `stats["cancelled"] = True`). `max_time` (default `params.max_time_seconds`) covers everything."""
    t0 = time.perf_counter()
    prep = _prepare(problem)
    if not prep.stats["greedy_violations"] and _report(
        on_progress, prep.greedy.objective, prep.lower_bound, time.perf_counter() - t0
    ):
        prep.stats["cancelled"] = True
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
            prep.stats["cancelled"] = True
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
            cancelled = bool(sol.stats.get("cancelled"))
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
    merged.stats["cancelled"] = any(s.stats.get("cancelled") for s in solutions)
    return merged
