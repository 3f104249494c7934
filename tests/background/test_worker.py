"""A real django-q2 worker (`manage.py qcluster`) in a subprocess, on a temporary SQLite file database.

pytest's test database is invisible to another process, so these tests copy a migrated and seeded file
database (tests/conftest.py, made once per session) for each test (SQLITE_PATH).
"""
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from scheduler.availability import coming_week_start
from scheduler.weeks import iso_week_label
from tests.seeded import sqlite_copy

ROOT = Path(__file__).resolve().parents[2]
# The week seed_demo fills by default; relative to today because the API plans only inside the planning
# window (scheduler.weeks).
WEEK_CODE = iso_week_label(coming_week_start())
pytestmark = [
    pytest.mark.skipif(bool(os.environ.get("DATABASE_URL")), reason="the worker tests use a SQLite file"),
    # Under pytest-xdist (`make test`) on one worker, so the module's seeded file is made once.
    pytest.mark.xdist_group("background-worker"),
]


def _env(db: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env.update(SQLITE_PATH=str(db), DJANGO_SETTINGS_MODULE="config.settings", PYTHONUNBUFFERED="1",
               Q_WORKERS="1", LOG_LEVEL="INFO")
    return env


def _manage(db: Path, *args: str, timeout: float = 120) -> str:
    done = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=_env(db), capture_output=True,
                          text=True, timeout=timeout, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


@pytest.fixture(scope="module")
def migrated(seeded_demo_file: Path) -> Path:
    return seeded_demo_file  # migrated and seeded once per session (tests/conftest.py)


@pytest.fixture
def database(migrated: Path, tmp_path: Path) -> Path:
    return sqlite_copy(migrated, tmp_path / "db.sqlite3")  # consistent copy, WAL included


def _start_worker(db: Path, log: Path) -> subprocess.Popen:
    worker = subprocess.Popen([sys.executable, "manage.py", "qcluster"], cwd=ROOT, env=_env(db),
                              stdout=log.open("w"), stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if "running" in log.read_text().lower() or "ready for work" in log.read_text().lower():
            return worker
        assert worker.poll() is None, log.read_text()
        time.sleep(0.2)
    worker.kill()
    raise AssertionError(f"worker did not start:\n{log.read_text()}")


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_the_worker_stops_cleanly_on_a_signal(database: Path, tmp_path: Path, sig: signal.Signals) -> None:
    log = tmp_path / "worker.log"
    worker = _start_worker(database, log)
    time.sleep(1)
    sent = time.monotonic()
    worker.send_signal(sig)
    try:
        code = worker.wait(timeout=15)
    except subprocess.TimeoutExpired:
        worker.kill()
        raise AssertionError(f"worker still running 15 s after {sig.name}:\n{log.read_text()}") from None
    assert time.monotonic() - sent < 10
    assert code == 0, log.read_text()
    assert "stopped" in log.read_text().lower()


def _api(db: Path, token: str, method: str, path: str, body: dict | None = None) -> dict:
    script = (
        "import json,sys; from django.test import Client; "
        f"c = Client(HTTP_AUTHORIZATION='Bearer {token}'); "
        f"r = c.{method}({path!r}, data={json.dumps(body or {})!r}, content_type='application/json') "
        f"if {method!r} == 'post' else c.get({path!r}); "
        "print(json.dumps({'status': r.status_code, 'body': r.json()}))"
    )
    return json.loads(_manage(db, "shell", "-c", script).strip().splitlines()[-1])


def test_a_run_enqueued_through_the_api_completes_on_a_real_worker(database: Path, tmp_path: Path) -> None:
    token = _manage(database, "api_token", "--user", "koordinator").strip()
    log = tmp_path / "worker.log"
    worker = _start_worker(database, log)
    try:
        started = _api(database, token, "post", "/api/plans/runs",
                       {"week": WEEK_CODE, "sites": ["vejle"], "time_limit": 4})
        assert started["status"] == 202, started
        run_id = started["body"]["id"]
        observed: list[tuple[float, str, float, str | None]] = []
        connection = sqlite3.connect(database, timeout=20)
        deadline = time.monotonic() + 90
        status = "queued"
        while status not in {"done", "failed", "cancelled"} and time.monotonic() < deadline:
            row = connection.execute(
                "SELECT status, progress, heartbeat_at FROM scheduler_solverun WHERE id = ?", (run_id,)).fetchone()
            status = row[0]
            observed.append((time.monotonic(), row[0], row[1], row[2]))
            time.sleep(0.1)
        connection.close()
        assert status == "done", (status, log.read_text()[-3000:])
        final = _api(database, token, "get", f"/api/plans/runs/{run_id}")["body"]
        assert final["plan_id"] and final["progress"] == 1.0
        first_running = next(t for t, s, _p, _h in observed if s == "running")
        assert first_running - observed[0][0] < 5  # picked up promptly (poll 0.5 s)
        beats = sorted({h for _t, s, _p, h in observed if s == "running" and h})
        assert len(beats) >= 2  # progress moved while the solver ran
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=20)


def test_a_killed_worker_leaves_earlier_plans_untouched_and_the_sweep_fails_its_run(
    database: Path, tmp_path: Path
) -> None:
    token = _manage(database, "api_token", "--user", "koordinator").strip()
    _manage(database, "plan_week", "--week", WEEK_CODE, "--site", "vejle", "--time-limit", "2")
    connection = sqlite3.connect(database, timeout=20)
    draft = connection.execute(
        "SELECT p.id, COUNT(a.id) FROM scheduler_plan p JOIN scheduler_appointment a ON a.plan_id = p.id "
        "WHERE p.status = 'draft' GROUP BY p.id").fetchone()
    assert draft and draft[1] > 0
    log = tmp_path / "worker.log"
    worker = _start_worker(database, log)
    started = _api(database, token, "post", "/api/plans/runs",
                   {"week": WEEK_CODE, "sites": ["vejle"], "time_limit": 60})
    run_id = started["body"]["id"]
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        status = connection.execute("SELECT status FROM scheduler_solverun WHERE id=?", (run_id,)).fetchone()[0]
        if status == "running":
            break
        time.sleep(0.02)
    # Kill at once: the small demo week can be solved to optimality in about a second, so waiting longer
    # would race the run to "done". Right after the claim the worker is building or solving the week.
    # The whole cluster dies at once (sentinel, workers, pusher): a machine losing power.
    os.killpg(worker.pid, signal.SIGKILL)
    worker.wait(timeout=10)
    time.sleep(0.5)
    status = connection.execute("SELECT status FROM scheduler_solverun WHERE id=?", (run_id,)).fetchone()[0]
    assert status == "running"
    after = connection.execute("SELECT COUNT(*) FROM scheduler_appointment WHERE plan_id=?", (draft[0],)).fetchone()
    assert after[0] == draft[1]  # the previous draft is intact
    connection.close()
    swept = _manage(database, "shell", "-c",
                    "from datetime import timedelta; from scheduler.planning.runs import solve_runs_sweep; "
                    "print(solve_runs_sweep(stale_after=timedelta(seconds=0)))")
    assert swept.strip().splitlines()[-1] == "1"
    final = _api(database, token, "get", f"/api/plans/runs/{run_id}")["body"]
    assert final["status"] == "failed" and "urørte" in final["message"]


@pytest.mark.parametrize("stop", ["SIGTERM to the command", "Ctrl+C to the terminal's process group"])
def test_run_all_serves_with_gunicorn_and_stops_everything(stop: str, database: Path, tmp_path: Path) -> None:
    log = tmp_path / "run_all.log"
    port = _free_port()
    server = subprocess.Popen([sys.executable, "manage.py", "run_all", "--port", str(port)], cwd=ROOT,
                              env=_env(database), stdout=log.open("w"), stderr=subprocess.STDOUT,
                              start_new_session=True)  # its own group, as a terminal's foreground job
    pids: list[int] = []
    try:
        deadline = time.monotonic() + 30
        while not ("ready for work" in log.read_text().lower() and "Booting worker" in log.read_text()):
            assert server.poll() is None and time.monotonic() < deadline, log.read_text()
            time.sleep(0.2)
        # The demo serves the way production does: gunicorn, the app's own CSS included.
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/static/css/coordinator.css", timeout=10) as answer:
            assert answer.status == 200 and answer.headers["Server"] == "gunicorn" and answer.read()
        secret = "Zk3" * 15  # shaped like a feed secret: gunicorn's access log must not keep it
        with pytest.raises(urllib.error.HTTPError):
            urllib.request.urlopen(f"http://127.0.0.1:{port}/kalender/{secret}.ics", timeout=10)
        children = _children(server.pid)  # gunicorn's master and the qcluster
        pids = children + [pid for child in children for pid in _children(child)]  # and their workers
        assert len(children) == 2 and len(pids) > 3, log.read_text()
        if stop.startswith("SIGTERM"):
            server.send_signal(signal.SIGTERM)
        else:
            os.killpg(server.pid, signal.SIGINT)
        assert server.wait(timeout=40) == 0, log.read_text()
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and any(_alive(pid) for pid in pids):
            time.sleep(0.1)
        assert not any(_alive(pid) for pid in pids)  # neither server nor worker is left behind
        assert "has stopped" in log.read_text() and "Shutting down: Master" in log.read_text()
        assert "GET /kalender/[skjult].ics" in log.read_text() and secret not in log.read_text()
    finally:
        for pid in [server.pid, *pids]:  # only when the test failed: leave nothing running
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)
        server.wait(timeout=10)


def _children(pid: int) -> list[int]:
    found = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True, check=False)
    return [int(child) for child in found.stdout.split()]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _alive(pid: int) -> bool:
    """Running (a zombie waiting for its parent to reap it counts as gone)."""
    stat = Path(f"/proc/{pid}/stat")
    try:
        return stat.read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (FileNotFoundError, IndexError):
        return False
