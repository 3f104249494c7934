"""Scale-out of the planner on a real django-q2 cluster (issue 17):

    python -m bench.cluster --size XL --q-workers 1 2 --time-limit 60 [--cpsat-workers 1] [--day-rules]
    python -m bench.cluster --size XL --clusters 2 --q-workers 1 --queue-limit 1   # two "machines"

For each number of workers: starts `manage.py qcluster` with Q_WORKERS=N against PostgreSQL
(--database-url; the database is created and migrated unless --reuse) and Redis (--redis-url, its own
database number, flushed before each run), sends the generated instance's solver.decompose() parts
through the product's part tasks (scheduler.planning.runs.solve_parts_submit: one
`scheduler.tasks.solve_part_task` per part, as a split planning run enqueues them), waits until the
last part has joined the run, stops the cluster, merges the parts' solutions against the whole
generated problem and verifies the plan with solver.verify. Each part gets the whole --time-limit
(as in the product) and --cpsat-workers CP-SAT threads (PLANNER_NUM_WORKERS).

One JSON line per cluster run: wall time (from sending the parts to the joined run), objective, both
bounds and gaps as bench.solver prints them, the parts' timeline, and the peak RSS of every worker
process (VmHWM from /proc, sampled every 0.2 s: exact for processes alive at the last sample). Then
one line with the speed-up of each run against the first. Load averages before and after each run.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from dataclasses import replace
from datetime import date
from pathlib import Path

import psutil

from solver.problem import Problem

ROOT = Path(__file__).resolve().parent.parent
WEEK = date(2026, 1, 5)  # any Monday: a submitted run has no week in the database behind it
_READY = re.compile(r"ready for work at (\d+)")


def _hwm_kib(pid: int) -> int | None:
    """Peak resident set size of a process (Linux VmHWM), KiB; None once it is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return None
    return None


class MemorySampler(threading.Thread):
    """Peak RSS and CPU time of the clusters' processes (each qcluster process and all its children),
    every 0.2 s."""

    def __init__(self, root_pids: list[int]) -> None:
        super().__init__(daemon=True, name="cluster-memory")
        self.root_pids = root_pids
        self.peak_kib: dict[int, int] = {}
        self.cpu_seconds: dict[int, float] = {}
        self.stopped = threading.Event()

    def sample(self) -> None:
        for root_pid in self.root_pids:
            try:
                root = psutil.Process(root_pid)
                processes = [root, *root.children(recursive=True)]
            except psutil.NoSuchProcess:
                continue
            for process in processes:
                kib = _hwm_kib(process.pid)
                if kib is not None:
                    self.peak_kib[process.pid] = max(kib, self.peak_kib.get(process.pid, 0))
                try:
                    times = process.cpu_times()
                    self.cpu_seconds[process.pid] = times.user + times.system
                except psutil.NoSuchProcess:
                    pass

    def run(self) -> None:
        while not self.stopped.wait(0.2):
            self.sample()


def cluster_start(env: dict[str, str], q_workers: int, log: Path, timeout: float = 90) -> tuple[subprocess.Popen,
                                                                                                 list[int]]:
    """`manage.py qcluster` with Q_WORKERS=q_workers; returns once every worker said "ready for work"."""
    process = subprocess.Popen(
        [sys.executable, "manage.py", "qcluster"], cwd=ROOT, env={**env, "Q_WORKERS": str(q_workers)},
        stdout=log.open("w"), stderr=subprocess.STDOUT, start_new_session=True,
    )
    deadline = time.monotonic() + timeout
    while True:
        workers = [int(pid) for pid in _READY.findall(log.read_text())]
        if len(workers) >= q_workers:
            return process, workers
        if process.poll() is not None or time.monotonic() > deadline:
            cluster_stop(process)
            raise RuntimeError(f"qcluster did not start:\n{log.read_text()[-3000:]}")
        time.sleep(0.2)


def cluster_stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


_PROCESSING = re.compile(r"processing solve-run-(\d+)-part-(\d+)")


def cluster_solve(
    problem: Problem, *, q_workers: int, time_limit: int, env: dict[str, str], log: Path,
    wait_seconds: float | None = None, clusters: int = 1,
) -> dict[str, object]:
    """Solve `problem`'s parts on `clusters` fresh qclusters (each standing in for a machine) with
    `q_workers` workers each (Django must be set up, on the database and broker `env` points the clusters
    at); the merged plan, verified, and what was measured. `log` names the first cluster's log; the
    others get a suffix."""
    from scheduler.models import SolvePart, SolveRun, SolveRunStatus
    from scheduler.planning.runs import solve_parts_submit
    from solver.decompose import decompose, merge
    from solver.greedy import greedy
    from solver.relaxed import real_bound
    from solver.serialize import solution_from_dict
    from solver.verify import verify

    parts = decompose(problem) or [problem]
    load_before = os.getloadavg()
    logs = [log if c == 0 else log.with_name(f"{log.stem}-{c}{log.suffix}") for c in range(clusters)]
    started: list[tuple[subprocess.Popen, list[int]]] = []
    try:
        for cluster_log in logs:
            started.append(cluster_start(env, q_workers, cluster_log))
    except BaseException:
        for process, _ in started:
            cluster_stop(process)
        raise
    processes = [process for process, _ in started]
    workers = [pid for _, pids in started for pid in pids]
    sampler = MemorySampler([process.pid for process in processes])
    sampler.start()
    try:
        t0 = time.perf_counter()
        run = solve_parts_submit(parts=parts, time_limit=time_limit, week_start=WEEK)
        deadline = t0 + (wait_seconds if wait_seconds is not None else 3 * time_limit * len(parts) + 120)
        status = SolveRunStatus.RUNNING
        while status == SolveRunStatus.RUNNING:
            if time.perf_counter() > deadline or any(process.poll() is not None for process in processes):
                raise RuntimeError(f"run {run.pk} still {status}:\n{log.read_text()[-3000:]}")
            time.sleep(0.2)
            status = SolveRun.objects.filter(pk=run.pk).values_list("status", flat=True).get()
        wall = time.perf_counter() - t0
        sampler.sample()
    finally:
        sampler.stopped.set()
        sampler.join()
        for process in processes:
            cluster_stop(process)
    load_after = os.getloadavg()
    run.refresh_from_db()
    if run.status != SolveRunStatus.DONE:
        raise RuntimeError(f"run {run.pk} ended {run.status}: {run.message}\n{log.read_text()[-3000:]}")
    rows = list(SolvePart.objects.filter(run=run).order_by("index"))
    solutions = [solution_from_dict(row.solution) for row in rows]
    sol = merge(problem, solutions)  # against the whole generated problem: every task exactly once
    violations = verify(problem, sol)
    g = greedy(problem)
    real = real_bound(problem)
    assert real is not None
    real_gap = real.gap(sol.objective)
    unavoidable = sol.objective - sol.avoidable_objective
    assert run.started_at is not None
    timeline = [
        {
            "tasks": row.task_count,
            "start": round((row.started_at - run.started_at).total_seconds(), 1) if row.started_at else None,
            "seconds": round(row.elapsed_seconds, 1),
            "status": str(sol_part.status),
            "attempts": row.attempts,
            "cpsat_bound": sol_part.stats.get("cpsat_bound"),
            "first_cpsat_solution_seconds": sol_part.stats.get("first_solution_seconds"),
        }
        for row, sol_part in zip(rows, solutions, strict=True)
    ]
    worker_peaks = {pid: round(sampler.peak_kib.get(pid, 0) / 1024) for pid in workers}
    # Which cluster ("machine") solved which part, from each cluster's log (django-q2 logs the task name).
    part_index = {row.pk: row.index for row in rows}
    parts_by_cluster = [
        sorted(part_index[int(part)] for r, part in _PROCESSING.findall(cluster_log.read_text())
               if int(r) == run.pk and int(part) in part_index)
        for cluster_log in logs
    ]
    return {
        "problem": f"{len(problem.tasks)} tasks",
        "clusters": clusters,
        "q_workers": q_workers,
        "queue_limit": env.get("Q_QUEUE_LIMIT", "default"),
        "cpsat_workers_per_part": problem.params.num_workers,
        "time_limit_per_part": time_limit,
        "parts": len(parts),
        "tasks": len(problem.tasks),
        "status": sol.status,
        "objective": sol.objective,
        "avoidable_objective": sol.avoidable_objective,
        "best_bound": sol.best_bound,
        "avoidable_bound": None if sol.best_bound is None else sol.best_bound - unavoidable,
        "gap_pct": None if sol.gap is None else round(100 * sol.gap, 2),
        "real_bound": real.bound,
        "real_unavoidable": real.unavoidable,
        "real_gap_pct": None if real_gap is None else round(100 * real_gap, 2),
        "greedy_objective": g.objective,
        "greedy_real_gap_pct": None if real.gap(g.objective) is None else round(100 * real.gap(g.objective), 2),
        "improvement_vs_greedy_pct": round(100 * (1 - sol.avoidable_objective / max(1, g.avoidable_objective)), 1),
        "wall_seconds": round(wall, 1),
        "sum_part_seconds": round(sum(row.elapsed_seconds for row in rows), 1),
        "part_timeline": timeline,
        "parts_by_cluster": parts_by_cluster,
        "peak_rss_mb_per_worker": sorted(worker_peaks.values(), reverse=True),
        "cpu_seconds_per_worker": sorted((round(sampler.cpu_seconds.get(pid, 0.0)) for pid in workers),
                                         reverse=True),
        "peak_rss_mb_cluster_processes": sorted((round(k / 1024) for k in sampler.peak_kib.values()), reverse=True),
        "violations": len(violations),
        "placed": len(sol.placements),
        "unplaced": len(sol.unplaced),
        "run_id": run.pk,
        "loadavg_before": [round(x, 2) for x in load_before],
        "loadavg_after": [round(x, 2) for x in load_after],
    }


def _label(result: dict[str, object]) -> str:
    clusters = result.get("clusters", 1)
    return f"{result['q_workers']} workers" if clusters == 1 else f"{clusters} clusters x {result['q_workers']} workers"


def speed_up(results: list[dict[str, object]]) -> dict[str, object]:
    base = float(results[0]["wall_seconds"])  # type: ignore[arg-type]
    return {
        "speed_up": {
            _label(r): round(base / float(r["wall_seconds"]), 2)  # type: ignore[arg-type]
            for r in results
        },
        "against": _label(results[0]),
    }


def _database(postgres: str, name: str, create: bool) -> str:
    import psycopg

    if create:
        with psycopg.connect(f"{postgres}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
    return f"{postgres}/{name}"


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--size", choices=["S", "M", "L", "XL"], default="XL")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--day-rules", action="store_true", help="generated problem with travel, lunch and run limits")
    ap.add_argument("--q-workers", type=int, nargs="+", default=[1, 2], help="one cluster run per number")
    ap.add_argument("--clusters", type=int, default=1,
                    help="qcluster processes, each with --q-workers workers (machines sharing broker and database)")
    ap.add_argument("--queue-limit", type=int, default=None,
                    help="Q_QUEUE_LIMIT: messages a cluster takes from the broker ahead of its workers")
    ap.add_argument("--time-limit", type=int, default=60, help="seconds per part (each part gets all of it)")
    ap.add_argument("--cpsat-workers", type=int, default=1, help="CP-SAT threads per part (PLANNER_NUM_WORKERS)")
    ap.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432", help="server URL, no database")
    ap.add_argument("--database", default="bench_cluster")
    ap.add_argument("--reuse", action="store_true", help="keep the database (already migrated)")
    ap.add_argument("--redis-url", default="redis://127.0.0.1:6379/5", help="a Redis database of its own")
    args = ap.parse_args(argv)

    timeout = max(900, 2 * args.time_limit)
    env = {k: v for k, v in os.environ.items() if k not in {"SQLITE_PATH", "PRODUCTION"}}
    env.update(
        DATABASE_URL=_database(args.postgres, args.database, not args.reuse), REDIS_URL=args.redis_url,
        DJANGO_SETTINGS_MODULE="config.settings", PYTHONUNBUFFERED="1", LOG_LEVEL="INFO",
        Q_TIMEOUT_SECONDS=str(timeout), Q_RETRY_SECONDS=str(timeout + 300),
        PLANNER_NUM_WORKERS=str(args.cpsat_workers),
    )
    if args.queue_limit is not None:
        env["Q_QUEUE_LIMIT"] = str(args.queue_limit)
    os.environ.update(env)
    import django

    django.setup()
    import redis
    from django.core.management import call_command

    from solver.generate import generate

    if not args.reuse:
        call_command("migrate", verbosity=0)
    problem = generate(args.size, args.seed, day_rules=args.day_rules)
    problem = replace(problem, params=replace(problem.params, num_workers=args.cpsat_workers,
                                              max_time_seconds=float(args.time_limit)))
    log_dir = ROOT / "var"
    log_dir.mkdir(exist_ok=True)
    results = []
    for q_workers in args.q_workers:
        redis.Redis.from_url(args.redis_url).flushdb()  # this benchmark's own database number only
        result = cluster_solve(problem, q_workers=q_workers, time_limit=args.time_limit, env=env,
                               log=log_dir / f"bench_cluster_q{q_workers}.log", clusters=args.clusters)
        result["problem"] = f"generated {args.size} seed {args.seed}" + (" with day rules" if args.day_rules else "")
        results.append(result)
        print(json.dumps(result, ensure_ascii=False), flush=True)
    if len(results) > 1:
        print(json.dumps(speed_up(results)), flush=True)


if __name__ == "__main__":
    main()
