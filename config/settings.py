"""Ordo's settings: one module, driven by environment variables (see README, "Configuration")."""

import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), not {value!r}")


def env_list(name: str, default: str = "") -> list[str]:
    return [part.strip() for part in env_str(name, default).split(",") if part.strip()]


def env_seconds(name: str, default: int) -> int:
    value = env_str(name).strip()
    if not value:
        return default
    try:
        seconds = int(value)
    except ValueError:
        seconds = -1
    if seconds < 0:
        raise ImproperlyConfigured(f"{name} must be a whole number of seconds (0 or more), not {value!r}")
    return seconds


DEBUG = env_bool("DJANGO_DEBUG", False)

SECRET_KEY = env_str("DJANGO_SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off.")
    SECRET_KEY = "insecure-debug-only-key-do-not-use-in-production-0123456789"  # noqa: S105 - debug only

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("DJANGO_ALLOWED_HOSTS must be set when DJANGO_DEBUG is off.")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")
CSRF_FAILURE_VIEW = "config.errors.csrf_failure"

# Links in emails are absolute; the request is not there when a worker builds them.
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "csp",
    "axes",
    "accounts",
    "backlog",
    "sprints",
    "digests",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Outside the database middleware, so that its 503 carries the frame and content policies too,
    # and outside whitenoise, so that static files do (an SVG opened on its own is a document).
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Before everything else that does work per request: a static file needs none of it.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Outside everything that queries: a database that is down or out of connections is a 503.
    "config.errors.DatabaseUnavailableMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.TimezoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # An htmx request sent to log in gets HX-Redirect, not the login page swapped into the board.
    "accounts.middleware.HtmxLoginRedirectMiddleware",
    "config.errors.OrdoErrorMiddleware",
    # Last, as django-axes asks: it turns a lockout into the lockout response.
    "axes.middleware.AxesMiddleware",
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
                "csp.context_processors.nonce",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------------------------

VAR_DIR.mkdir(exist_ok=True)
# Persistent connections belong to gunicorn only (config/gunicorn.py sets 60): `runserver` starts
# a thread per request, and each thread would keep its own connection until PostgreSQL runs out
# (100 within a minute of concurrent use). The health check replaces a connection the server
# dropped (a restart) before the request uses it, instead of failing that request.
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'ordo.sqlite3'}"),
        conn_max_age=env_seconds("DJANGO_CONN_MAX_AGE", 0),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A host that drops packets must not hang a worker until the kernel gives up (minutes):
    # after 3 s the request answers 503 (config.errors). A connect_timeout in DATABASE_URL wins.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 3)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Concurrent writers on SQLite: take the write lock when the transaction starts
    # (IMMEDIATE) instead of failing with "database is locked" when a reader upgrades, and use
    # WAL so readers never block the writer.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Accounts, sessions, login lockout ----------------------------------------------------------

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # First, as django-axes asks: it refuses a locked-out username+address pair before any
    # password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "backlog:product-list"
LOGOUT_REDIRECT_URL = "accounts:login"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24
INVITATION_MAX_AGE = timedelta(days=7)

# Lock the (account, address) pair, never the account alone: a stranger hammering one address
# must not lock the real user out from everywhere. Locks lift by themselves after the cool-off.
AXES_FAILURE_LIMIT = int(env_str("AXES_FAILURE_LIMIT", "5"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_RESET_ON_SUCCESS = True
# A try during a lock (even with the right password) must not restart the cool-off, or one
# request every 14 minutes keeps someone locked out for good.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_USERNAME_CALLABLE = "accounts.lockout.username_from_request"
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"
# The address of an attempt: REMOTE_ADDR, or behind DJANGO_PROXY_COUNT trusted proxies
# (DJANGO_BEHIND_PROXY) the one the outermost of them saw, from X-Forwarded-For.
AXES_CLIENT_IP_CALLABLE = "accounts.lockout.client_ip"
TRUSTED_PROXY_COUNT = int(env_str("DJANGO_PROXY_COUNT", "1")) if env_bool("DJANGO_BEHIND_PROXY", False) else 0
AXES_VERBOSE = False

# --- Security -----------------------------------------------------------------------------------

# Everything that only makes sense behind TLS; on by default outside debug.
HTTPS = env_bool("DJANGO_HTTPS", not DEBUG)
SECURE_SSL_REDIRECT = HTTPS
# The container health check speaks plain HTTP from inside.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
if env_bool("DJANGO_BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True

# django-csp 4 format. No 'unsafe-inline' anywhere: every script and style is a static file.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

# --- Internationalisation -----------------------------------------------------------------------

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Static files -------------------------------------------------------------------------------

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# The manifest storage needs `collectstatic`; tests and `make run` serve the files as they are.
STATICFILES_BACKEND = (
    "whitenoise.storage.CompressedManifestStaticFilesStorage"
    if env_bool("DJANGO_MANIFEST_STATIC", not DEBUG)
    else "django.contrib.staticfiles.storage.StaticFilesStorage"
)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": STATICFILES_BACKEND},
}
WHITENOISE_USE_FINDERS = not env_bool("DJANGO_MANIFEST_STATIC", not DEBUG)

# --- Email --------------------------------------------------------------------------------------


def email_settings(url: str) -> dict:
    """Parse EMAIL_URL: smtp://user:pass@host:587?tls=1, smtps://… (implicit TLS), console://, file://path."""
    parsed = urlparse(url)
    query = {key: values[-1] for key, values in parse_qs(parsed.query).items()}
    if parsed.scheme == "console":
        return {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
    if parsed.scheme == "file":
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": parsed.path or str(VAR_DIR / "mail"),
        }
    if parsed.scheme not in {"smtp", "smtps"}:
        raise ImproperlyConfigured(f"EMAIL_URL scheme must be smtp, smtps, console or file, not {parsed.scheme!r}")
    return {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": parsed.hostname or "localhost",
        "EMAIL_PORT": parsed.port or (465 if parsed.scheme == "smtps" else 25),
        "EMAIL_HOST_USER": unquote(parsed.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(parsed.password or ""),
        "EMAIL_USE_SSL": parsed.scheme == "smtps",
        "EMAIL_USE_TLS": query.get("tls", "0").lower() in {"1", "true", "yes"},
    }


if env_str("EMAIL_URL"):
    globals().update(email_settings(env_str("EMAIL_URL")))
elif env_str("EMAIL_HOST"):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = env_str("EMAIL_HOST")
    EMAIL_PORT = int(env_str("EMAIL_PORT", "25"))
    EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
    EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
    EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
elif DEBUG:
    # A newcomer on the embedded default follows invitation and reset links from these files.
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = VAR_DIR / "mail"
else:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Ordo <ordo@localhost>")
# The outbox (invitations, password resets): a temporary failure is tried again after
# MAIL_RETRY_BASE_DELAY seconds, doubling up to MAIL_RETRY_MAX_DELAY, MAIL_MAX_ATTEMPTS times in
# all. A message claimed longer ago than MAIL_STUCK_AFTER lost its worker; one queued longer ago
# than MAIL_REQUEUE_AFTER may have been lost by the broker: the digest tick hands both out again.
MAIL_MAX_ATTEMPTS = 6
MAIL_RETRY_BASE_DELAY = int(env_str("MAIL_RETRY_BASE_DELAY", "30"))
MAIL_RETRY_MAX_DELAY = 600
MAIL_STUCK_AFTER = 600
MAIL_REQUEUE_AFTER = 900
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Celery -------------------------------------------------------------------------------------

REDIS_URL = env_str("REDIS_URL")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
# Without Redis the tasks run in-process, at once: the embedded default needs no worker.
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A message not acked within the visibility timeout is handed out again: every retry of a
# digest (backoff capped at DIGEST_RETRY_MAX_DELAY) fits well inside it. The short socket
# timeouts keep a web request that enqueues from hanging when Redis is down.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 60 * 60, "socket_connect_timeout": 2, "socket_timeout": 5}
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_PUBLISH_RETRY = False
CELERY_TIMEZONE = "UTC"
# One beat process, one static schedule: the tick plans what is due and hands it out.
DIGEST_TICK_SECONDS = int(env_str("DIGEST_TICK_SECONDS", "300"))
CELERY_BEAT_SCHEDULE = {"digests-tick": {"task": "digests.tick", "schedule": DIGEST_TICK_SECONDS}}

# --- Digests ------------------------------------------------------------------------------------

# A delivery claimed longer ago than this lost its worker (a send takes seconds): a tick hands it
# out again. Pending deliveries queued longer ago than DIGEST_REQUEUE_AFTER are queued again
# (the broker may have lost them); the claim makes sure only one send happens.
DIGEST_STUCK_AFTER = int(env_str("DIGEST_STUCK_AFTER", "600"))
DIGEST_REQUEUE_AFTER = int(env_str("DIGEST_REQUEUE_AFTER", "900"))
DIGEST_MAX_ATTEMPTS = 5
DIGEST_RETRY_BASE_DELAY = int(env_str("DIGEST_RETRY_BASE_DELAY", "30"))
DIGEST_RETRY_MAX_DELAY = 600
DIGEST_FIRST_LOOKBACK_DAYS = 14
DIGEST_MESSAGE_ID_DOMAIN = env_str("DIGEST_MESSAGE_ID_DOMAIN", urlparse(SITE_URL).hostname or "localhost")

# --- REST API -----------------------------------------------------------------------------------

REST_FRAMEWORK = {
    # Token first, so an anonymous API call is answered 401 (with WWW-Authenticate), not 403.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "config.api.JSONOnlyNegotiation",
    "DEFAULT_PARSER_CLASSES": ["config.api.SafeJSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "EXCEPTION_HANDLER": "config.errors.api_exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Ordo API",
    "DESCRIPTION": "Product backlogs for Scrum teams: products, members, items in backlog order.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    # Deep links put each operation's path in a link inside the button that opens it: a control
    # inside a control, which screen readers and the keyboard cannot tell apart (axe:
    # nested-interactive). Without them the path is plain text in the button.
    "SWAGGER_UI_SETTINGS": {"deepLinking": False},
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "config.openapi.require_bodies_that_need_a_key",
    ],
    # One name per choice set: a member's role and "my_role" are the same enum; fields named
    # `status` or `column` carry different sets (items, sprints, goals; board, retrospective).
    # Nested classes (Sprint.Status) cannot be imported by path, hence the module-level names.
    "ENUM_NAME_OVERRIDES": {
        "RoleEnum": "backlog.models.Role.choices",
        "ItemStatusEnum": "backlog.api.serializers.STATUS_CHOICES",
        "SprintStatusEnum": "sprints.api.serializers.SPRINT_STATUS_CHOICES",
        "ProductGoalStatusEnum": "sprints.api.serializers.GOAL_STATUS_CHOICES",
        "BoardColumnEnum": "sprints.api.serializers.BOARD_COLUMN_CHOICES",
        "RetroColumnEnum": "sprints.api.serializers.RETRO_COLUMN_CHOICES",
    },
}

# --- Logging ------------------------------------------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("DJANGO_LOG_LEVEL", "WARNING")},
}
