"""The production web server's command line, shared by `run_all`, the tests and the load benchmark."""
import sys


def gunicorn_command(*, bind: str) -> list[str]:
    """Gunicorn with this project's configuration (config/gunicorn_conf.py), listening on `bind`."""
    return [sys.executable, "-m", "gunicorn", "--config", "python:config.gunicorn_conf", "--bind", bind]
