"""bench.cluster's core on real `manage.py qcluster`s (one with two workers; two with one each, as two
machines on one broker and database): a small generated week's parts go
through the product's part tasks (scheduler.planning.runs.solve_parts_submit), the last part joins the run,
and the merged plan is complete and verified; every worker's peak memory is measured.

The cluster uses the test's own database (the SQLite test file, or PostgreSQL's test database when
DATABASE_URL is set) and the test process's broker (the database broker, or Redis with REDIS_URL), so
what the test enqueues is what the cluster sees."""
import os
from dataclasses import replace
from pathlib import Path

import pytest
from django.db import connection

from bench.cluster import cluster_solve, speed_up
from scheduler.models import Plan, SolvePart, SolveRun, SolveRunStatus
from solver.decompose import decompose
from solver.generate import generate
from solver.problem import Problem

# Slow (≈ 50 s with the qclusters starting): the SQLite pass runs it; the PostgreSQL pass of .ci/run leaves it out.
pytestmark = [pytest.mark.xdist_group("background-cluster"), pytest.mark.slow]


def two_part_week() -> Problem:
    """Twelve tasks of each of generated L's two largest clusters: two independent parts, solved in seconds."""
    whole = generate("L", 1)
    keep = [replace(part, tasks=part.tasks[:12]) for part in decompose(whole)[:2]]
    return replace(
        whole,
        sites=tuple(x for p in keep for x in p.sites), rooms=tuple(x for p in keep for x in p.rooms),
        consultants=tuple(x for p in keep for x in p.consultants),
        citizens=tuple(x for p in keep for x in p.citizens), tasks=tuple(x for p in keep for x in p.tasks),
        params=replace(whole.params, num_workers=1, max_time_seconds=2.0),
    )


def _cluster_env() -> dict[str, str]:
    """The test database for the cluster process (pytest's test database, not the configured one)."""
    db = connection.settings_dict
    env = {k: v for k, v in os.environ.items() if k not in {"SQLITE_PATH", "DATABASE_URL", "PRODUCTION"}}
    if db["ENGINE"].endswith("sqlite3"):
        env["SQLITE_PATH"] = str(db["NAME"])
    else:
        auth = f"{db['USER']}:{db['PASSWORD']}@" if db.get("PASSWORD") else f"{db['USER']}@"
        env["DATABASE_URL"] = f"postgres://{auth}{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    env.update(DJANGO_SETTINGS_MODULE="config.settings", PYTHONUNBUFFERED="1", LOG_LEVEL="INFO",
               PLANNER_NUM_WORKERS="1")
    return env


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize(("clusters", "q_workers"), [(1, 2), (2, 1)], ids=["one-cluster-2-workers",
                                                                          "two-clusters-1-worker"])
def test_a_generated_weeks_parts_are_solved_by_qcluster_workers_and_joined(
    tmp_path: Path, clusters: int, q_workers: int
) -> None:
    problem = two_part_week()
    assert len(decompose(problem)) == 2

    result = cluster_solve(problem, q_workers=q_workers, time_limit=2, env=_cluster_env(),
                           log=tmp_path / "qcluster.log", wait_seconds=120, clusters=clusters)

    assert result["parts"] == 2 and result["violations"] == 0
    assert result["placed"] + result["unplaced"] == len(problem.tasks) == 24
    assert result["objective"] <= result["greedy_objective"]
    assert result["real_bound"] <= result["objective"] and result["best_bound"] <= result["objective"]
    assert len(result["peak_rss_mb_per_worker"]) == 2 == len(result["cpu_seconds_per_worker"])
    # Each part was taken by exactly one of the clusters (two "machines" on one broker and database).
    assert len(result["parts_by_cluster"]) == clusters
    assert sorted(i for parts in result["parts_by_cluster"] for i in parts) == [0, 1]
    assert all(50 < mb < 2048 for mb in result["peak_rss_mb_per_worker"])
    assert 0 < result["wall_seconds"] < 60
    # The parts went through the part tasks on the cluster: claimed once each, solutions stored, no draft.
    run = SolveRun.objects.get(pk=result["run_id"])
    assert run.status == SolveRunStatus.DONE and run.plan is None and run.objective == result["objective"]
    assert list(SolvePart.objects.filter(run=run).values_list("status", "attempts")) == [("done", 1)] * 2
    assert not Plan.objects.exists()
    assert all(p["start"] is not None and p["start"] < 30 for p in result["part_timeline"])


def test_speed_up_is_against_the_first_run() -> None:
    runs = [{"q_workers": 1, "wall_seconds": 100.0}, {"q_workers": 2, "wall_seconds": 55.0},
            {"clusters": 2, "q_workers": 1, "wall_seconds": 80.0}]
    assert speed_up(runs) == {"speed_up": {"1 workers": 1.0, "2 workers": 1.82, "2 clusters x 1 workers": 1.25},
                              "against": "1 workers"}
