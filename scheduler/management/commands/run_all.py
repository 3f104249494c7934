"""Serve the web app with the production server (gunicorn) and run the django-q2 worker, for `make run`."""
import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from config.webserver import gunicorn_command


class Command(BaseCommand):
    help = "Starter webserveren (gunicorn) og baggrundsarbejderen (django-q2) sammen."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", default="8000")

    def handle(self, *args: object, host: str, port: str, **options: object) -> None:
        self.stdout.write(f"Webserver: gunicorn, {settings.WEB_WORKERS} proces(ser) × {settings.WEB_THREADS} tråde.")
        # Each child in its own process group: a Ctrl+C in the terminal reaches only this command, which
        # then sends each child exactly one SIGTERM. (A SIGINT followed by a SIGTERM left django-q2's
        # cluster hanging in its stop handler, and killing it then orphaned its worker processes.)
        web = subprocess.Popen(gunicorn_command(bind=f"{host}:{port}"), start_new_session=True)
        worker = subprocess.Popen([sys.executable, "manage.py", "qcluster"], start_new_session=True)
        # A SIGTERM (a process manager, `kill`) becomes an exit that runs `finally` and stops both children.
        signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(0))
        died: str | None = None
        try:
            # One of them dying (a port already in use, a broken setting) ends the demo as a whole.
            while web.poll() is None and worker.poll() is None:
                time.sleep(0.5)
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
                    os.killpg(process.pid, signal.SIGKILL)  # the whole group: gunicorn's or the cluster's workers
                    process.wait()
        if died is not None:
            raise CommandError(f"{died} stoppede med en fejl; begge er nu stoppet.")
