"""Settings shared by every mode, configured from the environment.

With nothing set SafeCity runs embedded: SQLite under ``var/``, an in-memory channel layer,
Celery tasks run in-process and a local-memory cache. ``DATABASE_URL`` switches the database
(PostgreSQL in the real stack) and ``REDIS_URL`` switches the Celery broker, the cache and the
channel layer to Redis.
"""

import re
from datetime import timedelta
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from .environment import BASE_DIR, EMBEDDED, REDIS_URL, VAR_DIR, env

DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env(
    "DJANGO_SECRET_KEY",
    default="embedded-mode-only-not-secret-9f3c1e7a2b4d6e8f0a1c3e5b7d9f1a3c5e7b9d1f3a5c7e9b",
)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "daphne",
    "safecity.core.admin_config.SafeCityAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.forms",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "channels",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "leaflet",
    "safecity.core",
    "areas",
    "geocoding",
    "accounts",
    "incidents",
    "imports",
    "campaigns",
    "stats",
    "alerts",
    "patrols",
    "mediation",
    "audit",
    "quality",
    "analysis",
    "reports",
    "subscriptions",
    "demo",
]

MIDDLEWARE = [
    "safecity.core.unavailable.DatabaseUnavailableMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "audit.middleware.AuditContextMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "accounts.middleware.SessionSecurityMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # The site root opens a user's home view (a saved view), when they chose one.
    "subscriptions.middleware.HomeViewMiddleware",
]

ROOT_URLCONF = "safecity.urls"
WSGI_APPLICATION = "safecity.wsgi.application"
ASGI_APPLICATION = "safecity.asgi.application"
# The WebSocket routes, as a URLconf: page scripts find a socket's path by its name.
WEBSOCKET_URLCONF = "safecity.routing"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "safecity.core.context_processors.platform",
            ],
        },
    },
]
# The admin's geometry widget is a template of ours.
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

# --- Database -------------------------------------------------------------------------------
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'safecity.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and immediate transactions let the web server and in-process tasks share the file.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 30,
            "transaction_mode": "IMMEDIATE",
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                "PRAGMA cache_size=-65536; PRAGMA temp_store=MEMORY;"
            ),
        }
    )
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DATABASE_CONN_MAX_AGE", default=60))
    # A kept connection the server dropped (a restart) is replaced at the next request.
    DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)
    # An unreachable server fails a request in seconds (a 503) rather than hanging it.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "connect_timeout", env.int("DATABASE_CONNECT_TIMEOUT", default=5)
    )
# While the database cannot be reached requests answer 503 with this Retry-After (seconds).
DATABASE_RETRY_AFTER_SECONDS = env.int("DATABASE_RETRY_AFTER_SECONDS", default=10)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: cache, Celery broker, channel layer -----------------------------------------------
# The start of every key SafeCity keeps in Redis (cache, channel-layer groups, request
# counts), so that deployments sharing one Redis (or parallel test workers) keep apart.
REDIS_KEY_PREFIX = env("REDIS_KEY_PREFIX", default="safecity")

# Requests must keep working while Redis is down (the database is the source of truth), and
# wait on it seconds at most: the cache answers as an empty one (safecity/core/cache.py), a
# push is logged and caught up from the database (safecity/core/live.py), a task that cannot
# be queued is logged (safecity/celery.py) and its work stays due in the database.
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "safecity.core.cache.DegradingRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": REDIS_KEY_PREFIX,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 2},
        }
    }
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            # A Redis of its own for the push traffic, if wanted; the same one by default.
            "CONFIG": {
                "hosts": [
                    {
                        "address": env("CHANNEL_LAYER_URL", default=REDIS_URL),
                        # redis-py's 5 s read timeout equals channels_redis's blocking pop
                        # and kills idle consumers (channels_redis#422); its pool of 100
                        # refuses a reconnect storm of sockets instead of waiting.
                        "socket_timeout": None,
                        "socket_connect_timeout": 2,
                        "max_connections": env.int("CHANNEL_LAYER_MAX_CONNECTIONS", default=2000),
                    }
                ],
                "prefix": REDIS_KEY_PREFIX,
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
# Embedded mode has no worker: tasks run in-process, exceptions surface where they are queued.
CELERY_TASK_ALWAYS_EAGER = EMBEDDED
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A send to an unreachable broker fails within a few seconds (one retry, for a pooled
# connection gone stale when Redis restarted), never blocking the request that sent it.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 2, "socket_timeout": 2}
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
}
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
# Every instance may run beat: one sends, holding a PostgreSQL advisory lock; the others stand
# by and try the lock this often (seconds) to take over when it dies (safecity/core/beat.py).
CELERY_BEAT_SCHEDULER = "safecity.core.beat:SingletonScheduler"
BEAT_STANDBY_POLL_SECONDS = env.float("BEAT_STANDBY_POLL_SECONDS", default=5.0)
CELERY_TIMEZONE = env("TIME_ZONE", default="Asia/Shanghai")

# --- Auth -----------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "accounts.backends.LockoutModelBackend",
    "accounts.backends.RolePermissionBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dash-overview"
LOGOUT_REDIRECT_URL = "login"
# Five failed logins of a username from one address, or thirty from one address across
# usernames, each within ten minutes of the last, lock it for ten minutes (accounts.lockout,
# on django-axes's database records).
LOGIN_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
LOGIN_ADDRESS_FAILURE_LIMIT = env.int("LOGIN_ADDRESS_FAILURE_LIMIT", default=30)
LOGIN_LOCKOUT_SECONDS = env.int("LOGIN_LOCKOUT_SECONDS", default=600)
AXES_HANDLER = "accounts.lockout.LoginAttemptHandler"
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], ["ip_address"]]
AXES_FAILURE_LIMIT = LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = timedelta(seconds=LOGIN_LOCKOUT_SECONDS)
AXES_USERNAME_CALLABLE = "accounts.lockout.attempt_username"
AXES_CLIENT_IP_CALLABLE = "accounts.lockout.attempt_address"
# Logins and failures are in the audit trail already.
AXES_DISABLE_ACCESS_LOG = True
AXES_VERBOSE = False
# The login form answers a refused attempt itself (accounts.forms.LoginForm), not axes's
# middleware with its lockout page.
SILENCED_SYSTEM_CHECKS = ["axes.W002"]
# A session idle this long is logged out; none lasts longer than SESSION_COOKIE_AGE.
SESSION_IDLE_TIMEOUT = env.int("SESSION_IDLE_TIMEOUT", default=30 * 60)
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=12 * 3600)

# The data-quality queue: fuzzy geocodes scoring below this (0-100) wait for a person.
QUALITY_REVIEW_SCORE = env.float("QUALITY_REVIEW_SCORE", default=95.0)
# Suspected duplicates: the same category under another reference, this near in space and time.
QUALITY_DUPLICATE_METRES = env.int("QUALITY_DUPLICATE_METRES", default=200)
QUALITY_DUPLICATE_MINUTES = env.int("QUALITY_DUPLICATE_MINUTES", default=30)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# A form posted without its token (a page left open past the session) answers in the shell.
CSRF_FAILURE_VIEW = "safecity.core.views.csrf_failure"
# Staff and administrators must pass a TOTP second factor (django-otp).
OTP_REQUIRED_FOR_STAFF = env.bool("OTP_REQUIRED_FOR_STAFF", default=True)
OTP_TOTP_ISSUER = env("OTP_TOTP_ISSUER", default="SafeCity")
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Internationalisation ---------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Days, weeks and years in statistics are local to this zone.
TIME_ZONE = env("TIME_ZONE", default="Asia/Shanghai")
USE_I18N = True
USE_TZ = True

# --- Static files -----------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
# static/vendor/ holds front-end packages copied from node_modules by `make assets`.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# --- API --------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first: an unauthenticated call is answered 401 with WWW-Authenticate: Token.
        "accounts.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "accounts.permissions.RolePermissions",
    ],
    "DEFAULT_THROTTLE_CLASSES": ["accounts.throttling.PrincipalRateThrottle"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "safecity.core.api.schema.SafeCityAutoSchema",
    "DEFAULT_PAGINATION_CLASS": "safecity.core.api.pagination.DefaultCursorPagination",
    # JSON bodies bounded in size and nesting (safecity/core/api/parsers.py).
    "DEFAULT_PARSER_CLASSES": [
        "safecity.core.api.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "EXCEPTION_HANDLER": "safecity.core.api.exceptions.exception_handler",
    "PAGE_SIZE": 100,
}
# Requests a minute per API token, per signed-in user and per address of anonymous callers.
API_THROTTLE_RATES = {
    "token": env("API_THROTTLE_TOKEN", default="1200/min"),
    "user": env("API_THROTTLE_USER", default="1200/min"),
    "anon": env("API_THROTTLE_ANON", default="60/min"),
}
SPECTACULAR_SETTINGS = {
    "TITLE": "SafeCity API",
    "DESCRIPTION": "Incidents, areas, statistics, campaigns, patrols and alerts for "
    "public-safety command centres. Every list is scoped to the caller's jurisdiction.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Bodies are JSON; the form parsers stay for the browsable API's forms, undocumented.
    "PARSER_WHITELIST": ["safecity.core.api.parsers.JSONParser"],
    # Swagger UI served from our own static files: no CDN on a police network.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "IncidentStatusEnum": "incidents.choices.IncidentStatus",
        "AreaKindEnum": "areas.choices.AreaKind",
        "AlertRuleKindEnum": "alerts.choices.RuleKind",
        "IncidentSourceEnum": "incidents.choices.IncidentSource",
        "DisputeStatusEnum": "mediation.choices.CaseStatus",
        "DisputeSourceEnum": "mediation.choices.CaseSource",
        "TransferAgencyEnum": "mediation.choices.Agency",
        "AuditActionEnum": "audit.choices.AuditAction",
        "AuditOutcomeEnum": "audit.choices.AuditOutcome",
        "CrsEnum": "safecity.core.crs.Crs",
        "ReportKindEnum": "reports.choices.ReportKind",
        "ReportJobStatusEnum": "reports.models.ReportJob.Status",
    },
}

# --- Maps -------------------------------------------------------------------------------------
# Bureaus use their own map service; with no tiles reachable, maps still draw boundaries and data.
MAP_TILES_URL = env("MAP_TILES_URL", default="https://tile.openstreetmap.org/{z}/{x}/{y}.png")
MAP_TILES_ATTRIBUTION = env("MAP_TILES_ATTRIBUTION", default="© OpenStreetMap contributors")
# The system the tiles are drawn in: gcj02 for AutoNavi or Tencent, bd09 for Baidu. Data stays
# WGS84; the maps' projection shifts it onto the tiles (static/js/crs.js).
MAP_TILES_CRS = env("MAP_TILES_CRS", default="wgs84")
if MAP_TILES_CRS not in ("wgs84", "gcj02", "bd09"):
    raise ImproperlyConfigured(f"MAP_TILES_CRS must be wgs84, gcj02 or bd09, not {MAP_TILES_CRS!r}")
LEAFLET_CONFIG = {
    "TILES": [("base", MAP_TILES_URL, {"attribution": MAP_TILES_ATTRIBUTION, "maxZoom": 19})],
    "DEFAULT_CENTER": (31.23, 121.47),
    "DEFAULT_ZOOM": 9,
}

# --- Content-Security-Policy (django-csp) -------------------------------------------------------
# Scripts only from our own static files; map tiles from the configured tile server.
_TILE_ORIGIN = "/".join(MAP_TILES_URL.split("/")[:3]) if "://" in MAP_TILES_URL else ""
# A subdomain template ({s}.tile.openstreetmap.org, webrd0{s}.is.autonavi.com) is any subdomain.
_TILE_ORIGIN = re.sub(r"//[^/.]*\{s\}[^/.]*\.", "//*.", _TILE_ORIGIN)
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        # Bars and swatches are sized by style attributes; scripts stay strict.
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:", *([_TILE_ORIGIN] if _TILE_ORIGIN else [])],
        "connect-src": ["'self'"],
        "font-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# --- Logging ----------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # WeasyPrint logs each layout step of every briefing at INFO; fontTools each subset.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

# SafeCity's own settings: the schedule, limits, standards and timings of its apps.
from .mail import *  # noqa: E402, F403
from .platform import *  # noqa: E402, F403
