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
