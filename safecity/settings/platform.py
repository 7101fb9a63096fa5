"""SafeCity's own settings, apart from Django's and its libraries': the periodic tasks, and the
limits, standards and timings of the apps, each configurable from the environment."""

from pathlib import Path

from celery.schedules import crontab

from .environment import EMBEDDED, VAR_DIR, env

REPORTS_QUEUE = env("REPORTS_QUEUE", default="reports")

CELERY_BEAT_SCHEDULE: dict = {
    # Each app adds its periodic tasks here; beat's own liveness shows in the worker log.
    "heartbeat": {
        "task": "core.heartbeat",
        "schedule": env.float("BEAT_HEARTBEAT_SECONDS", default=300.0),
        "args": ["beat"],
    },
    "stats-recompute-dirty": {"task": "stats.recompute_dirty", "schedule": 60.0},
    "stats-reconcile": {
        "task": "stats.reconcile",
        "schedule": crontab(hour=3, minute=30),
        "kwargs": {"days": 60},
    },
    # Each periodic alert kind (spike, response breach, ...), from the alert-kind registry.
    "alerts-check-periodic": {"task": "alerts.check_periodic", "schedule": 60.0},
    "imports-prune-files": {"task": "imports.prune_files", "schedule": crontab(hour=5, minute=0)},
    "campaigns-evaluate-kpis": {
        "task": "campaigns.evaluate_kpis",
        "schedule": crontab(hour=4, minute=0),
    },
    "campaigns-check-remediation-overdue": {
        "task": "campaigns.check_remediation_overdue",
        "schedule": crontab(hour=8, minute=0),
    },
    "mediation-check-overdue-followups": {
        "task": "mediation.check_overdue_followups",
        "schedule": crontab(minute="*/15"),
    },
    "patrols-prune-positions": {
        "task": "patrols.prune_positions",
        "schedule": crontab(hour=2, minute=30),
    },
    "stats-publish-compstat": {
        "task": "stats.publish_compstat",
        "schedule": crontab(day_of_week="mon", hour=6, minute=0),
    },
    "audit-archive": {"task": "audit.archive", "schedule": crontab(hour=1, minute=15)},
    "accounts-prune-login-attempts": {
        "task": "accounts.prune_login_attempts",
        "schedule": crontab(minute=40),
    },
    # Briefings (警情通报), on their own queue: Mondays for last week, the 1st for last month,
    # Mondays for each running campaign so far.
    "reports-weekly": {
        "task": "reports.schedule",
        "schedule": crontab(day_of_week="mon", hour=7, minute=0),
        "args": ["weekly"],
        "options": {"queue": REPORTS_QUEUE},
    },
    "reports-monthly": {
        "task": "reports.schedule",
        "schedule": crontab(day_of_month=1, hour=7, minute=0),
        "args": ["monthly"],
        "options": {"queue": REPORTS_QUEUE},
    },
    "reports-campaign": {
        "task": "reports.schedule",
        "schedule": crontab(day_of_week="mon", hour=7, minute=30),
        "args": ["campaign"],
        "options": {"queue": REPORTS_QUEUE},
    },
    "analysis-refresh-near-repeat": {
        "task": "analysis.refresh_near_repeat",
        "schedule": crontab(hour=2, minute=45),
    },
}
# Briefings: the Celery queue they are made on (a worker of its own takes it: Procfile
# ``reports``), and the kinds of area beat makes weekly and monthly briefings for.
REPORTS_SCHEDULED_AREA_KINDS = env.list(
    "REPORTS_SCHEDULED_AREA_KINDS", default=["city", "district"]
)
# Patrols: the rapid-response standard where an area sets none (dispatch, arrival; seconds),
# how long pings are kept, when a position is too old to dispatch on, and the planning speed.
RESPONSE_STANDARD_DEFAULT = (
    env.int("RESPONSE_DISPATCH_SECONDS", default=60),
    env.int("RESPONSE_ARRIVE_SECONDS", default=300),
)
PATROL_POSITION_RETENTION_DAYS = env.int("PATROL_POSITION_RETENTION_DAYS", default=90)
PATROL_POSITION_FRESH_MINUTES = env.int("PATROL_POSITION_FRESH_MINUTES", default=10)
PATROL_SPEED_KMH = env.float("PATROL_SPEED_KMH", default=30.0)
# Coverage: a ping counts for the time to the unit's next one, at most this long.
PATROL_PING_GAP_MINUTES = env.int("PATROL_PING_GAP_MINUTES", default=5)
PATROL_COVERAGE_H3_RESOLUTION = env.int("PATROL_COVERAGE_H3_RESOLUTION", default=8)
PATROL_COVERAGE_MAX_DAYS = env.int("PATROL_COVERAGE_MAX_DAYS", default=31)
# Analysis (研判): the categories whose near repeats are tested nightly (city-wide, over the
# last ANALYSIS_NEAR_REPEAT_DAYS) and whose new incidents raise near_repeat alerts, the Knox
# bands (metres, days), permutations, and the most events one Knox test takes.
ANALYSIS_NEAR_REPEAT_CATEGORIES = env.list(
    "ANALYSIS_NEAR_REPEAT_CATEGORIES", default=["theft_burglary"]
)
ANALYSIS_NEAR_REPEAT_DAYS = env.int("ANALYSIS_NEAR_REPEAT_DAYS", default=365)
ANALYSIS_NEAR_REPEAT_DISTANCE_M = env.float("ANALYSIS_NEAR_REPEAT_DISTANCE_M", default=100.0)
ANALYSIS_NEAR_REPEAT_DISTANCE_BANDS = env.int("ANALYSIS_NEAR_REPEAT_DISTANCE_BANDS", default=5)
ANALYSIS_NEAR_REPEAT_TIME_DAYS = env.float("ANALYSIS_NEAR_REPEAT_TIME_DAYS", default=7.0)
ANALYSIS_NEAR_REPEAT_TIME_BANDS = env.int("ANALYSIS_NEAR_REPEAT_TIME_BANDS", default=4)
ANALYSIS_NEAR_REPEAT_PERMUTATIONS = env.int("ANALYSIS_NEAR_REPEAT_PERMUTATIONS", default=99)
ANALYSIS_NEAR_REPEAT_MAX_EVENTS = env.int("ANALYSIS_NEAR_REPEAT_MAX_EVENTS", default=20_000)
# An open socket re-checks its token or session this often (seconds), and closes when they
# went; a revoke or a logout closes it at once through the channel layer.
LIVE_CREDENTIALS_RECHECK_SECONDS = env.float("LIVE_CREDENTIALS_RECHECK_SECONDS", default=5.0)
# Idle alert sockets get a heartbeat this often, so proxies keep them open.
ALERTS_HEARTBEAT_SECONDS = env.int("ALERTS_HEARTBEAT_SECONDS", default=25)
# Instant rules fire for incidents reported within this many hours; older (back-filled) ones
# are recorded and counted but alert no one.
ALERTS_INSTANT_MAX_AGE_HOURS = env.int("ALERTS_INSTANT_MAX_AGE_HOURS", default=24)
# Without a beat (embedded mode) a change asks for its recompute when it commits.
STATS_RECOMPUTE_ON_COMMIT = env.bool("STATS_RECOMPUTE_ON_COMMIT", default=EMBEDDED)
# On the real stack summaries read an in-process copy of the rollups (stats/cube.py), checked
# against the database's generation of them at most this often, and not built above this many
# rows. Embedded mode (SQLite, a demo) reads the database: a reload would hold SQLite's lock.
STATS_CUBE = env.bool("STATS_CUBE", default=not EMBEDDED)
STATS_CUBE_RECHECK_SECONDS = env.float("STATS_CUBE_RECHECK_SECONDS", default=2.0)
# A process starts a reload at most this often (seconds); meanwhile the database answers.
STATS_CUBE_RELOAD_SECONDS = env.float("STATS_CUBE_RELOAD_SECONDS", default=10.0)
STATS_CUBE_MAX_ROWS = env.int("STATS_CUBE_MAX_ROWS", default=5_000_000)
INCIDENT_GEOJSON_CAP = env.int("INCIDENT_GEOJSON_CAP", default=5000)
# Area boundaries: the most vertices one may have (the largest real one we hold has 497, a
# detailed surveyed boundary a few tens of thousands), how much of it may lie over a sibling
# (a share of the smaller one's area: digitising slop, not a second claim on the ground; the
# Charlottesville beats overlap by up to 1%), and the zoom a map answer is simplified for when
# the map names none.
AREA_MAX_VERTICES = env.int("AREA_MAX_VERTICES", default=100_000)
AREA_OVERLAP_TOLERANCE = env.float("AREA_OVERLAP_TOLERANCE", default=0.05)
AREA_MAP_DEFAULT_ZOOM = env.int("AREA_MAP_DEFAULT_ZOOM", default=12)
# Request bodies: the most bytes of any request (Django's own limit, answered as a JSON 413 by
# the API), and the bulk ingest route's larger limits, in rows and bytes (larger loads go
# through the file import, ``manage.py import_incidents``).
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=2_621_440)
INCIDENT_BULK_MAX_ROWS = env.int("INCIDENT_BULK_MAX_ROWS", default=50_000)
INCIDENT_BULK_MAX_BYTES = env.int("INCIDENT_BULK_MAX_BYTES", default=20 * 1024 * 1024)

# --- Audit trail ------------------------------------------------------------------------------
# Events older than this move to verified archive files (never silently dropped).
AUDIT_RETENTION_DAYS = env.int("AUDIT_RETENTION_DAYS", default=400)
AUDIT_ARCHIVE_DIR = Path(env("AUDIT_ARCHIVE_DIR", default=str(VAR_DIR / "audit-archive")))
# Only behind a proxy that sets X-Forwarded-For itself; otherwise clients could forge it.
AUDIT_TRUST_X_FORWARDED_FOR = env.bool("AUDIT_TRUST_X_FORWARDED_FOR", default=False)
# How many proxies stand in front: the client is the address the outermost one appended.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=1)
# A list answer of more rows than this (or asked for with a larger page_size) is an audit event.
AUDIT_BULK_READ_ROWS = env.int("AUDIT_BULK_READ_ROWS", default=500)
# The agencies an incident is usually transferred to, offered on its page (any other may be
# typed): comma-separated, in the order shown.
INCIDENT_TRANSFER_AGENCIES = env.list(
    "INCIDENT_TRANSFER_AGENCIES",
    default=[
        "12345市民服务热线",
        "119消防救援",
        "城市管理执法",
        "120急救中心",
        "市场监管",
        "街道/社区",
    ],
)

# --- File imports -----------------------------------------------------------------------------
# The largest file an import job may upload (bytes; the command reads any size), where uploads
# and error reports are kept (private: never served as static or media files), the limits an
# XLSX archive must stay within before it is opened (zip bombs), and the Celery queue of jobs.
IMPORT_UPLOAD_MAX_BYTES = env.int("IMPORT_UPLOAD_MAX_BYTES", default=200 * 1024 * 1024)
IMPORT_FILES_DIR = Path(env("IMPORT_FILES_DIR", default=str(VAR_DIR / "imports")))
IMPORT_XLSX_MAX_UNCOMPRESSED_BYTES = env.int(
    "IMPORT_XLSX_MAX_UNCOMPRESSED_BYTES", default=2 * 1024 * 1024 * 1024
)
IMPORT_XLSX_MAX_COMPRESSION_RATIO = env.int("IMPORT_XLSX_MAX_COMPRESSION_RATIO", default=200)
IMPORT_QUEUE = env("IMPORT_QUEUE", default="celery")
# How long an import's report of rejected rows stays downloadable (imports.prune_files).
IMPORT_ERRORS_KEPT_DAYS = env.int("IMPORT_ERRORS_KEPT_DAYS", default=30)

# --- Analysis: the forecast -------------------------------------------------------------------
# Expected counts per h3 cell of this resolution for the next 7 and 28 days, by category group,
# refreshed nightly (analysis.refresh_forecasts; see analysis/forecast/ for the model). The
# model's parameters are fixed here, never fitted to a window it is scored on: the bandwidths
# were chosen on development origins before the last year of the Charlottesville data (README).
ANALYSIS_FORECAST_RESOLUTION = env.int("ANALYSIS_FORECAST_RESOLUTION", default=8)
ANALYSIS_FORECAST_MODEL = {
    "half_life_days": env.float("ANALYSIS_FORECAST_HALF_LIFE_DAYS", default=180.0),
    "lookback_days": env.float("ANALYSIS_FORECAST_LOOKBACK_DAYS", default=730.0),
    "bandwidth_m": env.float("ANALYSIS_FORECAST_BANDWIDTH_M", default=50.0),
    "trigger_share": env.float("ANALYSIS_FORECAST_TRIGGER_SHARE", default=0.1),
    "trigger_mean_days": env.float("ANALYSIS_FORECAST_TRIGGER_MEAN_DAYS", default=10.0),
    "trigger_bandwidth_m": env.float("ANALYSIS_FORECAST_TRIGGER_BANDWIDTH_M", default=50.0),
}
# The hot cells: the top share of an area's forecast cells by expected count (the page marks
# them; patrol coverage may measure against them).
ANALYSIS_FORECAST_HOT_SHARE = env.float("ANALYSIS_FORECAST_HOT_SHARE", default=0.05)
# Forecasts kept per (source, category group, resolution); older refreshes are deleted.
ANALYSIS_FORECAST_KEPT = env.int("ANALYSIS_FORECAST_KEPT", default=7)
# The nightly backtest (all categories, everywhere and each area of the top levels of the
# tree): its horizon and number of rolling origins.
ANALYSIS_EVALUATION_HORIZON = env.int("ANALYSIS_EVALUATION_HORIZON", default=28)
ANALYSIS_EVALUATION_ORIGINS = env.int("ANALYSIS_EVALUATION_ORIGINS", default=13)
ANALYSIS_EVALUATION_AREA_LEVELS = env.int("ANALYSIS_EVALUATION_AREA_LEVELS", default=2)
CELERY_BEAT_SCHEDULE["analysis-refresh-forecasts"] = {
    "task": "analysis.refresh_forecasts",
    "schedule": crontab(hour=3, minute=0),
}
# Patrol coverage's hotspot cells: "incidents" (the fewest cells holding half of a zone's
# incidents in the period) or "forecast" (the same over the latest forecast's expected counts
# for the next PATROL_COVERAGE_FORECAST_HORIZON days); the API's ?hotspots= overrides it.
PATROL_COVERAGE_HOTSPOTS = env("PATROL_COVERAGE_HOTSPOTS", default="incidents")
PATROL_COVERAGE_FORECAST_HORIZON = env.int("PATROL_COVERAGE_FORECAST_HORIZON", default=7)
