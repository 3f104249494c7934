"""Bounded loopback load on the production server: `python -m bench.load [--workers N --threads N]`.

Builds its own PostgreSQL database (dropped at the end unless --keep), seeds a demo centre (M), plans and
publishes the coming week, issues a secret feed link for every consultant and citizen with an appointment
and a bearer token for the demo coordinator, warms the links' feed answers as the worker does after a
publication (--no-prewarm: not), starts gunicorn (config.webserver, the command `run_all` uses) with
Redis as the shared cache (and so the response cache, docs/deploy.md), waits until every worker has
imported its views, and measures from this machine only (127.0.0.1):

1. feed requests (`GET /kalender/<secret>.ics`), a new TCP connection each, as calendar apps poll;
2. plan reads (`GET /api/plans?week=…&site=…` with the bearer token);
3. the number of connections to the database (pg_stat_activity), sampled every 20 ms during both.

Every phase is bounded: a fixed number of requests, a fixed number in flight, a per-request timeout.
Prints a Markdown table (docs/benchmarks.md). Targets (issue 10): 0 errors and p99 ≤ 1 s in both phases,
peak connections ≤ WEB_WORKERS × WEB_THREADS.
"""
import argparse
import asyncio
import math
import os
import platform
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Phase:
    name: str
    requests: int
    concurrency: int
    latencies: list[float] = field(default_factory=list)
    errors: Counter = field(default_factory=Counter)
    statuses: Counter = field(default_factory=Counter)
    wall: float = 0.0
    peak_connections: int = 0
    load_before: tuple[float, float, float] = (0.0, 0.0, 0.0)
    load_after: tuple[float, float, float] = (0.0, 0.0, 0.0)
    client_cpu: float = 0.0
    server_cpu: float = 0.0
    machine_busy: float = 0.0


def percentile(values: list[float], fraction: float) -> float:
    """Nearest rank: the smallest value with at least `fraction` of the values at or below it."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


async def fetch(port: int, path: str, headers: dict[str, str], timeout: float) -> tuple[int | None, str]:
    """One GET on a fresh connection (HTTP/1.1, Connection: close); the status, or None and the error."""
    writer = None
    try:
        async with asyncio.timeout(timeout):
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            head = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
            writer.write(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n{head}\r\n".encode())
            status_line = await reader.readline()
            await reader.read()  # the whole answer: the server closes after it
        return int(status_line.split()[1]), ""
    except (OSError, TimeoutError, ValueError, IndexError) as error:
        return None, type(error).__name__
    finally:
        if writer is not None:
            writer.close()


async def run_phase(phase: Phase, port: int, paths: list[str], headers: dict[str, str], timeout: float) -> None:
    """`phase.requests` GETs, at most `phase.concurrency` in flight; paths are taken round robin."""
    counter = iter(range(phase.requests))

    async def client() -> None:
        for n in counter:
            started = time.perf_counter()
            status, error = await fetch(port, paths[n % len(paths)], headers, timeout)
            phase.latencies.append(time.perf_counter() - started)
            phase.statuses[status] += 1
            if status != 200:
                phase.errors[error or f"HTTP {status}"] += 1

    phase.load_before = os.getloadavg()
    started, cpu = time.perf_counter(), time.process_time()
    await asyncio.gather(*(client() for _ in range(phase.concurrency)))
    phase.wall = time.perf_counter() - started
    phase.client_cpu = time.process_time() - cpu
    phase.load_after = os.getloadavg()


class ConnectionSampler(threading.Thread):
    """Counts the database's connections every 20 ms from a connection to another database."""

    def __init__(self, admin_url: str, database: str) -> None:
        super().__init__(daemon=True)
        self.admin_url, self.database = admin_url, database
        self.peak = 0
        self.current = 0
        self.stopped = threading.Event()

    def run(self) -> None:
        import psycopg

        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            while not self.stopped.wait(0.02):
                self.current = conn.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = %s",
                                            (self.database,)).fetchone()[0]
                self.peak = max(self.peak, self.current)

    def reset_peak(self) -> None:
        self.peak = self.current


def machine_busy_seconds() -> float:
    """CPU seconds all processes on the machine have used (every core), from /proc/stat."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = fields[:8]
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def server_cpu_seconds(server: subprocess.Popen) -> float:
    """User + system CPU of gunicorn's master and workers so far."""
    import psutil

    master = psutil.Process(server.pid)
    total = 0.0
    for process in [master, *master.children(recursive=True)]:
        try:
            times = process.cpu_times()
            total += times.user + times.system
        except psutil.NoSuchProcess:
            continue
    return total


def create_database(admin_url: str, database: str) -> None:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{database}"')


def drop_database(admin_url: str, database: str) -> None:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


def prepare(*, size: str, plan_seconds: int, build: bool, prewarm: bool) -> tuple[list[str], str, list[str], str, str]:
    """Demo centre with a planned and published week (unless reusing a kept database); feed links for
    everyone with an appointment that week and a coordinator's bearer token (secrets are never stored,
    so they are issued anew on every run). With `prewarm`, the links' answers are built as the worker's
    task does after a publication (in production the links exist before the week is published)."""
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connections

    from api.auth import api_token_create
    from rooms.models import Site
    from scheduler.availability import coming_week_start
    from scheduler.models import Citizen, Consultant
    from scheduler.publishing.tokens import feed_token_issue
    from scheduler.weeks import iso_week_label

    if build:
        quiet = open(os.devnull, "w")  # closed with the process
        call_command("migrate", verbosity=0)
        call_command("seed_demo", size=size, seed=1, verbosity=0, stdout=quiet)
        call_command("plan_week", time_limit=plan_seconds, workers=2, verbosity=0, stdout=quiet)
        call_command("publish_week", verbosity=0, stdout=quiet)
    week_start = coming_week_start()
    owners = [*Consultant.objects.filter(appointments__plan__week_start=week_start).distinct().order_by("pk"),
              *Citizen.objects.filter(appointments__plan__week_start=week_start).distinct().order_by("pk")]
    links = [feed_token_issue(owner=owner) for owner in owners]
    feeds = [f"/kalender/{link.feed_secret}.ics" for link in links]
    token = api_token_create(user=get_user_model().objects.get(username="koordinator"), name="load benchmark")[1]
    week = iso_week_label(week_start)
    codes = Site.objects.order_by("pk").values_list("code", flat=True)
    plan_reads = [f"/api/plans?week={week}&site={code}" for code in codes]
    warmed = "off"
    if prewarm:
        from scheduler.publishing.feed_cache import feed_prewarm

        started = time.perf_counter()
        count = feed_prewarm(link.feed_token.token_hash for link in links)
        warmed = f"{count} feeds in {time.perf_counter() - started:.1f} s"
    connections.close_all()  # from here on the server's connections are the only ones counted
    return feeds, token, plan_reads, week, warmed


def start_server(port: int, env: dict[str, str], log: Path) -> subprocess.Popen:
    from config.webserver import gunicorn_command

    server = subprocess.Popen(gunicorn_command(bind=f"127.0.0.1:{port}"), cwd=ROOT, env=env,
                              stdout=log.open("w"), stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.monotonic() + 60
    workers = int(env["WEB_WORKERS"])
    # Ready once every worker has imported its views (config.gunicorn_conf.post_worker_init).
    while log.read_text().count("Worker ready") < workers:
        if server.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError("gunicorn did not start:\n" + log.read_text()[-3000:])
        time.sleep(0.1)
    return server


def stop_server(server: subprocess.Popen) -> None:
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=10)


def report(phases: list[Phase], args: argparse.Namespace, bound: int, extra: dict[str, str]) -> str:
    lines = [
        f"Machine: {platform.platform()}, {os.cpu_count()} CPUs, Python {platform.python_version()}; "
        f"gunicorn gthread {args.workers} × {args.threads}, backlog {args.backlog}, keep-alive {args.keepalive} s, "
        f"DATABASE_CONN_MAX_AGE {args.conn_max_age}; " + "; ".join(f"{k} {v}" for k, v in extra.items()),
        "",
        "| phase | requests | in flight | errors | p50 | p90 | p99 | max | req/s | server CPU ms/req | client CPU s "
        "| rest of the machine CPU s (cores × wall) | peak DB connections (bound) | load before → after |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for p in phases:
        errors = sum(p.errors.values())
        detail = f" ({', '.join(f'{k}: {v}' for k, v in p.errors.most_common())})" if errors else ""
        ms = [percentile(p.latencies, f) * 1000 for f in (0.5, 0.9, 0.99, 1.0)]
        lines.append(
            f"| {p.name} | {p.requests} | {p.concurrency} | {errors}{detail} | "
            + " | ".join(f"{v:.0f} ms" for v in ms)
            + f" | {p.requests / p.wall:.0f} | {p.server_cpu / p.requests * 1000:.1f} | {p.client_cpu:.1f} "
            f"| {p.machine_busy - p.server_cpu - p.client_cpu:.0f} ({os.cpu_count() * p.wall:.0f}) "
            f"| {p.peak_connections} ({bound}) | "
            f"{p.load_before[0]:.2f} → {p.load_after[0]:.2f} |"
        )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="M", choices=["S", "M", "L"])
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432",
                        help="server URL without a database name (the bench creates and drops its own)")
    parser.add_argument("--database", default="ugeskema_load")
    parser.add_argument("--redis", default=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/14"),
                        help="Redis for the shared cache (default REDIS_URL, else database 14)")
    parser.add_argument("--port", type=int, default=8130)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--backlog", type=int, default=2048)
    parser.add_argument("--keepalive", type=int, default=5)
    parser.add_argument("--conn-max-age", type=int, default=60)
    parser.add_argument("--feeds", type=int, default=2000)
    parser.add_argument("--feed-concurrency", type=int, default=200)
    parser.add_argument("--reads", type=int, default=500)
    parser.add_argument("--read-concurrency", type=int, default=50)
    parser.add_argument("--timeout", type=float, default=30.0, help="per request, seconds")
    parser.add_argument("--plan-seconds", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=1, help="repeat both phases on the same server")
    parser.add_argument("--keep", action="store_true", help="keep the database (and reuse it with --reuse)")
    parser.add_argument("--reuse", action="store_true", help="skip creating and seeding: use a kept database")
    parser.add_argument("--no-prewarm", action="store_true",
                        help="do not warm the feed answers first (round 1 then renders every feed: a cold start)")
    args = parser.parse_args()
    if not 1 <= args.feed_concurrency <= 500 or not 1 <= args.read_concurrency <= 500:
        parser.error("concurrency is bounded to 1..500")

    admin_url = f"{args.postgres}/postgres"
    database_url = f"{args.postgres}/{args.database}"
    env = {k: v for k, v in os.environ.items() if k not in {"SQLITE_PATH", "PRODUCTION"}}
    env.update(
        DATABASE_URL=database_url, REDIS_URL=args.redis, DJANGO_SETTINGS_MODULE="config.settings",
        WEB_WORKERS=str(args.workers), WEB_THREADS=str(args.threads), WEB_BACKLOG=str(args.backlog),
        WEB_KEEPALIVE=str(args.keepalive), DATABASE_CONN_MAX_AGE=str(args.conn_max_age),
        SITE_URL=f"http://127.0.0.1:{args.port}", LOG_LEVEL="WARNING", PLANNER_NUM_WORKERS="2",
    )
    os.environ.update(env)
    if not args.reuse:
        create_database(admin_url, args.database)
    started = time.perf_counter()
    feeds, token, plan_reads, week, warmed = prepare(size=args.size, plan_seconds=args.plan_seconds,
                                                     build=not args.reuse, prewarm=not args.no_prewarm)
    extra = {"demo": f"{args.size} week {week}", "feeds": f"{len(feeds)} people", "prewarm": warmed,
             "setup": f"{time.perf_counter() - started:.0f} s"}

    log = ROOT / "var" / "bench_load_gunicorn.log"
    log.parent.mkdir(exist_ok=True)
    sampler = ConnectionSampler(admin_url, args.database)
    sampler.start()
    server = start_server(args.port, env, log)
    phases: list[Phase] = []
    try:
        for round_number in range(1, args.rounds + 1):
            suffix = f" (round {round_number})" if args.rounds > 1 else ""
            for phase, paths, headers in (
                (Phase(f"feeds{suffix}", args.feeds, args.feed_concurrency), feeds, {}),
                (Phase(f"plan reads{suffix}", args.reads, args.read_concurrency), plan_reads,
                 {"Authorization": f"Bearer {token}"}),
            ):
                sampler.reset_peak()
                cpu, busy = server_cpu_seconds(server), machine_busy_seconds()
                asyncio.run(run_phase(phase, args.port, paths, headers, args.timeout))
                phase.server_cpu = server_cpu_seconds(server) - cpu
                phase.machine_busy = machine_busy_seconds() - busy
                phase.peak_connections = sampler.peak
                phases.append(phase)
    finally:
        stop_server(server)
        sampler.stopped.set()
        sampler.join(timeout=5)
        if not args.keep:
            drop_database(admin_url, args.database)
    bound = args.workers * args.threads
    print(report(phases, args, bound, extra))
    print(f"\nCommand: python -m bench.load {' '.join(sys.argv[1:])}")
    met = all(not p.errors and percentile(p.latencies, 0.99) <= 1.0 and p.peak_connections <= bound for p in phases)
    print("Targets (0 errors, p99 ≤ 1 s, peak ≤ bound): " + ("met" if met else "MISSED"))
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
