"""A demo centre in its own SQLite file for the benchmarks that need the database (bench.courses,
bench.course_places): set up Django on it, migrate, and seed the demo the first time."""
import os
import tempfile
from pathlib import Path


def demo_database(*, keep: str | None, size: str, seed: int) -> None:
    """Django on `keep`/bench.sqlite3 (a temporary folder without `keep`); an existing file is reused."""
    workdir = Path(keep or tempfile.mkdtemp(prefix="ugeskema-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    db = workdir / "bench.sqlite3"
    fresh = not db.exists()
    os.environ["SQLITE_PATH"] = str(db)
    os.environ.pop("DATABASE_URL", None)
    os.environ.pop("REDIS_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    if fresh:
        call_command("seed_demo", size=size, seed=seed, verbosity=0)
