"""Shared fixtures, and the rule for real services: skip when absent, fail under CI=true."""

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import psycopg2
import pytest
import redis
from django.conf import settings
from django.db import connection
from rest_framework.test import APIClient

from accounts.choices import Role
from areas.choices import AreaKind
from incidents.models import Category, DeviceEventType
from incidents.taxonomy import device_event_types_install, taxonomy_install
from mediation.defaults import dispute_types_install
from mediation.models import DisputeType
from stats.compstat import default_report_install
from stats.cube import cube_reset
from stats.models import CompstatReport

from .factories import AreaFactory, UserFactory, square

IN_CI = os.environ.get("CI") == "true"
SHARED_DATA = Path(settings.BASE_DIR).parent / "shared" / "data"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def require(condition: bool, reason: str) -> None:
    """Skip a test whose real service is missing — but never in CI, where it must run."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"CI=true and {reason}: CI must run this test against the real service")
    pytest.skip(reason)


def redis_available() -> bool:
    if not settings.REDIS_URL:
        return False
    try:
        return bool(redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


def pytest_runtest_setup(item):
    if item.get_closest_marker("postgres"):
        require(connection.vendor == "postgresql", "DATABASE_URL does not point at PostgreSQL")
    if item.get_closest_marker("redis"):
        require(redis_available(), "REDIS_URL is not set or Redis does not answer")
    if item.get_closest_marker("browser"):
        require(CHROMIUM is not None, "Debian's chromium is not installed")


def pytest_sessionfinish(session):
    # The run's seeded demo city (tests/demo_site.py) goes when the run ends: under
    # pytest-xdist in the controlling process, once every worker is done copying it.
    if os.environ.get("PYTEST_XDIST_WORKER"):
        return
    from .demo_site import drop_demo_template

    try:
        drop_demo_template()
    except psycopg2.Error as error:  # PostgreSQL gone: nothing to fail the run for
        print(f"\nThe demo city's template database was not dropped: {error}")


@pytest.fixture(autouse=True)
def shipped_rows_in_transactional_tests(request):
    """Put back what data migrations installed (the taxonomy, device event types, the default
    CompStat report, the dispute types).

    A transactional test empties every table after it runs, taking those rows with it.
    """
    marker = request.node.get_closest_marker("django_db")
    if not (marker and marker.kwargs.get("transaction")):
        return
    request.getfixturevalue("transactional_db")
    taxonomy_install(Category)
    device_event_types_install(DeviceEventType, Category)
    default_report_install(CompstatReport)
    dispute_types_install(DisputeType)


@pytest.fixture(autouse=True)
def rollup_cubes_end_with_their_test():
    """Each test starts without rollup cubes, and no reload thread outlives it: its
    connection would meet the next test's flush, or the drop of the test database."""
    yield
    cube_reset()


@pytest.fixture
def shared_data() -> Path:
    require(SHARED_DATA.is_dir(), f"{SHARED_DATA} (the project's real data) is absent")
    return SHARED_DATA


@pytest.fixture
def city(db):
    return AreaFactory(kind=AreaKind.CITY, code="CITY", name="测试市", geometry=square(120, 30, 4))


@pytest.fixture
def two_districts(city):
    """Two sibling districts, each with one station, as (district_a, district_b)."""
    district_a = AreaFactory(kind=AreaKind.DISTRICT, parent=city, geometry=square(120, 30, 2))
    district_b = AreaFactory(kind=AreaKind.DISTRICT, parent=city, geometry=square(122, 30, 2))
    AreaFactory(kind=AreaKind.STATION, parent=district_a, geometry=square(120, 30, 1))
    AreaFactory(kind=AreaKind.STATION, parent=district_b, geometry=square(122, 30, 1))
    return district_a, district_b


# The Oriental Pearl Tower (东方明珠) as AutoNavi places it (GCJ-02) and as Baidu would (BD-09);
# in WGS84 it lies about 430 m west of its GCJ-02 point, at (121.49527, 31.24170).
PEARL_TOWER_GCJ02 = (121.499718, 31.239703)
PEARL_TOWER_BD09 = (121.506329, 31.245343)


@pytest.fixture
def split_at_pearl_tower(city):
    """Two districts drawn in WGS84 and meeting on a meridian just east of the Oriental Pearl
    Tower, as (west, east): the tower's GCJ-02 or BD-09 point read as WGS84 falls in the east."""
    west = AreaFactory(kind=AreaKind.DISTRICT, parent=city, geometry=square(120.4975, 30.5, 1))
    east = AreaFactory(kind=AreaKind.DISTRICT, parent=city, geometry=square(121.4975, 30.5, 1))
    return west, east


@pytest.fixture
def make_user(db):
    def make(role=Role.VIEWER, home_area=None, **kwargs):
        return UserFactory(role=role, home_area=home_area, **kwargs)

    return make


@pytest.fixture
def api_client_for():
    def make(user):
        client = APIClient()
        client.force_authenticate(user)
        return client

    return make


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_redis_server(port: int | None = None) -> tuple[str, subprocess.Popen]:
    """A redis-server of our own on ``port`` (a free one by default), answering: (url, process)."""
    binary = shutil.which("redis-server")
    require(binary is not None, "redis-server is not installed")
    port = port or free_port()
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    client = redis.Redis.from_url(url, socket_connect_timeout=0.2)
    for _ in range(50):
        try:
            client.ping()
            break
        except redis.ConnectionError:
            time.sleep(0.1)
    return url, process


@pytest.fixture
def private_redis():
    """A redis-server of our own, so a test may stop it without harming others."""
    url, process = start_redis_server()
    yield url, process
    process.kill()
    process.wait()


def child_environment(settings, redis_url: str) -> dict[str, str]:
    """The environment of a child process (a worker, a management command) on the test
    database and ``redis_url``, with the settings a deployment runs."""
    database = settings.DATABASES["default"]
    env = dict(os.environ)
    if database["ENGINE"] == "django.db.backends.postgresql":
        env["DATABASE_URL"] = (
            f"postgres://{database['USER']}:{database.get('PASSWORD') or ''}@"
            f"{database['HOST'] or '127.0.0.1'}:{database['PORT'] or 5432}/{database['NAME']}"
        )
    return env | {
        "REDIS_URL": redis_url,
        "REDIS_KEY_PREFIX": settings.REDIS_KEY_PREFIX,
        "DJANGO_SETTINGS_MODULE": "safecity.settings.base",
    }


def spawn_celery_worker(env: dict[str, str], queue: str, cwd) -> subprocess.Popen:
    """A real `celery worker` subprocess with ``env``, taking ``queue`` from Redis."""
    return subprocess.Popen(
        [
            str(Path(sys.executable).parent / "celery"),
            "-A",
            "safecity",
            "worker",
            "--pool=solo",
            "--without-gossip",
            "--without-mingle",
            "--queues",
            queue,
            "--loglevel=WARNING",
        ],
        env=env,
        cwd=cwd,
    )


def start_celery_worker(settings, redis_url: str, queue: str) -> subprocess.Popen:
    """A real `celery worker` subprocess on the test database, taking ``queue`` from Redis."""
    return spawn_celery_worker(child_environment(settings, redis_url), queue, cwd=settings.BASE_DIR)


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture
def celery_worker_process(settings):
    """A real `celery worker` subprocess on the suite's Redis and test database."""
    require(redis_available(), "REDIS_URL is not set or Redis does not answer")
    queue = f"test-{os.getpid()}-{free_port()}"
    process = start_celery_worker(settings, settings.REDIS_URL, queue)
    yield queue
    stop(process)


@pytest.fixture
def eager_celery(settings):
    """Run Celery tasks in-process for this test, whatever broker the suite is configured with."""
    from safecity.celery import app

    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = settings.CELERY_TASK_ALWAYS_EAGER
