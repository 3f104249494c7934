"""Publishing benchmark: feed latency, 304s, concurrent subscribers, batch PDF.

    python -m bench.publishing [--requests 200] [--subscribers 200] [--citizens 300] [--site-feed-events 218]
    python -m bench.publishing --only-site-feed   # the realistic site feed case alone

Runs on its own SQLite file (var/bench_publishing.sqlite3, rebuilt each run) with the embedded
default settings. Feed timings use Django's test client in-process (server time, no network); the
concurrency test starts a real `runserver` on 127.0.0.1 and fires all subscribers at once.
"""
import argparse
import os
import platform
import socket
import statistics
import subprocess
import sys
import threading
import time
import tracemalloc
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from pathlib import Path

BASE = Path(__file__).resolve().parent.parent
DB = BASE / "var" / "bench_publishing.sqlite3"


def _setup_django() -> None:
    os.environ["SQLITE_PATH"] = str(DB)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    for suffix in ("", "-wal", "-shm"):
        Path(f"{DB}{suffix}").unlink(missing_ok=True)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _build(citizens: int, feed_events: int) -> dict:
    """A site with `citizens` citizens (3 appointments each in the printed week) and one consultant
    holding `feed_events` appointments inside the feed window."""
    from decimal import Decimal

    from django.utils import timezone

    from activities.models import ActivityKind, InterventionModel, StaffType, TargetGroup
    from rooms.models import Room, Site
    from scheduler.models import Appointment, Citizen, Consultant, Enrolment, Plan, PlanStatus

    site = Site.objects.create(
        code="bench", name="Center Bench", street="Dæmningen 1", postcode="7100", city="Vejle",
        latitude=55.7, longitude=9.5,
    )
    rooms = [Room.objects.create(site=site, name=f"Lokale {i}", capacity=4) for i in range(1, 9)]
    social = StaffType.objects.get(code="social")
    consultants = []
    for i in range(20):
        c = Consultant.objects.create(
            reference=f"k{i:03d}", name=f"Konsulent {i}", phone="20 30 40 50", home_site=site,
            hours_per_week=Decimal("37"),
        )
        c.sites.add(site)
        c.staff_types.add(social)
        consultants.append(c)
    people = Citizen.objects.bulk_create(
        Citizen(reference=f"b{i:04d}", first_name=f"Fornavn{i}", last_name=f"Efternavn{i % 97}", site=site)
        for i in range(citizens)
    )
    model = InterventionModel.objects.filter(builtin=True).first()
    group = TargetGroup.objects.get(code="sygedagpenge")
    today = timezone.localdate()
    Enrolment.objects.bulk_create(
        Enrolment(
            citizen=p, intervention_model=model, target_group=group, referring_jobcentre="Jobcenter",
            start_date=today - timedelta(weeks=4), target_weeks=13, contact_consultant=consultants[i % 20],
        )
        for i, p in enumerate(people)
    )
    monday = today - timedelta(days=today.weekday()) + timedelta(weeks=1)
    tz = timezone.get_current_timezone()

    def slot(day, hour: int, minute: int = 0) -> datetime:  # noqa: ANN001
        return datetime(day.year, day.month, day.day, hour, minute, tzinfo=tz)

    plans: dict = {}

    def plan_for(day) -> Plan:  # noqa: ANN001
        week = day - timedelta(days=day.weekday())
        if week not in plans:
            plan = Plan.objects.create(week_start=week, status=PlanStatus.PUBLISHED, version=1,
                                       published_at=timezone.now())
            plan.sites.add(site)
            plans[week] = plan
        return plans[week]

    rows, links = [], []
    # The printed week: three appointments per citizen with 19 consultants.
    for i, p in enumerate(people):
        for k in range(3):
            day = monday + timedelta(days=(i + k) % 5)
            start = slot(day, 8 + (i // 5 + k * 3) % 8)
            rows.append((Appointment(
                plan=plan_for(day), task_key=f"t{i}-{k}", kind=ActivityKind.TALK, start=start,
                end=start + timedelta(minutes=45), site=site, room=rooms[(i + k) % 8],
            ), consultants[1 + (i + k) % 19], p))
    # The measured consultant: feed_events appointments spread over the window (4 back, 12 ahead).
    first = today - timedelta(weeks=4) + timedelta(days=1)
    days = [first + timedelta(days=d) for d in range(16 * 7 - 2) if (first + timedelta(days=d)).weekday() < 5]
    for n in range(feed_events):
        day = days[n % len(days)]
        start = slot(day, 8 + (n // len(days)) * 2)
        rows.append((Appointment(
            plan=plan_for(day), task_key=f"f{n}", kind=ActivityKind.TALK, start=start,
            end=start + timedelta(minutes=60), site=site, room=rooms[0],
        ), consultants[0], people[n % len(people)]))
    created = Appointment.objects.bulk_create([r[0] for r in rows])
    C = Appointment.consultants.through
    P = Appointment.citizens.through
    C.objects.bulk_create(C(appointment_id=a.pk, consultant_id=r[1].pk) for a, r in zip(created, rows, strict=True))
    P.objects.bulk_create(P(appointment_id=a.pk, citizen_id=r[2].pk) for a, r in zip(created, rows, strict=True))
    links.extend(rows)
    return {"site": site, "consultants": consultants, "citizens": people, "monday": monday}


def _build_site_feed(events: int) -> object:
    """A second site shaped like the M demo's largest: `events` appointments in the feed window, one in three a
    group session of 8-11 citizens, the rest talks and visits (some off-site), 12 consultants, 160 citizens.
    Returns the site."""
    import random
    from decimal import Decimal

    from django.utils import timezone

    from activities.models import ActivityKind
    from rooms.models import Room, Site
    from scheduler.models import Appointment, Citizen, Consultant, Plan, PlanStatus

    rng = random.Random(7)
    site = Site.objects.create(code="bench-m", name="Center Bench M", street="Vestre Ringvej 1", postcode="7000",
                               city="Fredericia", latitude=55.56, longitude=9.75)
    rooms = [Room.objects.create(site=site, name=f"Rum {i}", capacity=12) for i in range(1, 7)]
    consultants = [Consultant.objects.create(reference=f"m{i:03d}", name=f"Konsulent M{i}", home_site=site,
                                             hours_per_week=Decimal("37")) for i in range(12)]
    people = Citizen.objects.bulk_create(
        Citizen(reference=f"m{i:04d}", first_name=f"Borger{i}", last_name=f"Efternavn{i % 41}", site=site)
        for i in range(160))
    today = timezone.localdate()
    tz = timezone.get_current_timezone()
    first = today - timedelta(weeks=4) + timedelta(days=1)
    days = [first + timedelta(days=d) for d in range(16 * 7 - 2) if (first + timedelta(days=d)).weekday() < 5]
    plans: dict = {}
    rows = []
    for n in range(events):
        day = days[n % len(days)]
        week = day - timedelta(days=day.weekday())
        if week not in plans:
            plans[week] = Plan.objects.create(week_start=week, status=PlanStatus.PUBLISHED, version=1,
                                              published_at=timezone.now())
            plans[week].sites.add(site)
        start = datetime(day.year, day.month, day.day, 8 + (n // len(days)) * 2, tzinfo=tz)
        if n % 3 == 0:
            a = Appointment(plan=plans[week], task_key=f"g{n}", kind=ActivityKind.GROUP_SESSION, start=start,
                            end=start + timedelta(minutes=120), site=site, room=rooms[n % 6])
            who = rng.sample(people, rng.randint(8, 11))
        elif n % 7 == 1:
            a = Appointment(plan=plans[week], task_key=f"v{n}", kind=ActivityKind.ASSESSMENT, start=start,
                            end=start + timedelta(minutes=60), site=site, place="home")
            who = [rng.choice(people)]
        else:
            a = Appointment(plan=plans[week], task_key=f"t{n}", kind=ActivityKind.TALK, start=start,
                            end=start + timedelta(minutes=45), site=site, room=rooms[n % 6])
            who = [rng.choice(people)]
        rows.append((a, consultants[n % 12], who))
    created = Appointment.objects.bulk_create([r[0] for r in rows])
    C = Appointment.consultants.through
    P = Appointment.citizens.through
    C.objects.bulk_create(C(appointment_id=a.pk, consultant_id=r[1].pk) for a, r in zip(created, rows, strict=True))
    P.objects.bulk_create(P(appointment_id=a.pk, citizen_id=z.pk) for a, r in zip(created, rows, strict=True)
                          for z in r[2])
    return site


def _site_feed_case(events: int, requests: int) -> None:
    """The realistic site feed ("alle aftaler" of the M demo's largest site): cold render, warm 200, 304."""
    from django.core.cache import cache
    from django.test import Client

    from scheduler.publishing import feeds
    from scheduler.publishing.tokens import feed_token_issue

    site = _build_site_feed(events)
    link = feed_token_issue(owner=site)
    state = feeds.feed_state(link.feed_token)
    cold = []
    for _ in range(20):
        cache.clear()
        feeds._event_ical.cache_clear()
        t = time.perf_counter()
        feeds.feed_render(link.feed_token)
        cold.append(time.perf_counter() - t)
    client = Client()
    url = f"/kalender/{link.feed_secret}.ics"
    first = client.get(url)
    warm, not_modified, gz = [], [], []
    for _ in range(requests):
        t = time.perf_counter()
        assert client.get(url).status_code == 200
        warm.append(time.perf_counter() - t)
        t = time.perf_counter()
        assert client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
        not_modified.append(time.perf_counter() - t)
        t = time.perf_counter()
        packed = client.get(url, HTTP_ACCEPT_ENCODING="gzip")
        gz.append(time.perf_counter() - t)
    print(f"Site feed ({state.count} events, group sessions of 8-11): body {len(first.content) // 1024} KB, "
          f"gzip {len(packed.content) // 1024} KB")
    print(f"  cold render (20 runs): median {statistics.median(cold) * 1000:.1f} ms, max {max(cold) * 1000:.1f} ms")
    print(f"  200 warm ({requests}): median {statistics.median(warm) * 1000:.1f} ms; gzip 200 median "
          f"{statistics.median(gz) * 1000:.1f} ms; 304 median {statistics.median(not_modified) * 1000:.1f} ms")


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _concurrent(urls: list[str], port: int) -> dict:
    env = dict(os.environ, SQLITE_PATH=str(DB), LOG_LEVEL="WARNING")
    server = subprocess.Popen(
        [sys.executable, "-m", "bench.publishing", "--serve", str(port)],
        cwd=BASE, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    break
            except OSError:
                time.sleep(0.2)
        barrier = threading.Barrier(len(urls))
        results: list[tuple[int, float]] = []
        lock = threading.Lock()

        def fetch(url: str) -> None:
            barrier.wait()
            t0 = time.perf_counter()
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}{url}", timeout=60) as response:
                    response.read()
                    status = response.status
            except urllib.error.HTTPError as error:
                status = error.code
            except OSError:
                status = -1
            with lock:
                results.append((status, time.perf_counter() - t0))

        t0 = time.perf_counter()
        with ThreadPoolExecutor(max_workers=len(urls)) as pool:
            list(pool.map(fetch, urls))
        wall = time.perf_counter() - t0
    finally:
        server.terminate()
        server.wait(timeout=15)
    latencies = [r[1] for r in results]
    return {
        "ok": sum(1 for r in results if r[0] == 200),
        "errors": sum(1 for r in results if r[0] != 200),
        "wall_s": wall,
        "median_ms": statistics.median(latencies) * 1000,
        "max_ms": max(latencies) * 1000,
    }


def _serve(port: int) -> None:
    """Django's threaded WSGI server (what runserver uses) with a listen backlog of 256: runserver's
    backlog of 10 drops connections when hundreds arrive in the same instant. Production servers
    (gunicorn, uwsgi) default to 2048."""
    os.environ["SQLITE_PATH"] = str(DB)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.servers.basehttp import WSGIRequestHandler, WSGIServer, run
    from django.core.wsgi import get_wsgi_application

    class Server(WSGIServer):  # run() adds the ThreadingMixIn
        request_queue_size = 256

    class QuietHandler(WSGIRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    import django.core.servers.basehttp as basehttp

    basehttp.WSGIRequestHandler = QuietHandler
    run("127.0.0.1", port, get_wsgi_application(), threading=True, server_cls=Server)


def _machine() -> str:
    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import psutil

    mem = psutil.virtual_memory().total / 2**30
    return f"{os.cpu_count()} CPUs ({cpu}), {mem:.1f} GiB RAM, Python {platform.python_version()}, SQLite"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--subscribers", type=int, default=200)
    parser.add_argument("--citizens", type=int, default=300)
    parser.add_argument("--events", type=int, default=200)
    parser.add_argument("--site-feed-events", type=int, default=218,
                        help="events of the realistic site feed case")
    parser.add_argument("--only-site-feed", action="store_true", help="run only the realistic site feed case")
    parser.add_argument("--serve", type=int, metavar="PORT", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        _serve(args.serve)
        return

    _setup_django()
    if args.only_site_feed:
        print(f"Machine: {_machine()}")
        _site_feed_case(args.site_feed_events, args.requests)
        return
    import psutil
    from django.test import Client

    from scheduler.publishing.feeds import feed_state
    from scheduler.publishing.pdf import site_week_pdf
    from scheduler.publishing.tokens import feed_token_issue

    t0 = time.perf_counter()
    data = _build(args.citizens, args.events)
    print(f"Machine: {_machine()}")
    print(f"Data built in {time.perf_counter() - t0:.1f} s")

    link = feed_token_issue(owner=data["consultants"][0])
    state = feed_state(link.feed_token)
    print(f"Consultant feed: {state.count} events in its window")
    from django.core.cache import cache

    from scheduler.publishing import feeds

    cold = []
    for _ in range(20):
        cache.clear()
        feeds._event_ical.cache_clear()
        t = time.perf_counter()
        feeds.feed_render(link.feed_token)
        cold.append(time.perf_counter() - t)
    print(
        f"Feed render with empty caches (first request after a change, 20 runs): "
        f"median {statistics.median(cold) * 1000:.1f} ms, max {max(cold) * 1000:.1f} ms"
    )
    cache.clear()
    client = Client()
    url = f"/kalender/{link.feed_secret}.ics"
    first = client.get(url)
    assert first.status_code == 200, first.status_code
    print(f"Feed body: {len(first.content) // 1024} KB")
    full, not_modified = [], []
    for _ in range(args.requests):
        t = time.perf_counter()
        response = client.get(url)
        full.append(time.perf_counter() - t)
        assert response.status_code == 200
    for _ in range(args.requests):
        t = time.perf_counter()
        response = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
        not_modified.append(time.perf_counter() - t)
        assert response.status_code == 304
    print(
        f"Feed 200 ({args.requests} requests, test client, body cache warm after the first): "
        f"median {statistics.median(full) * 1000:.1f} ms, "
        f"p99 {_percentile(full, 0.99) * 1000:.1f} ms"
    )
    print(
        f"Feed 304 ({args.requests} requests): median {statistics.median(not_modified) * 1000:.1f} ms, "
        f"p99 {_percentile(not_modified, 0.99) * 1000:.1f} ms"
    )

    _site_feed_case(args.site_feed_events, args.requests)

    # Subscribers: every consultant and many citizens, each with their own link, all at once.
    owners = data["consultants"] + data["citizens"]
    urls = [f"/kalender/{feed_token_issue(owner=owners[i % len(owners)]).feed_secret}.ics"
            for i in range(min(args.subscribers, len(owners)))]
    urls += urls[: max(0, args.subscribers - len(urls))]
    result = _concurrent(urls, _free_port())
    print(
        f"Concurrent ({len(urls)} subscribers at once, cold caches, threaded Django WSGI server on 127.0.0.1): "
        f"{result['ok']} ok, "
        f"{result['errors']} errors, all done in {result['wall_s']:.2f} s, "
        f"median {result['median_ms']:.0f} ms, max {result['max_ms']:.0f} ms"
    )

    process = psutil.Process()
    rss_before = process.memory_info().rss
    tracemalloc.start()
    t = time.perf_counter()
    pdf = site_week_pdf(site=data["site"], week_start=data["monday"])
    elapsed = time.perf_counter() - t
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss_after = process.memory_info().rss
    import io

    from pypdf import PdfReader

    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    print(
        f"Batch PDF ({pages} citizens, {len(pdf) // 1024} KB): {elapsed:.2f} s (with tracemalloc on), "
        f"Python peak {peak / 2**20:.0f} MB, process RSS {rss_after / 2**20:.0f} MB "
        f"(+{(rss_after - rss_before) / 2**20:.0f} MB)"
    )
    t = time.perf_counter()
    site_week_pdf(site=data["site"], week_start=data["monday"])
    print(f"Batch PDF again without tracemalloc: {time.perf_counter() - t:.2f} s")


if __name__ == "__main__":
    main()
