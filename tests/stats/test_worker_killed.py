"""A process killed (SIGKILL) part-way through a reconcile, a rebuild or a recompute loses no
statistics: the days it did not finish keep their marks, no lock outlives it, and the next
worker's recompute_dirty, sent as beat sends it, brings every day back to a direct count.

The killed process is stopped at a known point, not raced: the test holds the advisory lock of
one day's rewrite from its own session, waits until PostgreSQL shows the process waiting for
it (so every earlier transaction has committed and the current one is half done), kills the
process, then lets the lock go.
"""

import signal
import subprocess
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import connection, connections
from django.utils import timezone

from incidents.ingest import incidents_ingest
from incidents.models import Incident, IncidentDaily
from safecity.celery import app
from stats import services
from stats.days import local_day
from stats.locks import day_lock_key
from stats.models import ALL_CATEGORIES, EVERYWHERE, DirtyDay
from stats.tasks import recompute_dirty, reconcile

from ..conftest import child_environment, start_celery_worker, stop

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

# Two of a rebuild's transactions; the held day is the fifth of the second, so the process is
# killed with one transaction committed and four days of the next rewritten but not committed.
REBUILD_DAYS = 2 * services.REBUILD_DAYS_PER_TRANSACTION
REBUILD_HELD_DAY = services.REBUILD_DAYS_PER_TRANSACTION + 4
RECOMPUTE_DAYS = 8
RECOMPUTE_HELD_DAY = 3
# Points in station A, in station B, in district A outside its station, outside every area.
POINTS = [(120.5, 30.5), (122.5, 30.5), (121.5, 31.5), (125.0, 35.0)]
RECOVERY_SECONDS = 120
# Bounds on waiting for a slow machine (a worker starting), not a timing under test.
START_SECONDS = 180
QUEUE = "stats-worker-killed"


def seed_marked_days(count: int) -> list[date]:
    """Incidents on each of the ``count`` days to yesterday, marked dirty but not yet rolled
    up. (Not today: between midnight and one o'clock, today's 01:00 is still to come.)"""
    yesterday = timezone.localdate() - timedelta(days=1)
    days = [yesterday - timedelta(days=n) for n in range(count - 1, -1, -1)]
    tz = timezone.get_default_timezone()
    rows = []
    for index, day in enumerate(days):
        first = datetime(day.year, day.month, day.day, 1, tzinfo=tz)
        for number, (lon, lat) in enumerate(POINTS[: 1 + index % len(POINTS)] * 2):
            rows.append(
                {
                    "source_ref": f"K{index:03d}-{number}",
                    "category": "theft",
                    "reported_at": (first + timedelta(minutes=7 * number)).isoformat(),
                    "lon": lon,
                    "lat": lat,
                }
            )
    incidents_ingest(rows=rows, source_system="t")
    assert set(DirtyDay.objects.values_list("day", flat=True)) == set(days)
    return days


def disagreements(days: list[date]) -> list[tuple]:
    """(day, area key, rollup count, direct count) wherever the two differ, for the whole
    city and every area, all categories."""
    counted: Counter = Counter()
    for reported_at, area_path in Incident.objects.values_list("reported_at", "area_path"):
        day = local_day(reported_at)
        counted[day, EVERYWHERE] += 1
        for part in (area_path or "").strip("/").split("/"):
            if part:
                counted[day, int(part)] += 1
    rolled = {
        (day, area): count
        for day, area, count in IncidentDaily.objects.filter(
            day__in=days, category_key=ALL_CATEGORIES
        ).values_list("day", "area_key", "count")
    }
    return [
        (day, area, rolled.get((day, area), 0), counted.get((day, area), 0))
        for day, area in sorted(set(counted) | set(rolled))
        if day in days and rolled.get((day, area), 0) != counted.get((day, area), 0)
    ]


@contextmanager
def day_held(day: date) -> Iterator[None]:
    """Hold the advisory lock of the day's rewrite from a session of our own."""
    holder = connections.create_connection("default")
    try:
        with holder.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s, %s)", day_lock_key("incidents", day))
        yield
    finally:
        holder.close()  # the session ends, and its lock with it


_WAITING_FOR_DAY_SQL = """
SELECT pid FROM pg_locks
WHERE locktype = 'advisory' AND NOT granted AND objsubid = 2 AND classid = %s AND objid = %s
  AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
"""


def wait_until_waiting_for(day: date, process: subprocess.Popen) -> int:
    """The database backend of ``process`` once it waits for the held day."""
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        assert process.poll() is None, "the process ended before it reached the held day"
        with connection.cursor() as cursor:
            cursor.execute(_WAITING_FOR_DAY_SQL, day_lock_key("incidents", day))
            row = cursor.fetchone()
        if row:
            return row[0]
        time.sleep(0.2)
    pytest.fail(f"nothing waited for {day} within {START_SECONDS}s")


def wait_until_gone(backend: int) -> None:
    """PostgreSQL ends a killed client's session when it next talks to it; wait for that."""
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [backend])
            if cursor.fetchone() is None:
                return
        time.sleep(0.2)
    pytest.fail(f"the killed process's session {backend} outlived it")


@pytest.fixture
def broker(private_redis) -> Iterator[tuple[str, Callable]]:
    """The private Redis, and a function sending a task to the workers' queue on it."""
    redis_url, _ = private_redis
    app.conf.task_always_eager = False
    try:
        with app.connection_for_write(redis_url) as broker_connection:

            def send(task, **kwargs) -> None:
                task.apply_async(kwargs=kwargs, queue=QUEUE, connection=broker_connection)

            yield redis_url, send
    finally:
        app.conf.task_always_eager = django_settings.CELERY_TASK_ALWAYS_EAGER


@pytest.fixture
def children() -> Iterator[list[subprocess.Popen]]:
    """Child processes a test starts; those still running are stopped after it."""
    started: list[subprocess.Popen] = []
    yield started
    for process in started:
        if process.poll() is None:
            stop(process)


def kill(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGKILL)
    process.wait()


def assert_recovers(days: list[date], settings, redis_url, send, children) -> None:
    """A new worker and one recompute_dirty, as beat sends it every minute, bring every day
    back to a direct count within two minutes."""
    children.append(start_celery_worker(settings, redis_url, QUEUE))
    send(recompute_dirty)
    deadline = time.monotonic() + RECOVERY_SECONDS
    while time.monotonic() < deadline:
        if not disagreements(days) and not DirtyDay.objects.exists():
            break
        time.sleep(0.5)
    assert disagreements(days) == []
    assert not DirtyDay.objects.exists()


def start_reconcile(settings, redis_url, send) -> subprocess.Popen:
    send(reconcile, days=REBUILD_DAYS)
    return start_celery_worker(settings, redis_url, QUEUE)


def start_rebuild(settings, redis_url, send) -> subprocess.Popen:
    return subprocess.Popen(
        [
            str(Path(settings.BASE_DIR) / ".venv" / "bin" / "python"),
            "manage.py",
            "rebuild_stats",
            "--verbosity=0",
        ],
        env=child_environment(settings, redis_url),
        cwd=settings.BASE_DIR,
    )


@pytest.mark.parametrize("start", [start_reconcile, start_rebuild], ids=["reconcile", "rebuild"])
def test_a_rebuild_killed_part_way_leaves_its_unfinished_days_to_recompute_dirty(
    start, two_districts, settings, broker, children
):
    settings.STATS_RECOMPUTE_ON_COMMIT = False
    redis_url, send = broker
    days = seed_marked_days(REBUILD_DAYS)
    with day_held(days[REBUILD_HELD_DAY]):
        process = start(settings, redis_url, send)
        children.append(process)
        backend = wait_until_waiting_for(days[REBUILD_HELD_DAY], process)
        kill(process)
    wait_until_gone(backend)
    assert disagreements(days), "the kill should leave days to recompute"
    assert_recovers(days, settings, redis_url, send, children)


def test_a_worker_killed_in_recompute_dirty_does_not_hold_off_the_next_one(
    two_districts, settings, broker, children
):
    settings.STATS_RECOMPUTE_ON_COMMIT = False
    redis_url, send = broker
    days = seed_marked_days(RECOMPUTE_DAYS)
    with day_held(days[RECOMPUTE_HELD_DAY]):
        send(recompute_dirty)
        worker = start_celery_worker(settings, redis_url, QUEUE)
        children.append(worker)
        backend = wait_until_waiting_for(days[RECOMPUTE_HELD_DAY], worker)
        kill(worker)
    wait_until_gone(backend)
    assert_recovers(days, settings, redis_url, send, children)
