"""One SQLite configuration whichever way the file is named: SQLITE_PATH or DATABASE_URL=sqlite:///…

Settings are read once per process, so each case runs in a subprocess with its own environment.
"""
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PRINT_DATABASE = """
import json
from config import settings
db = settings.DATABASES["default"]
print(json.dumps({"ENGINE": db["ENGINE"], "NAME": str(db["NAME"]), "OPTIONS": db["OPTIONS"], "TEST": db["TEST"]}))
"""

# Threads that each read, then write, in one transaction: a coordinator's run request and the ORM broker
# do exactly that. In a deferred transaction the upgrade from reading to writing fails at once with
# "database is locked" when another connection wrote in between; the busy timeout never helps there.
READ_THEN_WRITE = """
import json, threading
import django
django.setup()
from django.db import connection, connections, transaction

with connection.cursor() as cursor:
    cursor.execute("CREATE TABLE probe (n integer)")
connections.close_all()
errors = []
barrier = threading.Barrier(16)

def work():
    barrier.wait()
    for _ in range(15):
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SELECT COUNT(*) FROM probe")
                cursor.execute("INSERT INTO probe VALUES (%s)", [cursor.fetchone()[0]])
        except Exception as error:
            errors.append(str(error))
    connections.close_all()

threads = [threading.Thread(target=work) for _ in range(16)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
with connection.cursor() as cursor:
    cursor.execute("SELECT COUNT(*) FROM probe")
    rows = cursor.fetchone()[0]
print(json.dumps({"errors": errors[:3], "error_count": len(errors), "rows": rows}))
"""


def _run(code: str, **env: str) -> dict:
    clean = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "SQLITE_PATH", "REDIS_URL"}}
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60,
                          env={**clean, "DJANGO_SETTINGS_MODULE": "config.settings", **env}, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_a_database_url_gets_the_same_sqlite_options_as_sqlite_path(tmp_path: Path) -> None:
    by_path = _run(PRINT_DATABASE, SQLITE_PATH=str(tmp_path / "x.sqlite3"))
    by_url = _run(PRINT_DATABASE, DATABASE_URL=f"sqlite:///{tmp_path}/x.sqlite3")
    relative = _run(PRINT_DATABASE, DATABASE_URL="sqlite:///tmp/x.sqlite3")
    assert by_path["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert "journal_mode=WAL" in by_path["OPTIONS"]["init_command"] and by_path["OPTIONS"]["timeout"] >= 10
    for other in (by_url, relative):
        assert other["ENGINE"] == by_path["ENGINE"] == "django.db.backends.sqlite3"
        assert other["OPTIONS"] == by_path["OPTIONS"]
        assert other["TEST"] == by_path["TEST"]
    assert by_url["NAME"] == by_path["NAME"] == str(tmp_path / "x.sqlite3")


def test_simultaneous_writers_wait_for_each_other_on_a_database_url(tmp_path: Path) -> None:
    result = _run(READ_THEN_WRITE, DATABASE_URL=f"sqlite:///{tmp_path}/url.sqlite3")
    assert result["error_count"] == 0, result["errors"]
    assert result["rows"] == 16 * 15
    journal = subprocess.run(["sqlite3", str(tmp_path / "url.sqlite3"), "PRAGMA journal_mode"], capture_output=True,
                             text=True, check=False)
    if journal.returncode == 0:  # the sqlite3 shell is optional on a developer's machine
        assert journal.stdout.strip() == "wal"
