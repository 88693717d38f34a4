"""Sprintback settings. Everything that differs between machines comes from the environment.

With no environment at all the app runs on a SQLite file in the project folder and a
Celery broker on the file system (no server needed). Production sets DATABASE_URL,
CELERY_BROKER_URL, SECRET_KEY, DEBUG=false, ALLOWED_HOSTS and SITE_URL.

One file of about 450 lines, on purpose: Django reads settings as one module, and each
section (database, Celery, REST framework, tokens, sessions, login protection, two-factor)
is a flat list of names with the environment variable and the reason beside each; split into
modules they would import each other's values (DEBUG, SITE_URL) and a reader would have to
follow star-imports to learn what a variable does.
"""

from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

from core import vapid

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def _bool(name: str, default: bool) -> bool:
    raw = env.str(name, default=str(default)).strip().lower()
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    raise ImproperlyConfigured(
        f"{name}={raw!r} is not a boolean: use one of true/false, 1/0, yes/no."
    )


def _int(name: str, default: int) -> int:
    raw = env.str(name, default=str(default))
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number.") from None


def _database(default: str) -> dict:
    url = env.str("DATABASE_URL", default=default)
    try:
        config = environ.Env.db_url_config(url)
    except Exception as exc:  # django-environ raises several types for bad URLs
        raise ImproperlyConfigured(
            f"DATABASE_URL={url!r} is not a database URL "
            f"(expected postgres://user@host:5432/name or sqlite:///path): {exc}"
        ) from None
    engine = config.get("ENGINE", "")
    if engine not in ("django.db.backends.postgresql", "django.db.backends.sqlite3"):
        raise ImproperlyConfigured(
            f"DATABASE_URL={url!r}: only PostgreSQL and SQLite are supported, not {engine!r}."
        )
    if engine.endswith("postgresql"):
        config.setdefault("CONN_MAX_AGE", _int("CONN_MAX_AGE", 60))
        config["CONN_HEALTH_CHECKS"] = True
    else:
        # Several processes (web, worker, beat) share the file in development.
        config.setdefault("OPTIONS", {}).update({"timeout": 20, "transaction_mode": "IMMEDIATE"})
        # A file, not memory, so a Celery worker started by a test sees the test database.
        config["TEST"] = {"NAME": str(BASE_DIR / "test-db.sqlite3")}
    return config


DEBUG = _bool("DEBUG", True)
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is false.")
    SECRET_KEY = "dev-only-insecure-key-change-me-0123456789abcdefghijklmnopqrstuvwxyz"

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "knox",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "template_partials",
    "axes",
    "csp",
    # Two-factor sign-in for staff (athletes.two_factor): authenticator apps and backup codes.
    "django_otp",
    "config.otp_apps.AuthenticatorAppsConfig",  # django_otp.plugins.otp_totp
    "config.otp_apps.BackupCodesConfig",  # django_otp.plugins.otp_static
    # Our apps, lowest layer first (README "Layout"; import-linter enforces it).
    "core",
    "athletes",
    "monitoring",
    "rehab",
    "portal",
]

MIDDLEWARE = [
    # First, so every log line of the request (including other middleware's) carries its id.
    "core.logs.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The browser's language (Accept-Language) for every request; a signed-in person's own
    # choice replaces it below (monitoring.middleware).
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "monitoring.middleware.PreferredLanguageMiddleware",
    # Marks request.user verified when this session gave a second-factor code.
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Sends staff who must give a code (or enrol) there before any other page.
    "athletes.middleware.TwoFactorMiddleware",
    # Last, as django-axes requires: turns a lock-out raised during login into its response.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    # Refuses every attempt (even the right password) while a login is locked out.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
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
                "athletes.context_processors.roles",
                "monitoring.context_processors.notification_bell",
            ],
        },
    },
]

DATABASES = {"default": _database(f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-gb"
# The languages a person may choose on their preferences page (each in its own words): those
# with a catalogue (locale/, `make messages`) and formats (config/formats). A request is in the
# person's choice, else the browser's (LocaleMiddleware), else LANGUAGE_CODE. Spanish and French
# translate everything an athlete reads and every e-mail (core.translations); staff pages are in
# English where no translation is written yet.
LANGUAGES = [("en-gb", "English"), ("es", "Español"), ("fr", "Français")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env.str("TIME_ZONE", default="Europe/London")
try:
    ZoneInfo(TIME_ZONE)
except (ZoneInfoNotFoundError, ValueError):
    raise ImproperlyConfigured(f"TIME_ZONE={TIME_ZONE!r} is not an IANA time zone name.") from None
USE_I18N = True
USE_TZ = True
# Dates read the same on every page and in every text: config/formats/<language>/formats.py.
FORMAT_MODULE_PATH = ["config.formats"]

STATIC_URL = "static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_FILE_PATH = env.str("EMAIL_FILE_PATH", default=str(BASE_DIR / ".mail"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Sprintback <noreply@sprintback.local>")


def _site_url(name: str, default: str) -> str:
    raw = env.str(name, default=default).strip()
    parts = urlsplit(raw)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise ImproperlyConfigured(
            f"{name}={raw!r} is not a site address: use e.g. https://sprintback.example.org"
        )
    return raw.rstrip("/")


# Where people open the app: links in e-mails (which are read outside it) start with it.
SITE_URL = _site_url("SITE_URL", "http://127.0.0.1:8000")

# --- Web Push (check-in reminders, monitoring.push) ---------------------------------------
# The VAPID key pair (base64url: the raw 32-byte private key, the 65-byte public point) and
# the contact the push services see (a mailto: or https: address). Unset in development: a
# pair is made once and kept in .vapid/keys.json (gitignored), so `make run` needs nothing.
# Unset with DEBUG false: push is off and reminders go by e-mail.
VAPID_PRIVATE_KEY = env.str("VAPID_PRIVATE_KEY", default="")
VAPID_PUBLIC_KEY = env.str("VAPID_PUBLIC_KEY", default="")
VAPID_SUBJECT = env.str(
    "VAPID_SUBJECT", default=f"mailto:{DEFAULT_FROM_EMAIL.split('<')[-1].strip('> ')}"
)
if not VAPID_PRIVATE_KEY and DEBUG:
    VAPID_PRIVATE_KEY, VAPID_PUBLIC_KEY = vapid.development_keys(BASE_DIR / ".vapid" / "keys.json")
if VAPID_PRIVATE_KEY:
    try:
        _derived = vapid.public_key_for(VAPID_PRIVATE_KEY)
    except ValueError:
        raise ImproperlyConfigured(
            "VAPID_PRIVATE_KEY is not a base64url P-256 private key (32 bytes)."
        ) from None
    if VAPID_PUBLIC_KEY not in ("", _derived):
        raise ImproperlyConfigured("VAPID_PUBLIC_KEY is not the public key of VAPID_PRIVATE_KEY.")
    VAPID_PUBLIC_KEY = _derived
if not VAPID_SUBJECT.startswith(("mailto:", "https://")):
    raise ImproperlyConfigured(f"VAPID_SUBJECT={VAPID_SUBJECT!r}: use a mailto: or https: address.")

# --- Celery -----------------------------------------------------------------------------
# Default: the file-system transport, which needs no server. Its folders must be given
# explicitly or producer and worker never meet.
BROKER_DIR = Path(env.str("CELERY_BROKER_DIR", default=str(BASE_DIR / ".broker")))
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
if not CELERY_BROKER_URL.split("://", 1)[0] or "://" not in CELERY_BROKER_URL:
    raise ImproperlyConfigured(
        f"CELERY_BROKER_URL={CELERY_BROKER_URL!r} is not a broker URL "
        "(expected redis://host:6379/0, amqp://..., or filesystem://)."
    )
if CELERY_BROKER_URL.startswith("filesystem://"):
    for sub in ("queue", "processed", "control"):
        (BROKER_DIR / sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "processed_folder": str(BROKER_DIR / "processed"),
        "control_folder": str(BROKER_DIR / "control"),
        "store_processed": False,
    }
else:
    # A task whose worker died unacknowledged is handed out again after this many seconds;
    # it must exceed the longest task (bench/faults.py shortens it to watch a redelivery).
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": _int("CELERY_VISIBILITY_TIMEOUT", 3600)
    }
CELERY_TASK_ALWAYS_EAGER = _bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Beat's schedule file (when each periodic task last ran) has a folder of its own, whatever
# the broker: BROKER_DIR exists only for the file-system transport, and beat does not create
# a missing folder, it dies at start.
BEAT_DIR = Path(env.str("CELERY_BEAT_DIR", default=str(BASE_DIR / ".beat")))
BEAT_DIR.mkdir(parents=True, exist_ok=True)
CELERY_BEAT_SCHEDULE_FILENAME = str(BEAT_DIR / "celerybeat-schedule")
MONITORING_SCAN_MINUTES = _int("MONITORING_SCAN_MINUTES", 15)
# Changed athletes are evaluated about a second after the commit (athletes.evaluation); this
# sweep catches a request whose wake-up was lost (web process died, broker briefly down).
# Every minute on the minute by default; another MONITORING_SWEEP_SECONDS runs it that many
# seconds apart (the test that watches beat send its first task uses a few).
MONITORING_SWEEP_SECONDS = _int("MONITORING_SWEEP_SECONDS", 60)
if MONITORING_SWEEP_SECONDS < 1:
    raise ImproperlyConfigured(
        f"MONITORING_SWEEP_SECONDS={MONITORING_SWEEP_SECONDS}: use a positive number of seconds."
    )
_PENDING_SWEEP = {
    "task": "rehab.tasks.evaluate_pending",
    "schedule": (
        crontab(minute="*")
        if MONITORING_SWEEP_SECONDS == 60
        else timedelta(seconds=MONITORING_SWEEP_SECONDS)
    ),
}
CELERY_BEAT_SCHEDULE = {
    "monitoring-pending-evaluations": _PENDING_SWEEP,
    "monitoring-full-scan": {
        "task": "rehab.tasks.scan_all_athletes",
        "schedule": crontab(minute=f"*/{MONITORING_SCAN_MINUTES}"),
    },
    # Each person's daily digest, at the local time they chose (monitoring.notify).
    "notification-digests": {
        "task": "monitoring.tasks.send_notification_digests",
        "schedule": crontab(minute="*"),
    },
    # Each athlete's check-in reminder, at the local time they chose (rehab.reminders).
    "checkin-reminders": {
        "task": "rehab.tasks.send_checkin_reminders",
        "schedule": crontab(minute="*"),
    },
}

# --- REST framework -------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first: an anonymous request is answered 401 with WWW-Authenticate: Token.
        # (DRF's, with knox's tokens, loading the user's own athlete record in the same query.)
        "athletes.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # JSON with a size and nesting limit (a 400, not a RecursionError); forms as DRF parses them.
    "DEFAULT_PARSER_CLASSES": [
        "core.parsers.BoundedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "core.api.exception_handler",
    # DRF's sliding windows, counted in the cache (Redis in production, shared by the workers):
    # per signed-in user (token or session), and per client address without credentials. The
    # token endpoint has its own scope (config.api_urls).
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.str("THROTTLE_ANON", default="60/min"),
        "user": env.str("THROTTLE_USER", default="1200/min"),
        "token": env.str("THROTTLE_TOKEN", default="10/min"),
    },
}

# --- Invitations (athletes.invitations) ----------------------------------------------------
# A team's invitation link is single-use and lasts INVITATION_DAYS (a resend starts again).
INVITATION_DAYS = _int("INVITATION_DAYS", 7)
if INVITATION_DAYS < 1:
    raise ImproperlyConfigured(f"INVITATION_DAYS={INVITATION_DAYS}: use a positive number of days.")

# --- API tokens (django-rest-knox, athletes.ApiToken) ----------------------------------------
# Per device, stored as a digest, ended by expiry, a password change or reset, deactivation or
# erasure (athletes.tokens). People's tokens last API_TOKEN_TTL_DAYS; staff make integration
# tokens without expiry in the admin.
API_TOKEN_TTL_DAYS = _int("API_TOKEN_TTL_DAYS", 90)
if API_TOKEN_TTL_DAYS < 1:
    raise ImproperlyConfigured(
        f"API_TOKEN_TTL_DAYS={API_TOKEN_TTL_DAYS}: use a positive number of days."
    )
# knox's swappable token model (its REST_KNOX TOKEN_MODEL defaults to this); athletes.authentication
# reads it with the user and athlete (select_related) instead of knox's own authentication.
KNOX_TOKEN_MODEL = "athletes.ApiToken"
REST_KNOX = {"TOKEN_TTL": timedelta(days=API_TOKEN_TTL_DAYS)}
# knox's own AuthToken is swapped out for athletes.ApiToken; its migrations would still create
# an empty knox_authtoken table beside ours.
MIGRATION_MODULES = {"knox": None}

# Throttle counters (and anything else cached) are shared between processes when CACHE_URL
# points at Redis; the default is per-process memory.
CACHES = {"default": env.cache_url("CACHE_URL", default="locmemcache://")}
SPECTACULAR_SETTINGS = {
    "TITLE": "Sprintback API",
    "DESCRIPTION": "Return-to-sprint rehab data: athletes, plans, check-ins, measurements, flags.",
    "VERSION": "1.0.0",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "core.api.add_error_responses",
    ],
}

# Plain lines for people in development; JSON lines (one object each) for log shippers in
# production. Every line carries the request id (config/logs.py).
LOG_FORMAT = env.str("LOG_FORMAT", default="plain" if DEBUG else "json")
if LOG_FORMAT not in ("plain", "json"):
    raise ImproperlyConfigured(f"LOG_FORMAT={LOG_FORMAT!r}: use plain or json.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "core.logs.RequestIdFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {"()": "core.logs.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        # Through the root handler (with the request id), not Django's own console handler.
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        "django.db.backends": {"level": "WARNING"},
    },
}

# bench/api_ingest.py mounts a bare comparison view; never set in production.
BENCH_ENDPOINTS = _bool("SPRINTBACK_BENCH", False)

# --- Sessions and transport security ----------------------------------------------------
# Production (DEBUG=false) gets the safe value of each; any of them can be turned off by
# environment, e.g. SECURE_SSL_REDIRECT=false when the proxy already redirects.
SESSION_COOKIE_AGE = _int("SESSION_COOKIE_AGE", 60 * 60 * 12)
SESSION_EXPIRE_AT_BROWSER_CLOSE = _bool("SESSION_EXPIRE_AT_BROWSER_CLOSE", False)
SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = _bool("CSRF_COOKIE_SECURE", not DEBUG)
SESSION_COOKIE_HTTPONLY = True
SECURE_SSL_REDIRECT = _bool("SECURE_SSL_REDIRECT", not DEBUG)
# /healthz is probed over plain HTTP from inside the container network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = _int("SECURE_HSTS_SECONDS", 0 if DEBUG else 60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = _bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = _bool("SECURE_HSTS_PRELOAD", not DEBUG)
if _bool("BEHIND_TLS_PROXY", False):
    # Only when a proxy that sets X-Forwarded-Proto (and strips a client's own) is in front.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Content Security Policy (django-csp). Every script is a static file (no inline <script>,
# no eval), so scripts come from 'self' only. htmx's own indicator <style> is turned off
# in the pages (htmx-config meta), so styles are 'self' too.
_SELF, _NONE = "'self'", "'none'"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [_SELF],
        "script-src": [_SELF],
        "style-src": [_SELF],
        "img-src": [_SELF, "data:"],
        "font-src": [_SELF],
        "connect-src": [_SELF],
        "manifest-src": [_SELF],
        "worker-src": [_SELF],
        "object-src": [_NONE],
        "base-uri": [_SELF],
        "form-action": [_SELF],
        "frame-ancestors": [_NONE],
    },
}

# --- Login protection (django-axes) ------------------------------------------------------
# N failures for one username from one address lock that pair out for AXES_COOLOFF_MINUTES;
# a staff admin can unlock early (admin "Access attempts", or `manage.py axes_reset`).
AXES_FAILURE_LIMIT = _int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_MINUTES = _int("AXES_COOLOFF_MINUTES", 15)
AXES_COOLOFF_TIME = timedelta(minutes=AXES_COOLOFF_MINUTES)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# A sign-in succeeds when every factor has passed: athletes.two_factor clears the failures then
# (after the password for most people, after the code for those who give one). Axes' own reset
# on the password alone would let someone who knows the password guess codes without end.
AXES_RESET_ON_SUCCESS = False
# Wrong second-factor codes count as failed sign-ins too; never store what was typed.
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "code", "otp"]
AXES_LOCKOUT_CALLABLE = "athletes.lockout.lockout_response"
AXES_VERBOSE = False
# Number of proxies in front of gunicorn whose X-Forwarded-For is trusted (0: none).
AXES_IPWARE_PROXY_COUNT = _int("AXES_PROXY_COUNT", 0) or None
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"] if AXES_IPWARE_PROXY_COUNT else ["REMOTE_ADDR"]
)

# --- Two-factor sign-in (django-otp; athletes.two_factor) -------------------------------------
# true: every coach, clinician and staff admin must use it (a team can also require it for its
# own staff, in the admin). Athletes are never asked.
STAFF_REQUIRE_2FA = _bool("STAFF_REQUIRE_2FA", False)
OTP_TOTP_ISSUER = "Sprintback"
# The admin lists devices without their secret keys or backup codes.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
