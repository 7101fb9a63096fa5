"""Settings for the test suite: base settings from the same environment, made fast."""

from .base import *  # noqa: F403
from .base import CACHES, CHANNEL_LAYERS, DATABASES, REDIS_KEY_PREFIX, REDIS_URL, env

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # An in-memory database per test run; the on-disk file belongs to `make run`.
    DATABASES["default"] = {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}
else:
    # Threads of async and live-server tests must not keep connections the teardown needs gone
    # (a served site's gunicorn, whose threads stay, is given its own).
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=0)
# pytest-xdist runs the suite in worker processes (PYTEST_XDIST_WORKER: gw0, gw1 ...), each on
# a test database of its own (pytest-django adds the worker to its name). Both databases number
# their rows alike, so each worker keeps its own keys in the shared Redis too: one worker's
# request counts per token id, cached area geometries, recompute locks and socket groups are
# never another's. A subprocess on the base settings is given REDIS_KEY_PREFIX by its fixture.
XDIST_WORKER = env("PYTEST_XDIST_WORKER", default="")
if XDIST_WORKER:
    REDIS_KEY_PREFIX = f"{REDIS_KEY_PREFIX}-{XDIST_WORKER}"
    if REDIS_URL:
        CACHES["default"]["KEY_PREFIX"] = REDIS_KEY_PREFIX
        CHANNEL_LAYERS["default"]["CONFIG"]["prefix"] = REDIS_KEY_PREFIX
# Serve static files from the finders, so tests need no collectstatic run.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# Tests about the second factor turn it on; the rest log staff in with a password alone.
OTP_REQUIRED_FOR_STAFF = env.bool("OTP_REQUIRED_FOR_STAFF", default=False)
# Page and fuzz tests send many requests as one user; throttling tests set their own rates.
# A served site (tests/demo_site.py) may set its own through the environment.
API_THROTTLE_RATES = {
    "token": env("API_THROTTLE_TOKEN", default="100000/min"),
    "user": env("API_THROTTLE_USER", default="100000/min"),
    "anon": env("API_THROTTLE_ANON", default="10000/min"),
}
# Tests about the rollup cube turn it on, and it then checks for new rollups on every call;
# the rest read the database, as a background reload cannot see a test's uncommitted rows.
STATS_CUBE = env.bool("STATS_CUBE", default=False)
STATS_CUBE_RECHECK_SECONDS = env.float("STATS_CUBE_RECHECK_SECONDS", default=0)
STATS_CUBE_RELOAD_SECONDS = env.float("STATS_CUBE_RELOAD_SECONDS", default=0)
