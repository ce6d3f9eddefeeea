"""Settings for fairinspect, in one file, driven by the environment.

Defaults give a working single-office install on SQLite with no set-up; production sets
FAIRINSPECT_ENV=production, SECRET_KEY, ALLOWED_HOSTS and DATABASE_URL.
"""

import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from fairinspect.config.env import env_int, env_required

BASE_DIR = Path(__file__).resolve().parents[3]
VAR_DIR = Path(os.environ.get("FAIRINSPECT_VAR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)

ENV = os.environ.get("FAIRINSPECT_ENV", "development")
PRODUCTION = ENV == "production"
DEBUG = os.environ.get("DEBUG", "0" if PRODUCTION else "1") == "1"

if PRODUCTION:
    SECRET_KEY = env_required("SECRET_KEY")
else:
    SECRET_KEY = os.environ.get(
        "SECRET_KEY", "dev-only-not-secret-fairinspect-0123456789-abcdefghij"
    )

# Demo mode: the login page lists the demo accounts (those that exist) with their password.
# On by default outside production, where `make run` loads the demo; never on in production.
DEMO = not PRODUCTION and os.environ.get("FAIRINSPECT_DEMO", "1") == "1"

ALLOWED_HOSTS = [h for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "template_partials",
    "django_tasks",
    "django_tasks_db",
    "axes",
    "fairinspect.core",
    "fairinspect.audit",
    "fairinspect.registry",
    "fairinspect.catalog",
    "fairinspect.supervision",
    "fairinspect.visits",
    "fairinspect.planning",
    "fairinspect.cases",
    "fairinspect.exchange",
    "fairinspect.monitoring",
    "fairinspect.enterprise",
    "fairinspect.experts",
    "fairinspect.portal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "fairinspect.core.middleware.ContentSecurityPolicyMiddleware",
    "fairinspect.core.http.DomainErrorMiddleware",
    # Last, as django-axes asks; it keeps the page's own answer (AXES_LOCKOUT_CALLABLE).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "fairinspect.config.urls"
WSGI_APPLICATION = "fairinspect.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "fairinspect.core.context.roles",
            ],
        },
    }
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'fairinspect.sqlite3'}", conn_max_age=60
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # WAL and a busy timeout let two requests write one after the other instead of failing;
    # IMMEDIATE transactions take the write lock at BEGIN, so a check-then-write race
    # (the annual cap) is serialised on SQLite as select_for_update serialises it on PostgreSQL.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # A file, not memory: the concurrency tests need several real connections.
    DATABASES["default"]["TEST"] = {
        "NAME": os.environ.get("FAIRINSPECT_TEST_DB", str(VAR_DIR / "test-fairinspect.sqlite3"))
    }
elif "postgresql" in DATABASES["default"]["ENGINE"]:
    # PostgreSQL's JIT spends longer compiling the big set-based reads (a draw's freeze over a
    # city) than they gain: 1.6 s of a 6 s read at 1,000,000 enterprises; the requests' small
    # statements never use it. Off for this application's connections (docs/performance.md).
    pg_options = ["-c jit=off"]
    if os.environ.get("FAIRINSPECT_DB_PREPARE", "on") != "off":
        # The hot statements of every request (core/prepared.py: the session, the user, the
        # pre-check's, the quota's) are prepared on the server at their first execution on a
        # connection and keep one generic plan: the planner once per connection, not once
        # per request. Every other query stays client-side bound (Django's default). "off"
        # behind a PgBouncer older than 1.21 in transaction mode (docs/deploy.md).
        DATABASES["default"].setdefault("OPTIONS", {}).setdefault("prepare_threshold", 0)
        pg_options.append("-c plan_cache_mode=force_generic_plan")
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", " ".join(pg_options))

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "registry.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Lock-out (django-axes, registry/auth.py): LOGIN_MAX_FAILURES failed logins for one
# username from one address lock that username at that address for LOGIN_LOCK_MINUTES;
# LOGIN_IP_MAX_FAILURES failures from one address, whatever the usernames, lock the address.
# A username is never locked for every address, so an outsider cannot lock its owner out.
LOGIN_MAX_FAILURES = env_int("LOGIN_MAX_FAILURES", 5, minimum=1)
LOGIN_IP_MAX_FAILURES = env_int("LOGIN_IP_MAX_FAILURES", 30, minimum=1)
LOGIN_LOCK_MINUTES = env_int("LOGIN_LOCK_MINUTES", 15, minimum=1)
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # ModelBackend, with the session's user and roles read in one prepared statement.
    "fairinspect.registry.backends.Backend",
]
# Django's database sessions, the session row read by a prepared statement.
SESSION_ENGINE = "fairinspect.core.sessions"
AXES_FAILURE_LIMIT = LOGIN_MAX_FAILURES
AXES_COOLOFF_TIME = LOGIN_LOCK_MINUTES / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_HANDLER = "fairinspect.registry.auth.ThrottlingAxesHandler"
AXES_CLIENT_IP_CALLABLE = "fairinspect.registry.auth.client_ip"
AXES_LOCKOUT_CALLABLE = "fairinspect.registry.auth.keep_response"
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "src" / "fairinspect" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns on a missing root
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
IMPORT_MAX_BYTES = env_int("IMPORT_MAX_BYTES", 50 * 1024 * 1024, minimum=1)
# An import's runner renews its lease while it works; a job whose lease ran out this long ago
# (its runner died) is failed by registry.imports.reap_stale_imports and can be run again.
IMPORT_LEASE_SECONDS = env_int("IMPORT_LEASE_SECONDS", 300, minimum=1)
# A file of at least IMPORT_PARALLEL_ROWS rows (of a source without a column mapping) is
# cleaned by IMPORT_WORKERS worker processes (registry/cleaning.py); fewer than 2: serial.
IMPORT_WORKERS = env_int("IMPORT_WORKERS", min(os.cpu_count() or 1, 4), minimum=1)
IMPORT_PARALLEL_ROWS = env_int("IMPORT_PARALLEL_ROWS", 20000, minimum=1)

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# The cache holds what is rendered once for many requests: the main navigation per language
# and roles (core/base.html), the public draw page's HTML per page and language under the
# key of everything it shows (core/pagecache.py). Each process keeps its own, bounded: those
# entries are cheap to make again and never need to be shared between processes.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "fairinspect",
        "OPTIONS": {"MAX_ENTRIES": env_int("CACHE_MAX_ENTRIES", 1000, minimum=1)},
    }
}
# How long a cached page may show what its key does not name (the registry's current names
# of the enterprises listed on a public draw page).
PAGE_CACHE_SECONDS = env_int("PAGE_CACHE_SECONDS", 600)

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 12 * 3600
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = os.environ.get("SECURE_SSL_REDIRECT", "1") == "1"
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # The load balancer's probes may speak plain HTTP to the server itself (docs/deploy.md).
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]

# Logs go to standard output (systemd's journal keeps them). In production each line is one
# JSON object (time, level, logger, message, and the request's fields where Django adds
# them), so the bureau's log tools can filter without parsing prose; LOG_FORMAT=text or json
# overrides the default.
LOG_FORMAT = os.environ.get("LOG_FORMAT", "json" if PRODUCTION else "text")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "line": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        }
        if LOG_FORMAT == "json"
        else {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "line"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# The bureau as it signs its data: the name and unified social credit code printed in the
# national and 信用中国 exchange files (exchange/, docs/exports.md). The code is the bureau's
# own (a 机关 code, 11…); exports refuse to run without it.
AUTHORITY_NAME = os.environ.get("AUTHORITY_NAME", "乌鲁木齐市应急管理局")
AUTHORITY_CREDIT_CODE = os.environ.get("AUTHORITY_CREDIT_CODE", "")
# The audit trail's checkpoint key (HMAC-SHA256, R8.5). It must not be in the database:
# production requires it in the environment; elsewhere a key file under var/ is created on
# first use (audit/checkpoints.py).
if PRODUCTION:
    AUDIT_HMAC_KEY = os.environ["AUDIT_HMAC_KEY"]
else:
    AUDIT_HMAC_KEY = os.environ.get("AUDIT_HMAC_KEY", "")
AUDIT_HMAC_KEY_FILE = Path(os.environ.get("AUDIT_HMAC_KEY_FILE", VAR_DIR / "audit-hmac.key"))

# The signing salt of enterprise QR tokens; rotating SECRET_KEY revokes every printed code.
QR_TOKEN_SALT = "fairinspect.registry.qr"
# The public base URL printed on QR posters.
PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:8000")

# Monitoring (R4.3): the MQTT broker the `fairinspect monitor` consumer reads from.
MONITOR_MQTT_HOST = os.environ.get("MONITOR_MQTT_HOST", "127.0.0.1")
MONITOR_MQTT_PORT = env_int("MONITOR_MQTT_PORT", 1883, minimum=1)
MONITOR_MQTT_TOPIC = os.environ.get("MONITOR_MQTT_TOPIC", "fairinspect/+/readings")
# The assistant (R4.4): an OpenAI-compatible endpoint the bureau configures; off when empty.
ASSISTANT_BASE_URL = os.environ.get("ASSISTANT_BASE_URL", "")
ASSISTANT_API_KEY = os.environ.get("ASSISTANT_API_KEY", "")
ASSISTANT_MODEL = os.environ.get("ASSISTANT_MODEL", "deepseek-chat")
ASSISTANT_TIMEOUT = float(os.environ.get("ASSISTANT_TIMEOUT", "30"))
