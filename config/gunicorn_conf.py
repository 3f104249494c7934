"""Gunicorn's configuration: `gunicorn --config python:config.gunicorn_conf` (docs/deploy.md).

Every value comes from the environment through config.settings (WEB_*), so the web server and the
database connection bound (WEB_DATABASE_CONNECTIONS_MAX) are computed from the same two numbers. Importing the
settings module does not set Django up; it also makes a production misconfiguration stop the master
before any worker starts.
"""
from gunicorn import glogging

from config import settings as app_settings
from config.log_redaction import RedactTokenFilter

wsgi_app = "config.wsgi:application"
bind = ["127.0.0.1:8000"]  # --bind on the command line (run_all, the systemd unit) replaces it

# gthread: a fixed pool of threads per process (so a fixed number of database connections); keep-alive
# connections wait in the worker's event loop, not in a thread. Feeds and API reads spend part of their
# time waiting for PostgreSQL and Redis, which threads overlap; processes use the cores.
worker_class = "gthread"
workers = app_settings.WEB_WORKERS
threads = app_settings.WEB_THREADS
# Connections waiting to be accepted: runserver's 10 dropped connections at 200 simultaneous clients.
backlog = app_settings.WEB_BACKLOG
keepalive = app_settings.WEB_KEEPALIVE
timeout = app_settings.WEB_TIMEOUT
graceful_timeout = 20

# Gunicorn ≥ 25 opens a control socket at one fixed path per user ($XDG_RUNTIME_DIR or ~/.gunicorn):
# two servers on one machine (a demo next to tests) would fight over it, and nothing here uses it.
control_socket_disable = True

# Request paths carry secret feed tokens: the access log goes through the same redaction as Django's
# request logging. WEB_ACCESS_LOG="" turns it off (a proxy in front usually keeps its own log).
accesslog = app_settings.WEB_ACCESS_LOG or None
errorlog = "-"
loglevel = "info"


class RedactingLogger(glogging.Logger):
    def setup(self, cfg) -> None:  # noqa: ANN001 - gunicorn's Config
        super().setup(cfg)
        for logger in (self.access_log, self.error_log):
            logger.addFilter(RedactTokenFilter())


logger_class = RedactingLogger


def post_worker_init(worker) -> None:  # noqa: ANN001 - gunicorn's Worker
    """Import every view (the URLconf) before the worker takes its first request. Django does that on the
    first request otherwise: 3-5 s on a busy machine, which the first clients after every start or
    worker restart waited for (and calendar apps polling at that moment timed out on)."""
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 - the import is the point
    worker.log.info("Worker ready: views imported (pid: %s)", worker.pid)
