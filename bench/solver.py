"""Benchmark the planner.

    python -m bench.solver --size S M L --seed 1 [--time-limit 60] [--workers 2]
    python -m bench.solver --problem-file demo_M.json [--time-limit 60] [--workers 2]
    python -m bench.solver --size L --jobs          # parts as separate jobs, each with the full limit
    python -m bench.solver --size M --day-rules     # travel in the day, lunch, run limits (issue 12)
    python -m bench.solver --size M --day-rules --bounds-only --max-consultants 30 --max-combos 60 --start-step 1
                                                    # no search: what the cap and the grid cost the LP bound

A problem file is what ``python manage.py dump_problem`` writes (solver.serialize). Each line of
output is one JSON object. "complete_plan_seconds" is when a verified plan with as many placed
tasks as the final one was reported through on_progress (the greedy plan counts).

Two bounds: "best_bound"/"gap_pct" hold for the candidate set (consultant cap, start grid,
smallest room class); "real_bound"/"real_gap_pct" for every plan the verifier accepts
(solver.relaxed), computed after the run and not counted in its time.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import time
from dataclasses import replace
from pathlib import Path

import psutil

from solver.bounds import combinatorial_bound
from solver.candidates import build
from solver.cpsat import solve, solve_part
from solver.decompose import decompose, merge
from solver.generate import generate
from solver.greedy import greedy
from solver.lp_bound import candidate_lp_bound
from solver.problem import Problem, Solution
from solver.relaxed import real_bound
from solver.serialize import problem_from_dict
from solver.verify import verify


def _complete_plan_seconds(sol: Solution) -> float:
    """Seconds from the start of solve() until every part had its final number of placements."""
    parts = sol.stats.get("parts") or [sol.stats]
    return max(
        float(st.get("started_seconds") or 0.0) + float(st.get("complete_plan_seconds") or 0.0)  # type: ignore[arg-type]
        for st in parts  # type: ignore[union-attr]
    )


def _tuned(problem: Problem, time_limit: float | None, workers: int, **overrides: object) -> Problem:
    params = replace(problem.params, num_workers=workers, **overrides)  # type: ignore[arg-type]
    if time_limit is not None:
        params = replace(params, max_time_seconds=time_limit)
    return replace(problem, params=params)


def run(
    label: str,
    problem: Problem,
    *,
    jobs: bool = False,
    build_seconds: float = 0.0,
) -> dict[str, object]:
    load_before = os.getloadavg()
    g0 = time.perf_counter()
    g = greedy(problem)
    greedy_seconds = time.perf_counter() - g0
    cs = build(problem)
    placeable = len(problem.tasks) - len(cs.reasons)
    del cs

    progress: list[tuple[float, int, int]] = []
    s0 = time.perf_counter()

    def on_progress(objective: int, bound: int, _elapsed: float) -> None:
        progress.append((time.perf_counter() - s0, objective, bound))

    if jobs:
        # What the Django side does with django-q2: every part its own job with the full time
        # limit. Here they run one after another, so wall time is the sum; each part's own
        # times are what a worker would see.
        parts = decompose(problem) or [problem]
        sol = merge(problem, [solve_part(p, on_progress) for p in parts])
    else:
        sol = solve(problem, on_progress)
    total = time.perf_counter() - s0
    violations = verify(problem, sol)
    r0 = time.perf_counter()
    real = real_bound(problem)
    assert real is not None
    real_seconds = time.perf_counter() - r0
    real_gap = real.gap(sol.objective)
    parts_stats = sol.stats.get("parts") or [sol.stats]
    peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB
    first = [p.get("first_solution_seconds") for p in parts_stats]  # type: ignore[union-attr]
    part_seconds = [round(float(p.get("wall_seconds") or 0.0), 1) for p in parts_stats]  # type: ignore[union-attr]
    unavoidable = sol.objective - sol.avoidable_objective
    return {
        "problem": label,
        "workers": problem.params.num_workers,
        "time_limit": problem.params.max_time_seconds,
        "mode": "jobs" if jobs else "solve",
        "params": {
            k: getattr(problem.params, k)
            for k in ("start_step_slots", "max_consultants_per_requirement", "probing_level", "symmetry_level",
                      "lns_share")
        },
        "sites": len(problem.sites),
        "consultants": len(problem.consultants),
        "citizens": len(problem.citizens),
        "tasks": len(problem.tasks),
        "placeable_tasks": placeable,
        "parts": len(parts_stats),  # type: ignore[arg-type]
        "candidates": sum(int(p.get("num_candidates", 0)) for p in parts_stats),  # type: ignore[union-attr]
        "status": sol.status,
        "objective": sol.objective,
        "avoidable_objective": sol.avoidable_objective,
        "best_bound": sol.best_bound,
        "avoidable_bound": None if sol.best_bound is None else sol.best_bound - unavoidable,
        "combinatorial_bound": sum(int(p.get("combinatorial_bound", 0)) for p in parts_stats),  # type: ignore[union-attr]
        # The LP relaxation's bound (solver.lp_bound) per part, and the seconds GLOP took.
        "lp_bounds_per_part": [p.get("lp_bound") for p in parts_stats],  # type: ignore[union-attr]
        "lp_bound_seconds": round(sum(float(p.get("lp_bound_seconds") or 0) for p in parts_stats), 2),  # type: ignore[union-attr]
        "cpsat_bounds_per_part": [p.get("cpsat_bound") for p in parts_stats],  # type: ignore[union-attr]
        # Neighbourhood search (solver.lns) per part: steps run, steps that improved the plan.
        "lns_steps_per_part": [p.get("lns_steps") for p in parts_stats],  # type: ignore[union-attr]
        "lns_improved_per_part": [p.get("lns_improved") for p in parts_stats],  # type: ignore[union-attr]
        "gap_pct": None if sol.gap is None else round(100 * sol.gap, 2),
        # The bound for the real problem (no consultant cap, every 15-minute start, every room):
        # what no plan at all can beat, and the gap against it (on what any plan can influence).
        "real_bound": real.bound,
        "real_unavoidable": real.unavoidable,
        "real_gap_pct": None if real_gap is None else round(100 * real_gap, 2),
        "real_bound_seconds": round(real_seconds, 2),
        "greedy_real_gap_pct": None if real.gap(g.objective) is None else round(100 * real.gap(g.objective), 2),
        "build_seconds": round(build_seconds, 2),
        "first_progress_seconds": round(progress[0][0], 2) if progress else None,
        "first_cpsat_solution_seconds_per_part": [None if f is None else round(float(f), 1) for f in first],  # type: ignore[arg-type]
        "complete_plan_seconds": round(_complete_plan_seconds(sol), 2),
        "part_seconds": part_seconds,
        "total_seconds": round(total, 2),
        "peak_rss_mb": round(peak_rss_mb),
        "violations": len(violations),
        "unplaced": len(sol.unplaced),
        "placed": len(sol.placements),
        "greedy_seconds": round(greedy_seconds, 2),
        "greedy_objective": g.objective,
        "greedy_avoidable_objective": g.avoidable_objective,
        "greedy_placed": len(g.placements),
        "improvement_vs_greedy_pct": round(100 * (1 - sol.avoidable_objective / max(1, g.avoidable_objective)), 1),
        "loadavg_before": [round(x, 2) for x in load_before],
        "loadavg_after": [round(x, 2) for x in os.getloadavg()],
    }


def bounds_only(label: str, problem: Problem) -> dict[str, object]:
    """The candidate set and its bounds, without searching: what the consultant cap and the start
    grid cost the relaxation (compare runs with other --max-consultants / --max-combos / --start-step)."""
    t0 = time.perf_counter()
    parts = decompose(problem) or [problem]
    candidates = combinatorial = lp_total = 0
    for part in parts:
        cs = build(part)
        candidates += len(cs.candidates)
        combinatorial += combinatorial_bound(cs)
        lp = candidate_lp_bound(cs, time_limit=600)
        assert lp is not None, "GLOP did not reach the LP optimum"
        lp_total += lp
    real = real_bound(problem)
    assert real is not None
    return {
        "problem": label,
        "mode": "bounds",
        "params": {
            k: getattr(problem.params, k)
            for k in ("start_step_slots", "edge_starts", "max_consultants_per_requirement", "max_consultant_combos")
        },
        "parts": len(parts),
        "candidates": candidates,
        "combinatorial_bound": combinatorial,
        "lp_bound": lp_total,
        "real_bound": real.bound,
        "real_unavoidable": real.unavoidable,
        "seconds": round(time.perf_counter() - t0, 2),
    }


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--size", nargs="+", choices=["S", "M", "L", "XL"], default=[])
    ap.add_argument("--problem-file", nargs="+", default=[], help="JSON written by manage.py dump_problem")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--time-limit", type=float, default=None, help="seconds; default per size / from the file")
    ap.add_argument("--workers", type=int, default=psutil.cpu_count(logical=True) or 1)
    ap.add_argument("--jobs", action="store_true", help="solve decompose() parts separately, full limit each")
    ap.add_argument(
        "--day-rules", action="store_true", help="generated problems with travel in the day, lunch and run limits"
    )
    ap.add_argument("--max-consultants", type=int, default=None, help="max_consultants_per_requirement")
    ap.add_argument("--start-step", type=int, default=None, help="start_step_slots")
    ap.add_argument("--probing", type=int, default=None, help="cp_model_probing_level")
    ap.add_argument("--symmetry", type=int, default=None, help="symmetry_level")
    ap.add_argument("--lns-share", type=float, default=None, help="lns_share: time share of neighbourhood search")
    ap.add_argument("--max-combos", type=int, default=None, help="max_consultant_combos")
    ap.add_argument(
        "--bounds-only", action="store_true", help="no search: candidates, combinatorial, LP and real bounds"
    )
    args = ap.parse_args(argv)
    overrides: dict[str, object] = {}
    for name, value in (
        ("max_consultants_per_requirement", args.max_consultants),
        ("start_step_slots", args.start_step),
        ("probing_level", args.probing),
        ("symmetry_level", args.symmetry),
        ("lns_share", args.lns_share),
        ("max_consultant_combos", args.max_combos),
    ):
        if value is not None:
            overrides[name] = value
    todo: list[tuple[str, Problem, float]] = []
    for size in args.size or ([] if args.problem_file else ["S"]):
        t0 = time.perf_counter()
        label = f"generated {size} seed {args.seed}" + (" with day rules" if args.day_rules else "")
        todo.append((label, generate(size, args.seed, day_rules=args.day_rules), time.perf_counter() - t0))
    for path in args.problem_file:
        t0 = time.perf_counter()
        problem = problem_from_dict(json.loads(Path(path).read_text(encoding="utf-8")))
        todo.append((path, problem, time.perf_counter() - t0))
    for label, problem, load_seconds in todo:
        tuned = _tuned(problem, args.time_limit, args.workers, **overrides)
        if args.bounds_only:
            result = bounds_only(label, tuned)
        else:
            result = run(label, tuned, jobs=args.jobs, build_seconds=load_seconds)
        print(json.dumps(result, ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main()
