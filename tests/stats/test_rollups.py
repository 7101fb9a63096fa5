"""Rollups answer exactly what a direct count over the records answers, and stay current."""

import random
import threading
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connections
from django.db.models import Count, Q, Sum
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from areas.models import Area
from incidents.ingest import incidents_ingest
from incidents.models import Category, Incident, IncidentDaily
from safecity.celery import app
from stats import services
from stats.days import day_bounds
from stats.models import ALL_CATEGORIES, EVERYWHERE, DirtyDay
from stats.registry import get_source, sources
from stats.selectors import Subject, stats_summary
from stats.services import rollups_rebuild, rollups_recompute_dirty
from stats.windows import Window, previous_period, window_period, year_before

pytestmark = pytest.mark.django_db

TODAY = date(2026, 3, 15)
CATEGORY_CODES = ["theft_burglary", "theft_ebike", "fraud_telecom_romance", "fight", "other"]
MEASURES = ["count", "money_involved", "solved", "arrested", "within_3min", "responded"]


def incident_row(rng: random.Random, number: int, lon: float, lat: float) -> dict:
    reported = datetime(2024, 1, 1, tzinfo=UTC) + timedelta(
        seconds=rng.randrange(int((TODAY - date(2024, 1, 1)).days * 86400))
    )
    row = {
        "source_ref": f"S{number:05d}",
        "category": rng.choice(CATEGORY_CODES),
        "reported_at": reported.isoformat(),
        "lon": lon,
        "lat": lat,
    }
    if rng.random() < 0.7:
        row["on_scene_at"] = (reported + timedelta(seconds=rng.randrange(20, 900))).isoformat()
    if rng.random() < 0.3:
        row["money_involved"] = f"{rng.randrange(1, 100000) / 100:.2f}"
    if rng.random() < 0.2:
        row["filed_at"] = (reported + timedelta(hours=1)).isoformat()
        row["solved_at"] = (reported + timedelta(hours=2)).isoformat()
        row["arrested"] = rng.randrange(1, 3)
    return row


def random_rows(count: int, seed: int = 7) -> list[dict]:
    rng = random.Random(seed)
    rows = []
    for number in range(count):
        # Mostly inside the two districts (120..121 and 122..123), some in no area at all.
        lon = rng.choice([120.5, 121.5, 122.5, 125.0]) + rng.uniform(-0.45, 0.45)
        rows.append(incident_row(rng, number, lon, 30.0 + rng.uniform(-0.9, 0.9)))
    return rows


def direct(subject: Subject, start: date, end: date) -> dict:
    """The measures computed straight from the incidents, as the rollups must answer."""
    first, _ = day_bounds(start)
    _, last = day_bounds(end)
    records = Incident.objects.filter(reported_at__gte=first, reported_at__lt=last)
    if subject.area_path:
        records = records.filter(area_path__startswith=subject.area_path)
    if subject.category_path:
        records = records.filter(category_path__startswith=subject.category_path)
    row = records.aggregate(
        count=Count("id"),
        money_involved=Sum("money_involved"),
        solved=Count("id", filter=Q(solved_at__isnull=False)),
        arrested=Sum("arrested"),
        within_3min=Count("id", filter=Q(response_seconds__lte=180)),
        responded=Count("id", filter=Q(response_seconds__isnull=False)),
    )
    return {
        name: float(value) if isinstance(value, Decimal) else (value or 0)
        for name, value in row.items()
    }


def subjects() -> list[Subject]:
    source = get_source("incidents")
    areas = [(EVERYWHERE, "")] + [(a.id, a.path) for a in Area.objects.all()]
    categories = [(ALL_CATEGORIES, "")] + [
        (c.id, c.path) for c in Category.objects.filter(path__startswith="/criminal/")
    ]
    categories += [(c.id, c.path) for c in Category.objects.filter(code__in=["fight", "other"])]
    return [Subject(source, a, ap, c, cp) for a, ap in areas for c, cp in categories]


@pytest.fixture
def dataset(two_districts, settings):
    settings.STATS_RECOMPUTE_ON_COMMIT = False
    incidents_ingest(rows=random_rows(400), source_system="t")
    rollups_rebuild()
    return subjects()


@hypothesis_settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    choice=st.integers(min_value=0, max_value=10**6),
    window=st.sampled_from([w for w in Window.values if w != Window.CUSTOM] + ["custom"]),
    end_offset=st.integers(min_value=0, max_value=800),
    length=st.integers(min_value=1, max_value=400),
)
def test_summary_from_rollups_equals_a_direct_count(dataset, choice, window, end_offset, length):
    subject = dataset[choice % len(dataset)]
    end = TODAY - timedelta(days=end_offset)
    start = end - timedelta(days=length - 1) if window == "custom" else None
    period = window_period(window, end, start)
    result = stats_summary(subject=subject, window=window, period=period, measures=MEASURES)
    expected = {
        "current": direct(subject, period.start, period.end),
        "yoy": direct(subject, *astuple(year_before(window, period))),
        "pop": direct(subject, *astuple(previous_period(window, period))),
    }
    for measure in MEASURES:
        block = result["measures"][measure]
        assert block["current"] == pytest.approx(expected["current"][measure])
        assert block["yoy"]["base"] == pytest.approx(expected["yoy"][measure])
        assert block["pop"]["base"] == pytest.approx(expected["pop"][measure])


def astuple(period) -> tuple[date, date]:
    return period.start, period.end


def city_count(day: date) -> int:
    row = IncidentDaily.objects.filter(
        day=day, area_key=EVERYWHERE, category_key=ALL_CATEGORIES
    ).first()
    return row.count if row else 0


def test_ingest_marks_its_days_and_the_recompute_clears_them(two_districts, settings):
    settings.STATS_RECOMPUTE_ON_COMMIT = False
    rows = random_rows(30, seed=3)
    incidents_ingest(rows=rows, source_system="t")
    assert DirtyDay.objects.count() > 0
    assert IncidentDaily.objects.count() == 0
    expected_days = {services.local_day(datetime.fromisoformat(row["reported_at"])) for row in rows}
    assert set(DirtyDay.objects.values_list("day", flat=True)) == expected_days
    # Each day once per source rolled up from incidents (the counts, the response times).
    incident_sources = [source for source in sources() if source.model is Incident]
    assert len(incident_sources) >= 2
    assert rollups_recompute_dirty() == len(expected_days) * len(incident_sources)
    assert DirtyDay.objects.count() == 0
    subject = Subject(get_source("incidents"))
    for day in expected_days:
        assert city_count(day) == direct(subject, day, day)["count"]


def test_a_late_incident_for_an_old_day_counts_in_that_day(two_districts, settings):
    settings.STATS_RECOMPUTE_ON_COMMIT = False
    old = datetime(2023, 6, 1, 10, tzinfo=UTC)
    incidents_ingest(rows=[incident_row(random.Random(1), 1, 120.5, 30.0)], source_system="t")
    rollups_recompute_dirty()
    before = city_count(services.local_day(old))
    late = {"source_ref": "LATE", "category": "fight", "reported_at": old.isoformat()}
    incidents_ingest(rows=[late | {"lon": 120.5, "lat": 30.0}], source_system="t")
    rollups_recompute_dirty()
    assert city_count(services.local_day(old)) == before + 1


def test_moving_an_incident_to_another_day_fixes_both_days(two_districts, settings):
    settings.STATS_RECOMPUTE_ON_COMMIT = False
    first, second = datetime(2025, 5, 1, 3, tzinfo=UTC), datetime(2025, 5, 9, 3, tzinfo=UTC)
    row = {"source_ref": "MOVE", "category": "fight", "lon": 120.5, "lat": 30.0}
    incidents_ingest(rows=[row | {"reported_at": first.isoformat()}], source_system="t")
    rollups_recompute_dirty()
    assert city_count(services.local_day(first)) == 1
    incidents_ingest(rows=[row | {"reported_at": second.isoformat()}], source_system="t")
    rollups_recompute_dirty()
    assert city_count(services.local_day(first)) == 0
    assert city_count(services.local_day(second)) == 1


def test_deleting_an_incident_takes_it_out_of_the_rollups(two_districts, settings):
    settings.STATS_RECOMPUTE_ON_COMMIT = False
    moment = datetime(2025, 7, 1, 3, tzinfo=UTC)
    row = {"source_ref": "DEL", "category": "fight", "lon": 120.5, "lat": 30.0}
    incidents_ingest(rows=[row | {"reported_at": moment.isoformat()}], source_system="t")
    rollups_recompute_dirty()
    assert city_count(services.local_day(moment)) == 1
    Incident.objects.get(source_ref="DEL").delete()
    rollups_recompute_dirty()
    assert city_count(services.local_day(moment)) == 0


def test_recomputing_twice_changes_nothing(dataset):
    before = sorted(IncidentDaily.objects.values_list("day", "area_key", "category_key", "count"))
    rollups_rebuild()
    after = sorted(IncidentDaily.objects.values_list("day", "area_key", "category_key", "count"))
    assert before == after


def test_rebuild_command_reports_its_days(dataset):
    IncidentDaily.objects.all().delete()
    out = StringIO()
    call_command("rebuild_stats", verbosity=0, stdout=out)
    assert "Rebuilt the statistics of" in out.getvalue()
    subject = Subject(get_source("incidents"))
    day = Incident.objects.order_by("reported_at").first().reported_at
    local = services.local_day(day)
    assert city_count(local) == direct(subject, local, local)["count"]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_ingest_while_a_recompute_runs_loses_nothing(two_districts, settings, monkeypatch):
    """The worst interleaving: a recompute has claimed the day's mark and computes the day
    before a concurrent ingest for that day commits. The ingest's own mark must survive."""
    import incidents.ingest.pipeline as ingest_pipeline

    settings.STATS_RECOMPUTE_ON_COMMIT = False
    moment = datetime(2025, 8, 1, 3, tzinfo=UTC)
    day = services.local_day(moment)
    row = {"category": "fight", "lon": 120.5, "lat": 30.0, "reported_at": moment.isoformat()}
    incidents_ingest(rows=[row | {"source_ref": "A"}], source_system="t")

    claimed, release, ingest_marked, recompute_done = (threading.Event() for _ in range(4))
    real_recompute = services.rollup_day_recompute
    real_mark = ingest_pipeline.rollups_mark_dirty_for

    def recompute_after_release(**kwargs):
        claimed.set()
        assert release.wait(20)
        return real_recompute(**kwargs)

    def mark_then_linger(*args, **kwargs):
        # The ingest has written its incident and its mark but not committed yet.
        count = real_mark(*args, **kwargs)
        ingest_marked.set()
        recompute_done.wait(10)
        return count

    monkeypatch.setattr(services, "rollup_day_recompute", recompute_after_release)
    monkeypatch.setattr(ingest_pipeline, "rollups_mark_dirty_for", mark_then_linger)

    def recompute_thread():
        rollups_recompute_dirty()
        connections.close_all()

    def ingest_thread():
        incidents_ingest(rows=[row | {"source_ref": "B"}], source_system="t")
        connections.close_all()

    recompute = threading.Thread(target=recompute_thread)
    recompute.start()
    assert claimed.wait(20)
    ingest = threading.Thread(target=ingest_thread)
    ingest.start()
    # A mark that does not wait for the claim would let the ingest get here at once; the
    # recompute then computes the day without the ingest's uncommitted incident.
    ingest_marked.wait(2)
    release.set()
    recompute.join(30)
    recompute_done.set()
    ingest.join(30)
    monkeypatch.setattr(services, "rollup_day_recompute", real_recompute)

    rollups_recompute_dirty()
    assert city_count(day) == Incident.objects.count() == 2


@pytest.mark.redis
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_keeps_the_numbers_current_after_an_import(
    two_districts, settings, celery_worker_process
):
    from stats.tasks import recompute_dirty

    settings.STATS_RECOMPUTE_ON_COMMIT = False
    rows = random_rows(120, seed=11)
    incidents_ingest(rows=rows, source_system="t")
    assert DirtyDay.objects.exists()
    app.conf.task_always_eager = False
    app.conf.broker_url = settings.REDIS_URL
    try:
        recompute_dirty.apply_async(queue=celery_worker_process)
        deadline = time.monotonic() + 60
        while DirtyDay.objects.exists() and time.monotonic() < deadline:
            time.sleep(0.3)
    finally:
        app.conf.task_always_eager = settings.CELERY_TASK_ALWAYS_EAGER
        app.conf.broker_url = settings.CELERY_BROKER_URL
    assert not DirtyDay.objects.exists()
    subject = Subject(get_source("incidents"))
    period = window_period(Window.CUSTOM, TODAY, date(2024, 1, 1))
    result = stats_summary(subject=subject, window="custom", period=period, measures=["count"])
    assert result["measures"]["count"]["current"] == len(rows) == Incident.objects.count()


def test_charlottesville_year_to_date_matches_a_count_of_the_file(shared_data, settings):
    import csv

    settings.TIME_ZONE = "UTC"  # the file's times are UTC; its years are UTC years
    settings.STATS_RECOMPUTE_ON_COMMIT = False
    path = shared_data / "charlottesville" / "incidents.csv"
    call_command(
        "import_incidents",
        str(path),
        "--mapping=docs/examples/charlottesville.mapping.json",
        "--source=charlottesville",
        "--no-progress",
        stdout=StringIO(),
        stderr=StringIO(),
    )
    rollups_recompute_dirty()
    with open(path, encoding="utf-8", newline="") as handle:
        years = [
            datetime.fromisoformat(r["date_reported"]).astimezone(UTC).year
            for r in csv.DictReader(handle)
        ]
    period = window_period(Window.YEAR_TO_DATE, date(2023, 12, 31))
    result = stats_summary(
        subject=Subject(get_source("incidents")),
        window=Window.YEAR_TO_DATE,
        period=period,
        measures=["count"],
    )
    count = result["measures"]["count"]
    assert count["current"] == years.count(2023)
    assert count["yoy"]["base"] == years.count(2022)
