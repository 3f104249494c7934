"""API and background benchmark on the M demo centre: `python -m bench.api [--size M] [--keep DIR]`.

Builds a fresh SQLite file database (never touches var/db.sqlite3), seeds the demo, plans the week, and
measures: reading a week's plan for a site, "where could this talk go", enqueue-to-running with the ORM
broker on a real `qcluster`, and how often progress moves during a run. Prints a Markdown table.
"""
import argparse
import os
import platform
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _ms(values: list[float]) -> str:
    values = sorted(values)
    p95 = values[min(len(values) - 1, int(round(0.95 * (len(values) - 1))))]
    return f"median {statistics.median(values) * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms, max {values[-1] * 1000:.1f} ms"


def main() -> None:  # one linear script
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", default="M")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--plan-seconds", type=int, default=20)
    parser.add_argument("--keep", help="directory for the database (default: a temporary one)")
    args = parser.parse_args()
    workdir = Path(args.keep or tempfile.mkdtemp(prefix="ugeskema-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    db = workdir / "bench.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    os.environ["SQLITE_PATH"] = str(db)
    os.environ.pop("DATABASE_URL", None)
    os.environ.pop("REDIS_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.test import Client

    from api.auth import api_token_create
    from rooms.models import Site
    from scheduler.availability import coming_week_start
    from scheduler.models import Citizen, Plan
    from scheduler.planning.services import plan_create_draft
    from scheduler.weeks import iso_week_label

    rows: list[tuple[str, str, str]] = []
    call_command("migrate", verbosity=0)
    week_start = coming_week_start()
    call_command("seed_demo", size=args.size, seed=args.seed, verbosity=0)
    sites = list(Site.objects.order_by("pk"))
    t0 = time.perf_counter()
    plan = plan_create_draft(week_start=week_start, site_ids=[s.pk for s in sites], time_limit=args.plan_seconds)
    rows.append(("plan the week (setup, all sites)", f"{time.perf_counter() - t0:.1f} s",
                 f"{plan.appointments.count()} appointments, {plan.unplaced.count()} unplaced"))
    admin = get_user_model().objects.filter(is_superuser=True).first()
    token = api_token_create(user=admin, name="bench")[1]
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    week = iso_week_label(week_start)

    site = sites[0]
    url = f"/api/plans?week={week}&site={site.code}"
    first = client.get(url)
    appointments = len(first.json()["appointments"])
    timings = []
    for _ in range(50):
        t = time.perf_counter()
        assert client.get(url).status_code == 200
        timings.append(time.perf_counter() - t)
    rows.append((f"GET /api/plans?week&site ({appointments} appointments)", _ms(timings), "target: median ≤ 50 ms"))

    citizens = list(Citizen.objects.filter(appointments__plan=plan).distinct().order_by("pk")[:30])
    timings = []
    for citizen in citizens:
        t = time.perf_counter()
        response = client.get(f"/api/plans/{plan.pk}/options?citizen={citizen.pk}&kind=talk&duration=60")
        timings.append(time.perf_counter() - t)
        assert response.status_code == 200, response.content
    rows.append((f"GET /api/plans/{{id}}/options ({len(citizens)} citizens)", _ms(timings), "target: ≤ 300 ms"))

    # The first options call after each change to the plan (a new lock version): here a cancel, as a
    # coordinator clearing a slot and then asking where the next talk could go.
    cancellable = list(plan.appointments.filter(status="planned", kind="talk").order_by("pk")[:10])
    timings = []
    for appointment, citizen in zip(cancellable, citizens, strict=False):
        version = Plan.objects.get(pk=plan.pk).lock_version
        cancelled = client.post(f"/api/plans/{plan.pk}/appointments/{appointment.pk}/cancel",
                                {"version": version}, content_type="application/json")
        assert cancelled.status_code == 200, cancelled.content
        t = time.perf_counter()
        response = client.get(f"/api/plans/{plan.pk}/options?citizen={citizen.pk}&kind=talk&duration=60")
        timings.append(time.perf_counter() - t)
        assert response.status_code == 200, response.content
    rows.append((f"first options call after a change ({len(timings)} cancels)", _ms(timings),
                 "target: ≤ 300 ms"))

    # A real worker on the same file database.
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "Q_WORKERS": "1"}
    log = (workdir / "qcluster.log").open("w")
    worker = subprocess.Popen([sys.executable, "manage.py", "qcluster"], cwd=ROOT, env=env, stdout=log,
                              stderr=subprocess.STDOUT)
    try:
        time.sleep(3)
        latencies, gaps, durations = [], [], []
        for attempt, run_site in enumerate(sites[:3]):
            Plan.objects.filter(status="draft").delete()  # a draft of all sites would block a one-site run
            t = time.perf_counter()
            response = client.post("/api/plans/runs", {"week": week, "sites": [run_site.code], "time_limit": 8},
                                   content_type="application/json")
            assert response.status_code == 202, response.content
            run_id = response.json()["id"]
            con = sqlite3.connect(db, timeout=20)
            seen_running = None
            beats: list[float] = []
            last_beat = None
            status = "queued"
            while status not in {"done", "failed", "cancelled"} and time.perf_counter() - t < 120:
                status, heartbeat = con.execute(
                    "SELECT status, heartbeat_at FROM scheduler_solverun WHERE id=?", (run_id,)).fetchone()
                now = time.perf_counter()
                if status == "running" and seen_running is None:
                    seen_running = now
                if status == "running" and heartbeat != last_beat:
                    beats.append(now)
                    last_beat = heartbeat
                time.sleep(0.05)
            con.close()
            assert status == "done", (attempt, status)
            latencies.append(seen_running - t)
            durations.append(time.perf_counter() - t)
            gaps += [b - a for a, b in zip(beats, beats[1:], strict=False)]
        rows.append(("enqueue → running (ORM broker, poll 0.5 s)", _ms(latencies), "target: ≤ 1 s"))
        rows.append(("progress updates during a run (gap between heartbeats)", _ms(gaps), "target: ≤ 2 s"))
        rows.append(("run with time_limit 8 s, enqueue → done", _ms(durations), "one site"))
    finally:
        worker.send_signal(signal.SIGTERM)
        t = time.perf_counter()
        worker.wait(timeout=30)
        stopped = f"{time.perf_counter() - t:.1f} s"
        rows.append(("qcluster stop after SIGTERM", stopped, f"exit code {worker.returncode}"))

    print(f"Machine: {platform.platform()}, Python {platform.python_version()}, {os.cpu_count()} CPUs")
    print(f"Command: python -m bench.api --size {args.size} --seed {args.seed}; week {week}; DB {db}\n")
    print("| measurement | result | note |\n| --- | --- | --- |")
    for row in rows:
        print(f"| {row[0]} | {row[1]} | {row[2]} |")


if __name__ == "__main__":
    main()
