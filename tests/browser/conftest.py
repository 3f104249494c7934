"""A real server for the browser tests: gunicorn (as `make run` and production) + `qcluster` subprocesses
on a copy of the session's seeded SQLite file (tests/conftest.py).

Separate processes (not pytest-django's live_server thread) so the web server, the django-q2 worker
and the test never share a connection or a transaction: the realistic setup of `make run`.
"""
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from config.webserver import gunicorn_command
from tests.seeded import sqlite_copy

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Under pytest-xdist (`make test`) every browser test goes to one worker: one server, one Chromium."""
    here = Path(__file__).parent
    for item in items:
        if here in item.path.parents:
            item.add_marker(pytest.mark.xdist_group("browser"))


@dataclass
class LiveServer:
    url: str
    env: dict[str, str]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def demo_server(tmp_path_factory: pytest.TempPathFactory, seeded_demo_file: Path) -> Iterator[LiveServer]:
    if not Path(CHROMIUM).exists():
        pytest.skip("Chromium mangler: kør `make browser`")
    work = tmp_path_factory.mktemp("browser")
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE"}}
    env.update({
        "SQLITE_PATH": str(work / "db.sqlite3"), "SITE_URL": url, "ALLOWED_HOSTS": "127.0.0.1,localhost",
        # A short solve keeps the test quick; the waiting page still shows real progress.
        "PLANNER_TIME_LIMIT_SECONDS": "5", "PLANNER_NUM_WORKERS": "2", "Q_WORKERS": "1",
        "MEDIA_ROOT": str(work / "media"), "PYTHONUNBUFFERED": "1",
    })
    log = work / "server.log"
    sqlite_copy(seeded_demo_file, work / "db.sqlite3")  # migrated, `seed_demo --size S --seed 1`
    with log.open("ab") as out:
        web = subprocess.Popen(gunicorn_command(bind=f"127.0.0.1:{port}"), cwd=ROOT, env=env, stdout=out,
                               stderr=subprocess.STDOUT)
        worker = subprocess.Popen([sys.executable, "manage.py", "qcluster"], cwd=ROOT, env=env, stdout=out,
                                  stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(url + "/login/", timeout=2)
                break
            except OSError:
                if time.monotonic() > deadline or web.poll() is not None:
                    raise RuntimeError("webserveren startede ikke:\n" + log.read_text()[-3000:]) from None
                time.sleep(0.3)
        yield LiveServer(url=url, env=env)
    finally:
        for process in (worker, web):
            process.terminate()
        for process in (worker, web):
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def shot() -> object:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(page: object, name: str) -> None:
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)

    return take
