"""A migrated, seeded SQLite file for the tests that run the product in other processes (web server, worker):
those cannot see pytest's test database. Built once per session (tests/conftest.py `seeded_demo_file`)."""
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def sqlite_copy(source: Path, target: Path) -> Path:
    """A consistent copy of a SQLite file (its WAL included) that the copy's user may change freely."""
    src, dst = sqlite3.connect(source), sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        src.close()
        dst.close()
    return target


def seeded_demo_build(target: Path) -> Path:
    """Migrate a new SQLite file and seed the S demo centre (seed 1, the coming week) into it."""
    work = target.with_name(target.name + ".building")
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env.update(SQLITE_PATH=str(work), DJANGO_SETTINGS_MODULE="config.settings")
    for args in (("migrate", "--noinput", "-v0"), ("seed_demo", "--size", "S", "--seed", "1")):
        done = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True,
                              text=True, timeout=300, check=False)
        assert done.returncode == 0, done.stderr[-3000:]
    return sqlite_copy(work, target)
