import fcntl
import os
from pathlib import Path

import pytest

from tests.seeded import seeded_demo_build


@pytest.fixture(autouse=True)
def _use_danish(settings):
    settings.LANGUAGE_CODE = "da"


@pytest.fixture(scope="session")
def seeded_demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The S demo centre in a migrated SQLite file (tests.seeded), built once per session and shared by the
    pytest-xdist workers (a lock in their common temporary folder). Never change it: take a `sqlite_copy`."""
    shared = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        shared = shared.parent  # the folder every worker's own base folder lives in
    template = shared / "seeded-demo-S1.sqlite3"
    with (shared / "seeded-demo-S1.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not template.exists():
            seeded_demo_build(template)
    return template


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> object:
    """Put the data migrations' rows back after a serialized-rollback test.

    Django's TransactionTestCase leaves the database flushed after such a test and restores the rows
    only when the next serialized-rollback test starts. Under pytest-xdist a worker can run ordinary
    database tests after it, and those would find no staff types or room features."""
    yield
    marker = item.get_closest_marker("django_db")
    if marker is None or not marker.kwargs.get("serialized_rollback"):
        return
    from django.db import connections
    from pytest_django.plugin import blocking_manager_key

    with item.config.stash[blocking_manager_key].unblock():
        for connection in connections.all(initialized_only=True):
            contents = getattr(connection, "_test_serialized_contents", None)
            if contents:
                connection.creation.deserialize_db_from_string(contents)
