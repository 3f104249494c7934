"""The response cache across processes: a real gunicorn with Redis (database 11, the test's own) on pytest's
PostgreSQL test database serves a feed from the cache, and a revocation, a publication or a rename made in
another process (this one, as the admin or a management command would) is in the very next answer."""
import http.client
import os
import signal
import subprocess
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection

from config.webserver import gunicorn_command
from scheduler.publishing.services import plan_publish
from scheduler.publishing.tokens import feed_token_issue, feed_token_revoke
from tests.background.test_redis import _redis
from tests.background.test_web_server import _free_port
from tests.publishing.factories import copy_as_draft
from tests.publishing.test_feeds import world  # noqa: F401  (the fixture, after the server's database)

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = "redis://127.0.0.1:6379/11"
pytestmark = [
    # Like the other transactional tests here: the rows the migrations made (content types, built-in
    # reference data) are restored after the test, so the next serialized test finds what it expects.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.postgres,
    pytest.mark.skipif(not os.environ.get("DATABASE_URL", "").startswith("postgres"), reason="needs PostgreSQL"),
    pytest.mark.skipif(_redis() is None, reason="no Redis on 127.0.0.1:6379"),
]


@pytest.fixture
def shared_cache(settings) -> Iterator[None]:
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    client.flushdb()  # database 11 only: the test's own
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
    settings.RESPONSE_CACHE = True
    yield
    client.flushdb()


@pytest.fixture
def server(transactional_db: None, shared_cache: None, tmp_path: Path) -> Iterator[int]:
    db = connection.settings_dict
    url = f"postgres://{db['USER'] or 'postgres'}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    env = {k: v for k, v in os.environ.items() if k not in {"SQLITE_PATH"}}
    env.update(DATABASE_URL=url, REDIS_URL=REDIS_URL, DJANGO_SETTINGS_MODULE="config.settings", WEB_WORKERS="2",
               WEB_THREADS="2", WEB_ACCESS_LOG="", LOG_LEVEL="WARNING")
    port = _free_port()
    log = tmp_path / "gunicorn.log"
    web = subprocess.Popen(gunicorn_command(bind=f"127.0.0.1:{port}"), cwd=ROOT, env=env, stdout=log.open("w"),
                           stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 30
        while log.read_text().count("Worker ready") < 2:
            assert web.poll() is None and time.monotonic() < deadline, log.read_text()[-3000:]
            time.sleep(0.1)
        yield port
    finally:
        web.send_signal(signal.SIGTERM)
        try:
            web.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(web.pid, signal.SIGKILL)
            web.wait(timeout=10)


def _get(port: int, path: str) -> tuple[int, bytes]:
    client = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    try:
        client.request("GET", path)
        answer = client.getresponse()
        return answer.status, answer.read()
    finally:
        client.close()


def test_a_change_in_another_process_is_in_the_servers_next_answer(server: int, world: dict) -> None:  # noqa: F811
    link = feed_token_issue(owner=world["anne"])
    path = f"/kalender/{link.feed_secret}.ics"
    status, first = _get(server, path)
    assert status == 200
    for _ in range(4):  # both workers: served from the shared cache from now on
        assert _get(server, path) == (200, first)

    draft = copy_as_draft(world["plan"])
    moved = draft.appointments.get(task_key="talk:anne")
    moved.start += timedelta(hours=2)
    moved.end += timedelta(hours=2)
    moved.save()
    plan_publish(plan=draft)
    status, published = _get(server, path)
    assert status == 200 and published != first

    site = world["site"]
    site.name = "Center Fredericia"
    site.save()
    assert "Center Fredericia" in _get(server, path)[1].decode()

    feed_token_revoke(feed_token=link.feed_token)
    for _ in range(4):
        assert _get(server, path)[0] == 410
