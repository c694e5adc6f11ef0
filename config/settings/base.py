"""Settings shared by every environment. Everything that differs comes from the environment."""

import datetime as dt
import urllib.parse
from pathlib import Path

import environ
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"  # local state for the embedded defaults (SQLite, broker folder); gitignored
VAR_DIR.mkdir(exist_ok=True)

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    # Ours, lowest first: each may import only the ones above it in this list (tests/test_architecture.py).
    "core",
    "accounts",
    "agreements",
    "incidents",
    "tracker",
    "events",
    "imports",
    "reports",
    "alerts",
    "demo",
]

MIDDLEWARE = [
    "core.middleware.APIErrorsAsJSONMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The language: the language cookie (the switcher), else Accept-Language, else English;
    # accounts' middleware and token authentication then apply a signed-in user's preference.
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.UserLanguageMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "accounts.middleware.TwoFactorRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes asks
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # Project-wide overrides of other apps' templates (admin/base_site.html: the language switcher).
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------------------
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The worker and the web process write concurrently: WAL plus IMMEDIATE transactions
    # make SQLite wait for the lock instead of failing with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 30,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # Incident's covering index (INCLUDE columns) speeds PostgreSQL up; SQLite builds it without
    # them, which is fine, so its warning on every migrate is noise.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # Django's backend with a health check that asks the socket, not the server, while
        # nothing is wrong: no `SELECT 1` round trip before each request's first query.
        DATABASES["default"]["ENGINE"] = "core.db.postgresql"
    # The API's list pages are sent as prepared statements, planned once per connection
    # (core.api.sqljson); nothing else is (the ORM binds parameters on the client), so the
    # threshold for preparing others is never reached. Off (None) behind a connection pooler
    # that cannot keep prepared statements (PgBouncer before 1.21 in transaction mode).
    DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = (
        2**31 - 1 if env.bool("DATABASE_PREPARED_STATEMENTS", default=True) else None
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Sign-in security (accounts/, docs/operations.md#sign-in-security) -----------------------
# django-axes checks first: a locked account or address is refused even with the right password.
AUTHENTICATION_BACKENDS = [
    "accounts.backends.LockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Failed sign-ins (admin or API token, wrong password or wrong two-factor code) are counted per
# account and per address; either reaching the limit locks it for the cool-off.
AXES_FAILURE_LIMIT = env.int("TRACKER_LOGIN_FAILURE_LIMIT", default=10)
AXES_COOLOFF_TIME = dt.timedelta(minutes=env.int("TRACKER_LOGIN_COOLOFF_MINUTES", default=30))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_LOCKOUT_CALLABLE = "accounts.views.locked_out"
AXES_CLIENT_IP_CALLABLE = "accounts.lockout.client_ip_address"
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "otp", "otp_token"]
AXES_VERBOSE = False  # no banner on every manage.py command
# Proxies in front of the web processes that append to X-Forwarded-For (0: clients connect directly).
TRACKER_TRUSTED_PROXIES = env.int("TRACKER_TRUSTED_PROXIES", default=0)
# Two-factor sign-in (django-otp) for everyone who may see confidential sources: on in production.
TRACKER_REQUIRE_2FA_FOR_CONFIDENTIAL = env.bool("TRACKER_REQUIRE_2FA_FOR_CONFIDENTIAL", default=False)
OTP_TOTP_ISSUER = "Ceasefire Compliance Tracker"  # the name authenticator apps show

# --- Languages (docs/languages.md) -------------------------------------------------------------
# English is the default; Arabic is complete. Each app keeps its catalog in <app>/locale/; the
# project's own strings (config/) are in locale/. `manage.py compile_translations` builds the .mo
# files (make run, make test).
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("ar", _("Arabic"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["config.formats"]  # one date style everywhere: 2 Apr 2019 09:00
TIME_ZONE = env.str("DJANGO_TIME_ZONE", default="Asia/Damascus")  # how the admin shows times
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
MEDIA_ROOT = env.path("DJANGO_MEDIA_ROOT", default=str(VAR_DIR / "media"))
MEDIA_URL = "media/"

LOGIN_URL = "admin:login"

# --- Email ----------------------------------------------------------------------------------
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
if EMAIL_CONFIG["EMAIL_BACKEND"] == "django.core.mail.backends.console.EmailBackend":
    EMAIL_BACKEND = "core.mail.EmailBackend"  # attachments summarised, not printed as base64
DEFAULT_FROM_EMAIL = env.str("DJANGO_DEFAULT_FROM_EMAIL", default="tracker@localhost")

# --- Celery -----------------------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
else:
    # Embedded broker: messages are files in var/celery, so a real worker and scheduler run
    # in the background with no Redis installed. Fine for one machine; use Redis to scale.
    CELERY_BROKER_DIR = VAR_DIR / "celery"
    for sub in ("queue", "processed", "control"):
        (CELERY_BROKER_DIR / sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://localhost/"  # the host is ignored; naming it keeps kombu quiet
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_BROKER_DIR / "queue"),
        "data_folder_out": str(CELERY_BROKER_DIR / "queue"),
        "processed_folder": str(CELERY_BROKER_DIR / "processed"),
        "control_folder": str(CELERY_BROKER_DIR / "control"),
        "store_processed": False,
    }
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=30 * 60)
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=25 * 60)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Sending a task from a web request must fail fast when the broker is down (core.tasks.enqueue
# then leaves the work to its periodic job) rather than hold the request.
CELERY_BROKER_CONNECTION_TIMEOUT = env.float("CELERY_BROKER_CONNECTION_TIMEOUT", default=2.0)
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    "scan-violations-incremental": {
        "task": "tracker.tasks.scan_violations",
        "schedule": env.int("TRACKER_SCAN_EVERY_SECONDS", default=300),
    },
    "check-deadlines": {
        "task": "tracker.tasks.check_deadlines",
        "schedule": env.int("TRACKER_DEADLINES_EVERY_SECONDS", default=60),
    },
    "scan-violations-full-nightly": {
        "task": "tracker.tasks.scan_violations",
        "schedule": crontab(hour=2, minute=30),
        "kwargs": {"full": True},
    },
    # Groups reports of one happening into events (events app): what changed, and all nightly.
    "group-events-incremental": {
        "task": "events.tasks.group_changed",
        "schedule": env.int("EVENTS_GROUP_EVERY_SECONDS", default=300),
    },
    "group-events-full-nightly": {
        "task": "events.tasks.group_all",
        "schedule": crontab(hour=2, minute=50),
        "kwargs": {"chunks": env.int("EVENTS_GROUP_CHUNKS", default=2)},
    },
    "prune-job-runs-daily": {
        "task": "tracker.tasks.prune_job_runs",
        "schedule": crontab(hour=3, minute=15),
    },
    # Sends the uploads the broker could not take when they were made (core.tasks); idempotent.
    "dispatch-pending-imports": {
        "task": "imports.tasks.dispatch_pending_imports",
        "schedule": env.int("TRACKER_IMPORT_DISPATCH_EVERY_SECONDS", default=60),
    },
    # Builds the reports whose period has ended and sends what is waiting; idempotent.
    "run-due-reports": {
        "task": "reports.tasks.run_due_reports",
        "schedule": crontab(minute=env.int("TRACKER_REPORTS_MINUTE", default=5)),
    },
    # Sends the alert deliveries that are due: new (if the broker was down), retries, stale claims.
    "deliver-due-alerts": {
        "task": "alerts.tasks.deliver_due",
        "schedule": env.int("ALERTS_DELIVER_EVERY_SECONDS", default=60),
    },
    # Alerts the deadlines that entered a rule's "due within N days" window.
    "alert-deadlines-due": {
        "task": "alerts.tasks.decide_deadlines_due",
        "schedule": env.int("ALERTS_DEADLINES_EVERY_SECONDS", default=900),
    },
}

# --- Alerts and webhooks (docs/alerts.md) ------------------------------------------------------
# Webhook URLs must start with one of these prefixes (comma-separated); none allowed when empty.
ALERTS_WEBHOOK_ALLOWED_URLS = env.list("ALERTS_WEBHOOK_ALLOWED_URLS", default=[])
# Private, loopback or link-local addresses a webhook may reach anyway (e.g. 127.0.0.1); none by default.
ALERTS_WEBHOOK_ALLOWED_ADDRESSES = env.list("ALERTS_WEBHOOK_ALLOWED_ADDRESSES", default=[])
ALERTS_WEBHOOK_CONNECT_TIMEOUT = env.float("ALERTS_WEBHOOK_CONNECT_TIMEOUT", default=3.0)
ALERTS_WEBHOOK_READ_TIMEOUT = env.float("ALERTS_WEBHOOK_READ_TIMEOUT", default=10.0)
ALERTS_WEBHOOK_MAX_RESPONSE_BYTES = env.int("ALERTS_WEBHOOK_MAX_RESPONSE_BYTES", default=64 * 1024)
# Retries double from this delay (at most 4 hours apart) until a delivery is this old, then it fails.
ALERTS_FIRST_RETRY_SECONDS = env.int("ALERTS_FIRST_RETRY_SECONDS", default=60)
ALERTS_RETRY_FOR_HOURS = env.int("ALERTS_RETRY_FOR_HOURS", default=24)
# A delivery still "sending" after this long belonged to a worker that died: it is claimed again.
ALERTS_STALE_CLAIM_SECONDS = env.int("ALERTS_STALE_CLAIM_SECONDS", default=300)
# At most this many items in one payload (a digest says how many there were in all).
ALERTS_MAX_ITEMS = env.int("ALERTS_MAX_ITEMS", default=1000)

# --- Compliance engine ------------------------------------------------------------------------
# A full violation scan is split into this many id ranges, run in parallel by the workers
# (tracker.tasks.scan_chunk); 1 runs it in one task. See docs/operations.md.
TRACKER_SCAN_CHUNKS = env.int("TRACKER_SCAN_CHUNKS", default=1)
# A full scan (or chunk) commits its violations part by part of its id range, each part about this
# many of the incidents it read (those its clauses could concern): what a killed scan keeps,
# against a few milliseconds per commit (below 1: one transaction per chunk).
TRACKER_SCAN_INCIDENTS_PER_COMMIT = env.int("TRACKER_SCAN_INCIDENTS_PER_COMMIT", default=50_000)
# Records of finished job runs (admin: Compliance -> Job runs) are deleted after this many days.
TRACKER_JOB_RUNS_KEEP_DAYS = env.int("TRACKER_JOB_RUNS_KEEP_DAYS", default=90)
TRACKER_DEADLINE_DUE_SOON_DAYS = env.int("TRACKER_DEADLINE_DUE_SOON_DAYS", default=7)
# Saving a deadline (admin, API) checks the deadlines at once, so a past one shows missed at once.
TRACKER_CHECK_DEADLINES_ON_SAVE = env.bool("TRACKER_CHECK_DEADLINES_ON_SAVE", default=True)
# Imports: a bare date in a data file is a local day in this time zone.
INCIDENTS_IMPORT_TIMEZONE = env.str("INCIDENTS_IMPORT_TIMEZONE", default="Asia/Damascus")

# --- REST API ---------------------------------------------------------------------------------
# Anonymous reads of the public subset (see core/api/permissions.py); off unless set.
TRACKER_API_PUBLIC_READ = env.bool("TRACKER_API_PUBLIC_READ", default=False)
TRACKER_API_PAGE_SIZE = env.int("TRACKER_API_PAGE_SIZE", default=50)
TRACKER_API_MAX_PAGE_SIZE = env.int("TRACKER_API_MAX_PAGE_SIZE", default=1000)
TRACKER_API_BULK_MAX = env.int("TRACKER_API_BULK_MAX", default=1000)
# Read per request by core.api.throttling, so they can change without a restart of tests.
TRACKER_API_THROTTLE_RATES = {
    "anon": env.str("TRACKER_API_THROTTLE_ANON", default="60/minute"),
    "user": env.str("TRACKER_API_THROTTLE_USER", default="5000/minute"),
}
# Seconds a user's permissions are cached by the API (per process): a role change takes effect
# within this delay. 0 turns the cache off.
TRACKER_API_PERMISSION_CACHE_SECONDS = env.int("TRACKER_API_PERMISSION_CACHE_SECONDS", default=10)
# Seconds a JSON list page of incidents or violations is kept (per process) for the same request
# on an unchanged database; see core/api/sqljson.py. 0 turns the page cache off.
TRACKER_API_PAGE_CACHE_SECONDS = env.int("TRACKER_API_PAGE_CACHE_SECONDS", default=300)


def _redis_cache_url(url):
    """The broker's Redis server, another database (the next one; the one before for /15): the
    cache is flushed in tests, the queues never. None for a URL that is not redis:// or rediss://
    (a socket, say): then set CACHE_REDIS_URL."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("redis", "rediss"):
        return None
    database = int(parts.path.strip("/") or 0)
    return urllib.parse.urlunsplit(parts._replace(path=f"/{database + 1 if database < 15 else database - 1}"))


CACHE_REDIS_URL = env.str("CACHE_REDIS_URL", default="") or (
    _redis_cache_url(REDIS_URL) if REDIS_URL else None
)
# "default" is shared by every process (the throttle counters): Redis when there is
# one. "local" is per process (a user's token and permissions, TRACKER_API_PERMISSION_CACHE_SECONDS).
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_REDIS_URL}
        if CACHE_REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "default"}
    ),
    "local": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "local"},
    "api-pages": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "api-pages",
        "OPTIONS": {"MAX_ENTRIES": env.int("TRACKER_API_PAGE_CACHE_ENTRIES", default=500)},
    },
}
TRACKER_HEALTH_TIMEOUT = env.float("TRACKER_HEALTH_TIMEOUT", default=1.0)
TRACKER_HEALTH_CACHE_SECONDS = env.int("TRACKER_HEALTH_CACHE_SECONDS", default=5)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.api.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["core.api.permissions.RolePermissions"],
    "DEFAULT_FILTER_BACKENDS": [
        "core.api.filters.DjangoFilterBackend",
        "core.api.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "core.api.pagination.CursorPagination",
    "DEFAULT_THROTTLE_CLASSES": [
        "core.api.throttling.AnonRateThrottle",
        "core.api.throttling.UserRateThrottle",
    ],
    "DEFAULT_RENDERER_CLASSES": [
        "core.api.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "core.api.negotiation.ContentNegotiation",
    "EXCEPTION_HANDLER": "core.api.exceptions.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "core.api.schema.AutoSchema",
    "ORDERING_PARAM": "ordering",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Ceasefire Compliance Tracker API",
    "DESCRIPTION": (
        "Agreements, clauses, deadlines, incidents and violations. Authenticate with "
        "`Authorization: Token <key>` (obtain a key at `/api/v1/auth/token/`) or a session. "
        "Lists use cursor pagination: follow `next`; `page_size` is at most "
        f"{TRACKER_API_MAX_PAGE_SIZE}."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",  # served locally: works offline
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v[0-9]+",
    "ENUM_NAME_OVERRIDES": {
        "IncidentStatusEnum": "incidents.choices.IncidentStatus",
        "ViolationStatusEnum": "tracker.choices.ViolationStatus",
        "DeadlineStatusEnum": "agreements.choices.DeadlineStatus",
        "AgreementStatusEnum": "agreements.choices.AgreementStatus",
        "PartyRoleEnum": "agreements.choices.PartyRole",
        "PartyKindEnum": "agreements.choices.PartyKind",
        "IncidentCategoryEnum": "core.choices.IncidentCategory",
        "LocationPrecisionEnum": "incidents.choices.LocationPrecision",
        "ConfidenceEnum": "tracker.choices.Confidence",
        "AlertDeliveryStatusEnum": "alerts.choices.DeliveryStatus",
        "AlertChannelEnum": "alerts.choices.Channel",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("DJANGO_LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # fpdf2's font subsetting logs every glyph table at INFO.
        "fontTools": {"level": "WARNING"},
    },
}
