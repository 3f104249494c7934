"""Serve the web app with the production server (gunicorn) and run the django-q2 worker, for `make run`."""
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from scheduler.webserver import gunicorn_command


class Command(BaseCommand):
    help = "Starter webserveren (gunicorn) og baggrundsarbejderen (django-q2) sammen."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", default="8000")

    def handle(self, *args: object, host: str, port: str, **options: object) -> None:
        self.stdout.write(f"Webserver: gunicorn, {settings.WEB_WORKERS} proces(ser) × {settings.WEB_THREADS} tråde.")
        web = subprocess.Popen(gunicorn_command(bind=f"{host}:{port}"))
        worker = subprocess.Popen([sys.executable, "manage.py", "qcluster"])
        # Ctrl+C reaches every process of the terminal's group; a SIGTERM (a process manager, `kill`)
        # reaches only this one: turn it into an exit that runs `finally` and stops both children.
        signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(0))
        died: str | None = None
        try:
            # One of them dying (a port already in use, a broken setting) ends the demo as a whole.
            while web.poll() is None and worker.poll() is None:
                time.sleep(0.5)
            # Exit code 0: it was asked to stop (a signal to the whole group, e.g. from a process manager).
            ended, name = (web, "Webserveren") if web.poll() is not None else (worker, "Baggrundsarbejderen")
            died = name if ended.returncode != 0 else None
        except KeyboardInterrupt:
            pass
        finally:
            # SIGTERM: gunicorn finishes the requests in progress, the cluster its current task's bookkeeping.
            for process in (web, worker):
                if process.poll() is None:
                    process.send_signal(signal.SIGTERM)
            for process in (web, worker):
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
        if died is not None:
            raise CommandError(f"{died} stoppede med en fejl; begge er nu stoppet.")
