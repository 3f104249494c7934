"""The production web server holds a bounded number of PostgreSQL connections, however many requests come.

A real gunicorn (the command `run_all` starts, config.webserver) in a subprocess on pytest's PostgreSQL
test database; a burst of API requests from many threads; pg_stat_activity sampled throughout. runserver
with persistent connections grew to 100 connections (PostgreSQL's default limit) after 2,000 requests.
"""
import http.client
import os
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.db import connection

from api.auth import api_token_create
from config.webserver import gunicorn_command
from tests.api.conftest import make_site

ROOT = Path(__file__).resolve().parents[2]
WORKERS, THREADS = 2, 4
APPLICATION = "ugeskema-burst-test"
pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not os.environ.get("DATABASE_URL", "").startswith("postgres"), reason="needs PostgreSQL"),
]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def server(transactional_db: None, tmp_path: Path) -> Iterator[tuple[int, Path]]:
    """gunicorn on the test database (committed rows: the server is another process)."""
    db = connection.settings_dict
    # The server's connections carry their own application_name, so connections that other tests of the
    # session may have left on the test database are not counted.
    url = (f"postgres://{db['USER'] or 'postgres'}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
           f"?application_name={APPLICATION}")
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "SQLITE_PATH"}}
    env.update(DATABASE_URL=url, DJANGO_SETTINGS_MODULE="config.settings", WEB_WORKERS=str(WORKERS),
               WEB_THREADS=str(THREADS), WEB_ACCESS_LOG="", LOG_LEVEL="WARNING")
    port = _free_port()
    log = tmp_path / "gunicorn.log"
    web = subprocess.Popen(gunicorn_command(bind=f"127.0.0.1:{port}"), cwd=ROOT, env=env, stdout=log.open("w"),
                           stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 20
        while log.read_text().count("Booting worker") < WORKERS:
            assert web.poll() is None and time.monotonic() < deadline, log.read_text()[-3000:]
            time.sleep(0.1)
        yield port, log
    finally:
        web.send_signal(signal.SIGTERM)
        try:
            web.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(web.pid, signal.SIGKILL)
            web.wait(timeout=10)


def _server_connections() -> int:
    """The web server's connections to the test database."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                       "AND application_name = %s", [APPLICATION])
        return cursor.fetchone()[0]


def test_a_burst_of_requests_leaves_at_most_workers_times_threads_connections(server: tuple[int, Path]) -> None:
    port, log = server
    site = make_site("burst")
    admin = get_user_model().objects.create_superuser("burst-admin", "a@example.dk", "x" * 20)
    token = api_token_create(user=admin, name="burst")[1]
    assert _server_connections() == 0

    def fetch(_: int) -> int:
        # A new TCP connection per request, as calendar apps and integrations do.
        client = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
        try:
            client.request("GET", f"/api/sites/{site.pk}", headers={"Authorization": f"Bearer {token}"})
            answer = client.getresponse()
            answer.read()
            return answer.status
        finally:
            client.close()

    peak = 0
    done = threading.Event()
    statuses: list[int] = []

    def burst() -> None:
        with ThreadPoolExecutor(max_workers=40) as pool:
            statuses.extend(pool.map(fetch, range(600)))
        done.set()

    started = time.monotonic()
    threading.Thread(target=burst).start()
    while not done.wait(0.02):
        peak = max(peak, _server_connections())
    elapsed = time.monotonic() - started
    time.sleep(0.5)
    after = _server_connections()

    assert statuses == [200] * 600, (sorted(set(statuses)), log.read_text()[-3000:])
    bound = WORKERS * THREADS
    assert 0 < peak <= bound, (peak, bound)  # > 0: the server really read the database
    assert after <= bound, (after, bound)
    print(f"600 requests in {elapsed:.1f} s; peak {peak}, after {after} connections (bound {bound})")
