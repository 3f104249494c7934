"""Settings, all from the environment (see the table in README.md).

The embedded default needs nothing but Python packages: SQLite in WAL mode and django-q2's ORM broker.
DATABASE_URL switches to PostgreSQL, REDIS_URL moves django-q2's broker to Redis.
"""
import ipaddress
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return default if value in (None, "") else int(value)


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG and env_bool("PRODUCTION", False):
        raise ImproperlyConfigured("SECRET_KEY must be set in production (PRODUCTION=1).")
    # Development and tests only; production refuses to start without a key (above).
    SECRET_KEY = "insecure-development-key-do-not-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_q",
    "rooms",
    "activities",
    "scheduler",
    "api",
    "audit",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

SQLITE_PATH = env_str("SQLITE_PATH", str(BASE_DIR / "var" / "db.sqlite3"))
SQLITE_TEST_PATH = env_str("SQLITE_TEST_PATH", str(BASE_DIR / "var" / "test.sqlite3"))

# The production web server (gunicorn with gthread workers, config/gunicorn_conf.py): each worker process
# answers WEB_THREADS requests at once. Without Redis the guess throttle and the feed cache live in each
# process's memory, so the default is one process there (docs/deploy.md).
WEB_WORKERS = env_int("WEB_WORKERS", 2 if env_str("REDIS_URL") else 1)
WEB_THREADS = env_int("WEB_THREADS", 8)
WEB_BACKLOG = env_int("WEB_BACKLOG", 2048)  # connections waiting to be accepted (runserver: 10)
WEB_KEEPALIVE = env_int("WEB_KEEPALIVE", 5)  # seconds an idle keep-alive connection stays open
WEB_TIMEOUT = env_int("WEB_TIMEOUT", 30)  # a worker silent this long is restarted
WEB_ACCESS_LOG = env_str("WEB_ACCESS_LOG", "-")  # "-" = standard output, "" = off; tokens are redacted
# PostgreSQL: a request thread keeps its connection for the next request (no connect per request), and
# gunicorn's threads are a fixed pool, so one web server holds at most WEB_WORKERS × WEB_THREADS
# connections. (runserver starts a thread per request: there persistent connections piled up.)
DATABASE_CONN_MAX_AGE = env_int("DATABASE_CONN_MAX_AGE", 60)
WEB_DATABASE_CONNECTIONS_MAX = WEB_WORKERS * WEB_THREADS


def sqlite_database(name: str) -> dict:
    """The one SQLite configuration, whether named by SQLITE_PATH or by DATABASE_URL=sqlite:///…"""
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": name,
        "OPTIONS": {
            # IMMEDIATE takes the write lock at BEGIN, so the ORM broker and the web server
            # wait for each other instead of failing with "database is locked".
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        },
        # The test database is a file too, not SQLite's shared in-memory cache: there a thread reading
        # while another writes fails at once with "database table is locked" (no busy wait), which
        # made the tests that run a planning run in a thread flaky. Same speed measured.
        "TEST": {"NAME": SQLITE_TEST_PATH},
    }


DATABASE_URL = env_str("DATABASE_URL")
_database = dj_database_url.parse(DATABASE_URL) if DATABASE_URL else None
if _database is None or _database["ENGINE"] == "django.db.backends.sqlite3":
    _sqlite_name = _database["NAME"] if _database else SQLITE_PATH
    for path in (_sqlite_name, SQLITE_TEST_PATH):
        if path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
    DATABASES = {"default": sqlite_database(_sqlite_name)}
else:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=DATABASE_CONN_MAX_AGE,
                                                  conn_health_checks=DATABASE_CONN_MAX_AGE > 0)}
    # Server-side binding lets psycopg prepare the statements a connection repeats (the feed's token
    # look-up and validators, a plan read's queries) instead of having PostgreSQL plan them anew each
    # time: 6.8 instead of 8.0 ms of server CPU per warm feed (docs/benchmarks.md, "Load"). Turn it off
    # behind a PgBouncer in transaction mode, which cannot keep a connection's prepared statements.
    if env_bool("DATABASE_PREPARED_STATEMENTS", True) and DATABASES["default"]["ENGINE"].endswith("postgresql"):
        DATABASES["default"].setdefault("OPTIONS", {}).update(server_side_binding=True, prepare_threshold=5)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "da"
LANGUAGES = [("da", "Dansk"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Copenhagen"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
STATICFILES_DIRS = [BASE_DIR / "static"] if (BASE_DIR / "static").is_dir() else []
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "var" / "media")))

LOGIN_URL = "/login/"
LOGIN_REDIRECT_URL = "/"

# Christmas Eve, New Year's Eve, Constitution Day and 1 May are customary days off, not public holidays
# by law; centres are closed on them unless this is turned off.
CLOSED_ON_CUSTOMARY_HOLIDAYS = env_bool("CLOSED_ON_CUSTOMARY_HOLIDAYS", True)

# Travel between sites, companies and homes, from straight-line distance: the detour factor turns
# air distance into road distance, the speed is an average including town driving.
TRAVEL_SPEED_KMH = env_int("TRAVEL_SPEED_KMH", 50)
TRAVEL_DETOUR_FACTOR = 1.3
TRAVEL_ROUND_TO_MINUTES = 5

# Planning: CP-SAT stops before django-q2's timeout, which is below its retry, so a slow solve is
# never delivered twice while it still runs.
PLANNER_TIME_LIMIT_SECONDS = env_int("PLANNER_TIME_LIMIT_SECONDS", 60)
PLANNER_NUM_WORKERS = env_int("PLANNER_NUM_WORKERS", 8)
# A run whose problem splits into independent parts (solver.decompose) and has at least this many tasks
# solves each part as its own background task (scheduler.planning.runs.solve_part_execute); smaller runs solve
# in one task, where the fixed cost of extra tasks (enqueue, JSON round trip, merge) is not worth it.
PLANNER_SPLIT_MIN_TASKS = env_int("PLANNER_SPLIT_MIN_TASKS", 400)
# Day rules of the planner (docs/solver.md, "Day rules"): travel between every two appointments of a
# consultant's day, a lunch break (per site: rooms.Site.lunch_*) and a longest run of back-to-back
# appointments. On by default; an installation whose weeks solve too slowly can turn them off
# (PLANNER_DAY_RULES=0): visits then still carry their trips, and bookings in other sites' plans
# block exactly their span.
PLANNER_DAY_RULES = env_bool("PLANNER_DAY_RULES", True)
PLANNER_MAX_RUN_MINUTES = env_int("PLANNER_MAX_RUN_MINUTES", 180)
# Citizens without a course place are pointed at a proposed new course (scheduler.courses.proposals):
# CP-SAT's deterministic time limit per site and theme, shared by that pointer, the "Nye hold" screen and
# the API (scheduler.courses.proposals.proposal_solve: one worker, seed 0); 0 turns the pointer off.
PLANNER_COURSE_PROPOSAL_SECONDS = env_int("PLANNER_COURSE_PROPOSAL_SECONDS", 2)
# Which existing course each waiting citizen joins (scheduler.planning.services.course_places_assign):
# "cpsat" decides all places at once (solver.course_places), "greedy" seats them one by one; the greedy
# pass is also the fallback when CP-SAT finds no answer within PLANNER_COURSE_PLACES_SECONDS.
PLANNER_COURSE_PLACES = env_str("PLANNER_COURSE_PLACES", "cpsat")
PLANNER_COURSE_PLACES_SECONDS = env_int("PLANNER_COURSE_PLACES_SECONDS", 5)
Q_TIMEOUT_SECONDS = env_int("Q_TIMEOUT_SECONDS", 900)
Q_RETRY_SECONDS = env_int("Q_RETRY_SECONDS", 1200)

REDIS_URL = env_str("REDIS_URL")
# With several web workers the guess throttle and the feed cache must be shared: Redis when configured,
# otherwise each process keeps its own in memory (right for the single-process embedded default).
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
# Finished answers of calendar feeds and plan reads kept in the shared cache (scheduler.data_epoch,
# scheduler.publishing.feed_cache, api.plan_cache). Only with Redis: a change made by the worker or a management
# command must reach every web process. RESPONSE_CACHE_SECONDS bounds an entry's life (the feed window
# moves with the clock); any change of the data ends it at once.
RESPONSE_CACHE = env_bool("RESPONSE_CACHE", bool(REDIS_URL))
RESPONSE_CACHE_SECONDS = env_int("RESPONSE_CACHE_SECONDS", 300)
Q_CLUSTER: dict = {
    "name": "ugeskema",
    "workers": env_int("Q_WORKERS", 2),
    "timeout": Q_TIMEOUT_SECONDS,
    "retry": Q_RETRY_SECONDS,
    "max_attempts": 2,
    "queue_limit": env_int("Q_QUEUE_LIMIT", 50),
    "catch_up": False,
    "label": "Baggrundsopgaver",
}
if REDIS_URL:
    Q_CLUSTER["redis"] = REDIS_URL
else:
    Q_CLUSTER["orm"] = "default"
    Q_CLUSTER["poll"] = 0.5

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "filters": {"redact_tokens": {"()": "config.log_redaction.RedactTokenFilter"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # Request paths can carry secret feed tokens; Django's request logger would write them.
    "loggers": {
        "django.request": {
            "handlers": ["console"], "level": "ERROR", "propagate": False, "filters": ["redact_tokens"]
        },
        "django.server": {
            "handlers": ["console"], "level": "INFO", "propagate": False, "filters": ["redact_tokens"]
        },
    },
}

# ---------------------------------------------------------------------------------------------------
# Security (docs/security.md). Owned by the access-control work; keep additions to this block.
# ---------------------------------------------------------------------------------------------------
PRODUCTION = env_bool("PRODUCTION", False)

INSTALLED_APPS += ["axes"]
# Secret-link guessing is refused early; every screen needs a login unless it says otherwise.
MIDDLEWARE.insert(MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
                  "config.middleware.TokenGuessThrottleMiddleware")
MIDDLEWARE.insert(MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1,
                  "config.middleware.LoginRequiredByDefaultMiddleware")
MIDDLEWARE += ["config.middleware.SecurityHeadersMiddleware", "axes.middleware.AxesMiddleware"]

# Login throttling (django-axes): 5 failures for a username from an address lock it for 30 minutes.
# AxesStandaloneBackend needs `request` in authenticate() (Django's login views pass it).
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_MINUTES", 30) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

# Reverse proxies whose X-Forwarded-For is believed (addresses or networks, comma-separated; default none):
# the client address for the throttles and the audit is the rightmost one in the header that is not a
# trusted proxy (config.client_address). Never list a network that clients can send from.
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES")
for _proxy in TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError:
        raise ImproperlyConfigured(f"TRUSTED_PROXIES: {_proxy!r} is not an IP address or network.") from None
AXES_CLIENT_IP_CALLABLE = "config.client_address.client_ip"  # the login lockout counts the same address

# Secret links and API tokens: more than TOKEN_MISS_LIMIT misses from one address in the window → 429.
TOKEN_MISS_LIMIT = env_int("TOKEN_MISS_LIMIT", 20)
TOKEN_MISS_WINDOW_SECONDS = env_int("TOKEN_MISS_WINDOW_SECONDS", 600)

# Headers (SecurityMiddleware, XFrameOptionsMiddleware; CSP and Permissions-Policy in config.middleware).
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 3600)  # one working day
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_TLS_PROXY", True) else None
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", SITE_URL if SITE_URL.startswith("https://") else "")
    if SECRET_KEY.startswith("insecure-") or len(SECRET_KEY) < 50:
        raise ImproperlyConfigured("SECRET_KEY must be a random value of at least 50 characters in production.")
    if DEBUG:
        raise ImproperlyConfigured("DEBUG must be off in production (PRODUCTION=1).")
    # Feed links, PDF links and the CSRF origin are built from SITE_URL: an http:// address would hand
    # out secret links that travel in clear text. Without ALLOWED_HOSTS the development list
    # (127.0.0.1, localhost, testserver) applies: the site's real name is refused, and the usual
    # "fix", a proxy that rewrites Host to 127.0.0.1, takes Django's Host-header check away.
    if not SITE_URL.startswith("https://"):
        raise ImproperlyConfigured("SITE_URL must be an https:// address in production (PRODUCTION=1).")
    if not env_list("ALLOWED_HOSTS"):
        raise ImproperlyConfigured("ALLOWED_HOSTS must name the site's host names in production (PRODUCTION=1).")
    # check --deploy silences: HSTS preload is a deliberate choice of the operator (W021).
    SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]

# Request size: the centre import is the largest body (a region of ~3,000 citizens is a few MB).
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 10 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2000

# Retention (scheduler.retention): months after an enrolment ended before the citizen's data is
# deleted. Off (None) until set; the daily task and `retention_run` then do nothing.
RETENTION_MONTHS: int | None = env_int("RETENTION_MONTHS", 0) or None

# Attendance (scheduler.attendance): an appointment nobody marked counts as held this many days after
# its end; until then it is "not marked yet". Consultants mark their own appointments of the last
# ATTENDANCE_CONSULTANT_DAYS days (from their secret link or their login); coordinators any past one.
ATTENDANCE_GRACE_DAYS: int = env_int("ATTENDANCE_GRACE_DAYS", 2)
ATTENDANCE_CONSULTANT_DAYS: int = env_int("ATTENDANCE_CONSULTANT_DAYS", 14)

# E-mail (scheduler.publishing.notifications: change messages after a new version). The console backend
# prints messages in the worker's log; set EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend and the
# EMAIL_* settings for SMTP (docs/deploy.md).
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 587)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "ugeskema@localhost")
