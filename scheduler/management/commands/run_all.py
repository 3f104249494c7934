"""Serve the web app and run the django-q2 worker together, for `make run`."""
import signal
import subprocess
import sys

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Starter webserveren og baggrundsarbejderen (django-q2) sammen."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", default="8000")

    def handle(self, *args: object, host: str, port: str, **options: object) -> None:
        worker = subprocess.Popen([sys.executable, "manage.py", "qcluster"])
        # Ctrl+C reaches both processes; a SIGTERM (a process manager, `kill`) reaches only this one and
        # would end it at once, leaving the worker running: turn it into an exit that runs `finally`.
        signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(0))
        try:
            call_command("runserver", f"{host}:{port}", use_reloader=False)
        finally:
            # SIGTERM lets the cluster finish its current task's bookkeeping and stop cleanly.
            worker.send_signal(signal.SIGTERM)
            try:
                worker.wait(timeout=15)
            except subprocess.TimeoutExpired:
                worker.kill()
