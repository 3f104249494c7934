"""django-q2 with the Redis broker: a real `manage.py qcluster` subprocess (REDIS_URL, database 15 only)
on a temporary SQLite file picks up a planning run enqueued through the service and completes it.
Skipped when no Redis answers on 127.0.0.1:6379."""
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.background import test_worker as w
from tests.background.test_worker import database, migrated  # noqa: F401 - fixtures reused

REDIS_URL = "redis://127.0.0.1:6379/15"


def _redis():
    try:
        import redis

        client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=0.5, socket_timeout=2)
        client.ping()
        return client
    except Exception:  # any failure means "no Redis here"
        return None


pytestmark = [
    pytest.mark.skipif(bool(os.environ.get("DATABASE_URL")), reason="the worker tests use a SQLite file"),
    pytest.mark.skipif(_redis() is None, reason="no Redis on 127.0.0.1:6379"),
    pytest.mark.xdist_group("background-redis"),  # one seeded file for the module under pytest-xdist
]


def _env(db: Path) -> dict[str, str]:
    return {**w._env(db), "REDIS_URL": REDIS_URL}


def _manage(db: Path, *args: str) -> str:
    done = subprocess.run([sys.executable, "manage.py", *args], cwd=w.ROOT, env=_env(db), capture_output=True,
                          text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


@pytest.fixture
def redis_db15():
    client = _redis()
    client.flushdb()  # database 15 only: the test's own
    yield client
    client.flushdb()


def test_a_run_enqueued_through_the_service_completes_on_a_redis_worker(
    database: Path, tmp_path: Path, redis_db15  # noqa: F811
) -> None:
    log = tmp_path / "worker.log"
    worker = subprocess.Popen([sys.executable, "manage.py", "qcluster"], cwd=w.ROOT, env=_env(database),
                              stdout=log.open("w"), stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 30
        while "ready for work" not in log.read_text().lower() and "running" not in log.read_text().lower():
            assert worker.poll() is None and time.monotonic() < deadline, log.read_text()
            time.sleep(0.2)
        out = _manage(database, "shell", "-c", (
            "from datetime import date; from rooms.models import Site; "
            "from scheduler.planning.runs import solve_run_create; "
            "run = solve_run_create(week_start=date(2026, 11, 30), site_ids=[Site.objects.get(code='vejle').pk], "
            "time_limit=3); print(run.pk)"))
        run_id = int(out.strip().splitlines()[-1])
        connection = sqlite3.connect(database, timeout=20)
        status, deadline = "queued", time.monotonic() + 90
        while status not in {"done", "failed", "cancelled"} and time.monotonic() < deadline:
            status = connection.execute("SELECT status FROM scheduler_solverun WHERE id = ?", (run_id,)).fetchone()[0]
            time.sleep(0.2)
        plan = connection.execute("SELECT plan_id FROM scheduler_solverun WHERE id = ?", (run_id,)).fetchone()[0]
        orm_queue = connection.execute("SELECT COUNT(*) FROM django_q_ormq").fetchone()[0]
        connection.close()
        assert status == "done", (status, log.read_text()[-3000:])
        assert plan is not None
        assert orm_queue == 0  # the message went through Redis, not the database broker
    finally:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait(timeout=10)
