"""KPI Machine settings: one module, configured by environment variables.

The defaults serve the embedded run (`make run`): SQLite, Celery tasks run eagerly in the web
process, DEBUG on. Production (docker-compose.yml) sets DEBUG=false and the variables listed in
README.md; unsafe production settings stop start-up with a message rather than run quietly.
"""

import datetime
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from kpi_machine.database import with_portal_options

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    if raw.lower() in {"1", "true", "yes", "on"}:
        return True
    if raw.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean: use true or false.")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number.") from None


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)

# The development key only ever works with DEBUG on; production must supply its own.
DEVELOPMENT_SECRET_KEY = "django-insecure-kpi-machine-development-key-do-not-use-in-production"
INSECURE_SECRET_KEYS = {"", DEVELOPMENT_SECRET_KEY, "changeme", "change-me", "secret", "please-change-me"}
SECRET_KEY = env_str("SECRET_KEY", DEVELOPMENT_SECRET_KEY if DEBUG else "")
if not DEBUG and (
    SECRET_KEY in INSECURE_SECRET_KEYS or SECRET_KEY.startswith("django-insecure") or len(SECRET_KEY) < 50
):
    raise ImproperlyConfigured(
        "SECRET_KEY is missing or insecure while DEBUG is off. Set SECRET_KEY to a random string of "
        "at least 50 characters, for example the output of: "
        "python -c 'import secrets; print(secrets.token_urlsafe(64))'"
    )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "django_filters",
    "simple_history",  # history of the indicator fields that judge a result (issue 10 item 2)
    "organisation",
    "indicators",
    "service_plans",
    "clinics",
    "reporting",
    "api",
    "kpi_machine",
    "django_otp",  # two-factor sign-in (issue 11, item 12)
    "django_otp.plugins.otp_totp",
    "axes",  # sign-in throttling (issue 11, item 10); keep it last
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Pages compressed for clients that accept it (the CMT scorecard: 2 MB of HTML). After
    # WhiteNoise, which serves static files already compressed; BREACH-safe since Django 4.2
    # (the CSRF token is masked afresh and the response padded at random). Django's, at zlib
    # level 1 for whole pages (`QuickGZipMiddleware`).
    "kpi_machine.middleware.QuickGZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "kpi_machine.middleware.RejectNulCharactersMiddleware",
    "kpi_machine.middleware.LegacyPeriodKeyRedirectMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # Who changed an indicator's judging fields, for its history (after authentication).
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "kpi_machine.middleware.IdleSessionTimeoutMiddleware",
    "kpi_machine.middleware.TwoFactorRequiredMiddleware",
    "kpi_machine.middleware.PrivatePagesNotCachedMiddleware",
    "axes.middleware.AxesMiddleware",
]
MIDDLEWARE.insert(0, "kpi_machine.middleware.TrustedProxyHeadersMiddleware")
MIDDLEWARE.insert(1, "django.middleware.csp.ContentSecurityPolicyMiddleware")

ROOT_URLCONF = "kpi_machine.urls"

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

WSGI_APPLICATION = "kpi_machine.wsgi.application"

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several writers (web + eager tasks) share the file: wait for locks instead of failing.
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
    DATABASES["default"]["CONN_MAX_AGE"] = 0
with_portal_options(DATABASES["default"])  # PostgreSQL without JIT: see kpi_machine/database.py
DATABASES["default"]["TEST"] = {"NAME": env_str("TEST_DATABASE_NAME") or None}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "kpi_machine.staticfinders.PlotlyFinder",
]
# Hashed, compressed files in production; plain storage when debugging and under test
# (the manifest needs collectstatic, which tests and the development server do not run).
STATIC_MANIFEST = env_bool("STATIC_MANIFEST", not DEBUG)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if STATIC_MANIFEST
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Without the manifest (the embedded run, even with DEBUG off) WhiteNoise serves straight from the
# finders, so `make run` needs no collectstatic.
WHITENOISE_USE_FINDERS = not STATIC_MANIFEST
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))

# Celery: eager in the embedded run, a real worker on Redis in production.
REDIS_URL = env_str("REDIS_URL", "redis://127.0.0.1:6379/0")
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", REDIS_URL)
CELERY_RESULT_BACKEND = env_str("CELERY_RESULT_BACKEND", REDIS_URL)
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", True)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    "recompute-all-nightly": {
        "task": "indicators.tasks.recompute_all",
        "schedule": 24 * 60 * 60,
    },
    "build-due-exception-lists": {"task": "reporting.tasks.build_due_exception_lists", "schedule": 60 * 60},
    # The outbox sweep: recomputes whose task never reached the broker (issue 11, item 3).
    "sweep-recompute-marks": {"task": "indicators.tasks.sweep_recompute_marks", "schedule": 60},
}
# A save never waits on the broker: connect within a second, no publish retries (the recompute
# outbox covers a failed send); the same for the redis result backend.
CELERY_BROKER_CONNECTION_TIMEOUT = float(env_str("CELERY_BROKER_CONNECTION_TIMEOUT", "1.0"))
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": CELERY_BROKER_CONNECTION_TIMEOUT,
    "socket_timeout": 2.0,
    "max_retries": 0,
}
CELERY_TASK_PUBLISH_RETRY = False
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = CELERY_BROKER_CONNECTION_TIMEOUT
CELERY_REDIS_SOCKET_TIMEOUT = 2.0

# Caches. "default" is Django's own default (each process's memory). "import_progress" carries an
# import's rows written while its one write transaction runs (indicators.data_entry.services.imports):
# the page polling it and the worker writing must share it, so it is Redis (the broker's) whenever
# a separate worker runs, and memory in the embedded run, where the worker is the web process.
# Short timeouts: a poll never waits on an unreachable Redis, it just shows less progress.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "import_progress": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "import-progress",
    }
    if CELERY_TASK_ALWAYS_EAGER
    else {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": env_str("IMPORT_PROGRESS_CACHE_URL", REDIS_URL),
        "KEY_PREFIX": "kpi",
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
    },
}

# Email: console by default; SMTP when EMAIL_HOST is set. Django 6.1's MAILERS setting replaces
# the EMAIL_* settings it deprecates; the environment variables keep their familiar names.
_smtp_host = env_str("EMAIL_HOST")
if _smtp_host:
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": _smtp_host,
                "port": env_int("EMAIL_PORT", 587),
                "username": env_str("EMAIL_HOST_USER") or None,
                "password": env_str("EMAIL_HOST_PASSWORD") or None,
                "use_tls": env_bool("EMAIL_USE_TLS", True),
                "timeout": 30,
            },
        }
    }
else:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "KPI Machine <kpi-machine@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Security. With DEBUG off these default to the safe values `manage.py check --deploy` expects;
# SECURE_SSL_REDIRECT can be turned off when a proxy terminates TLS and redirects itself.
# X-Forwarded-Proto (and -For) are believed only from the proxies KPI_TRUSTED_PROXIES names
# (addresses, comma-separated): kpi_machine.middleware.TrustedProxyHeadersMiddleware removes them
# from any other client, and with none named the header is not trusted at all.
KPI_TRUSTED_PROXIES = env_list("KPI_TRUSTED_PROXIES", "")
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if KPI_TRUSTED_PROXIES else None
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy (Django's own middleware): everything from this origin, no inline script
# or style, no eval (charts use plotly.js's basic bundle, which never calls Function(); htmx's
# allowEval is off in base.html); images may be data:/blob: URLs (chart downloads).
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    # plotly.js adds one empty <style> element and fills it through the CSSOM (insertRule, which
    # CSP allows): the hash of the empty string permits exactly that element and no inline style.
    "style-src": [CSP.SELF, "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='"],
    "img-src": [CSP.SELF, "data:", "blob:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}

# Sessions end after KPI_SESSION_IDLE_MINUTES without a request (default 30) and when the browser
# closes (kpi_machine.middleware.IdleSessionTimeoutMiddleware); signed-in pages and exports are
# sent with Cache-Control: private, no-store (PrivatePagesNotCachedMiddleware).
KPI_SESSION_IDLE_MINUTES = env_int("KPI_SESSION_IDLE_MINUTES", 30)
SESSION_COOKIE_AGE = KPI_SESSION_IDLE_MINUTES * 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# Sign-in throttling (django-axes): after KPI_LOGIN_FAILURE_LIMIT wrong passwords for one account,
# or from one address, sign-in is refused for KPI_LOGIN_LOCKOUT_MINUTES; the hub unlocks an
# account at /accounts/lockouts/. The admin's sign-in goes through the same backend.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("KPI_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env_int("KPI_LOGIN_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # each on its own: per account, per address
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False
# The client's address: REMOTE_ADDR, or X-Forwarded-For's last hop only behind a named proxy.
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"] if KPI_TRUSTED_PROXIES else ["REMOTE_ADDR"]
)
AXES_IPWARE_PROXY_COUNT = 1 if KPI_TRUSTED_PROXIES else None
# Two-factor sign-in (django-otp, TOTP): optional for everyone, on the account page (/accounts/);
# required for the hub's users, and for anyone opening the admin, when these are true.
KPI_REQUIRE_2FA_FOR_HUB = env_bool("KPI_REQUIRE_2FA_FOR_HUB", False)
KPI_REQUIRE_2FA_FOR_ADMIN = env_bool("KPI_REQUIRE_2FA_FOR_ADMIN", False)
OTP_TOTP_ISSUER = f"KPI Machine ({env_str('KPI_COUNCIL_NAME', 'City of York Council')})"
SILENCED_SYSTEM_CHECKS = env_list("SILENCED_SYSTEM_CHECKS", "")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# KPI Machine's own settings.
KPI_PAGE_SIZE = env_int("KPI_PAGE_SIZE", 25)
KPI_COUNCIL_NAME = env_str("KPI_COUNCIL_NAME", "City of York Council")

# The API (/api/v1/): requests per window per token and per address (anonymous callers and failed
# token checks), answered 429 with Retry-After past the limit; the limiter counts in the cache.
KPI_API_RATE_PER_TOKEN = env_int("KPI_API_RATE_PER_TOKEN", 600)
KPI_API_RATE_PER_ADDRESS = env_int("KPI_API_RATE_PER_ADDRESS", 120)
KPI_API_RATE_WINDOW_SECONDS = env_int("KPI_API_RATE_WINDOW_SECONDS", 60)
KPI_API_PUBLIC_MAX_AGE = env_int("KPI_API_PUBLIC_MAX_AGE", 60)

# Data entry: limits on imported workbooks and CSV files (refused above these, nothing written).
KPI_IMPORT_MAX_BYTES = env_int("KPI_IMPORT_MAX_BYTES", 10 * 1024 * 1024)
KPI_IMPORT_MAX_ROWS = env_int("KPI_IMPORT_MAX_ROWS", 20_000)
# A workbook's parts may unpack to at most this much (and 100 times the file's size), checked
# before parsing (indicators.workbooks.reader): the zip-bomb bound.
KPI_IMPORT_MAX_UNPACKED_BYTES = env_int("KPI_IMPORT_MAX_UNPACKED_BYTES", 200 * 1024 * 1024)
# Import jobs of kinds other than results and targets: the ImportKind that reads and writes each
# (indicators.data_entry.services.imports runs every kind's job; it may not import benchmarking).
KPI_IMPORT_JOB_KINDS = {"comparators": "indicators.benchmarks.services.COMPARATOR_IMPORTS"}
# The once-a-day tasks. Each is safe to run more than once a day: the reminder digests send each
# officer at most one a day (indicators.data_entry.services.reminders; plan reminders at most one
# a month, service_plans.reminders), the approval digest claims its day per approver.
DAILY = 24 * 60 * 60
CELERY_BEAT_SCHEDULE |= {
    name: {"task": task, "schedule": DAILY}
    for name, task in [
        # Returns due within 5 days and overdue ones.
        ("send-return-reminders-daily", "indicators.data_entry.tasks.send_return_reminders"),
        # Approvers who chose a daily digest of results waiting for them (issue 10, item 15).
        ("send-approval-digests-daily", "indicators.data_entry.tasks.send_approval_digests"),
        ("check-remedial-plans-daily", "clinics.tasks.check_remedial_plans"),
        # Committee reports (issue 15): drafts once a quarter's returns fall due; narrative reminders.
        ("generate-due-reports-daily", "reporting.reports.tasks.generate_due_reports"),
        ("send-narrative-reminders-daily", "reporting.reports.tasks.send_narrative_reminders"),
        # Service Improvement Plans: monthly updates due and risk reviews.
        ("send-plan-reminders-daily", "service_plans.tasks.send_plan_reminders"),
    ]
}
