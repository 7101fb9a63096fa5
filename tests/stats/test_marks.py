"""Dirty marks: per (day, area) for small changes, per whole day for wide ones, written once at
the end of a batched load; recomputes treat them alike."""

import threading
from datetime import date, datetime, timedelta

import pytest
from django.db import connection, connections, transaction
from django.db.transaction import TransactionManagementError
from django.utils import timezone

from incidents.ingest import IngestChunk, incidents_ingest, incidents_ingest_chunks
from incidents.models import Incident, IncidentDaily
from stats import marks as stats_marks
from stats import services
from stats.marks import rollups_mark_dirty, rollups_marks_batched
from stats.models import ALL_CATEGORIES, EVERYWHERE, DirtyDay
from stats.services import rollups_rebuild, rollups_recompute_dirty

pytestmark = pytest.mark.django_db

DAY = timezone.localdate() - timedelta(days=3)


def rows_on(day: date, points: list[tuple[float, float]], prefix: str) -> list[dict]:
    noon = datetime(day.year, day.month, day.day, 12, tzinfo=timezone.get_default_timezone())
    return [
        {
            "source_ref": f"{prefix}{n}",
            "category": "theft",
            "reported_at": (noon + timedelta(minutes=n)).isoformat(),
            "lon": lon,
            "lat": lat,
        }
        for n, (lon, lat) in enumerate(points)
    ]


def marks(source: str = "incidents") -> set[tuple]:
    return set(DirtyDay.objects.filter(source=source).values_list("day", "area_key"))


def test_a_day_changed_in_few_areas_is_marked_area_by_area(db):
    rollups_mark_dirty(source="incidents", keys=[(DAY, 5), (DAY, 9), (DAY, 5)])
    assert marks() == {(DAY, 5), (DAY, 9)}


def test_a_day_changed_in_many_areas_is_marked_once_as_a_whole(db):
    keys = [(DAY, area) for area in range(1, stats_marks.WHOLE_DAY_AREAS + 2)]
    keys.append((DAY + timedelta(days=1), 3))
    assert rollups_mark_dirty(source="incidents", keys=keys) == 2
    assert marks() == {(DAY, EVERYWHERE), (DAY + timedelta(days=1), 3)}


def test_batched_marks_are_written_once_at_the_end_of_the_block(db):
    with transaction.atomic(), rollups_marks_batched():
        rollups_mark_dirty(source="incidents", keys=[(DAY, 5)])
        rollups_mark_dirty(source="incidents", keys=[(DAY, 6)])
        assert not DirtyDay.objects.exists()
    assert marks() == {(DAY, 5), (DAY, 6)}


@pytest.mark.django_db(transaction=True)
def test_batched_marks_outside_a_transaction_are_refused():
    with pytest.raises(TransactionManagementError), rollups_marks_batched():
        pass


def test_batched_marks_are_not_written_when_the_block_fails(db):
    with pytest.raises(RuntimeError), transaction.atomic(), rollups_marks_batched():
        rollups_mark_dirty(source="incidents", keys=[(DAY, 5)])
        raise RuntimeError
    assert not DirtyDay.objects.exists()


def test_whole_day_marks_from_a_bulk_load_recompute_to_exact_counts(
    two_districts, settings, monkeypatch
):
    settings.STATS_RECOMPUTE_ON_COMMIT = False
    monkeypatch.setattr(stats_marks, "WHOLE_DAY_AREAS", 1)
    # Points in both stations, in district A outside its station, and outside every area.
    points = [(120.5, 30.5), (122.5, 30.5), (121.5, 31.5), (125.0, 35.0)] * 3
    rows = rows_on(DAY, points, "W")
    report = incidents_ingest_chunks(
        [IngestChunk(rows[:6]), IngestChunk(rows[6:], first_row_number=7)], source_system="t"
    )
    assert report.created == 12
    assert marks() == {(DAY, EVERYWHERE)}
    rollups_recompute_dirty()
    assert not DirtyDay.objects.exists()
    for area in (None, *two_districts):
        key = area.pk if area else EVERYWHERE
        expected = Incident.objects.filter(area_path__startswith=area.path if area else "")
        rollup = IncidentDaily.objects.get(day=DAY, area_key=key, category_key=ALL_CATEGORIES)
        assert rollup.count == expected.count() > 0


def test_a_single_incident_keeps_its_area_mark(two_districts, settings):
    settings.STATS_RECOMPUTE_ON_COMMIT = False
    incidents_ingest(rows=rows_on(DAY, [(120.5, 30.5)], "S"), source_system="t")
    incident = Incident.objects.get()
    assert marks() == {(DAY, incident.area_id)}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_rebuild_leaves_the_marks_of_a_change_in_flight_without_waiting_for_them(settings):
    """A rebuild clearing marks must not wait for a mark an ingest in flight holds: waiting,
    it holds the marks it took, and an ingest going on to mark one of those deadlocks with it.
    The mark it skips stays, for a recompute that sees the ingest's change."""
    settings.STATS_RECOMPUTE_ON_COMMIT = False
    later, earlier = (DAY, 7), (DAY - timedelta(days=1), 7)
    # The later mark is the older row: a delete in the table's order takes it first.
    rollups_mark_dirty(source="incidents", keys=[later])
    rollups_mark_dirty(source="incidents", keys=[earlier])
    errors: list[BaseException] = []
    holding_earlier, rebuild_done = threading.Event(), threading.Event()
    rebuilt_while_in_flight = []

    def ingest():
        try:
            with transaction.atomic():
                rollups_mark_dirty(source="incidents", keys=[earlier])
                holding_earlier.set()
                rebuilt_while_in_flight.append(rebuild_done.wait(5))
                rollups_mark_dirty(source="incidents", keys=[later])
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    def rebuild():
        try:
            assert holding_earlier.wait(10)
            # Marks read in the table's order, as a sequential scan of a large table reads them.
            with connection.cursor() as cursor:
                cursor.execute("SET enable_indexscan = off")
                cursor.execute("SET enable_bitmapscan = off")
            rollups_rebuild(since=earlier[0], until=later[0])
            rebuild_done.set()
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=ingest), threading.Thread(target=rebuild)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    assert rebuilt_while_in_flight == [True]
    assert marks() == {earlier, later}


def test_a_rebuild_that_fails_part_way_keeps_the_marks_of_the_days_it_did_not_write(
    settings, monkeypatch
):
    settings.STATS_RECOMPUTE_ON_COMMIT = False
    days = [DAY - timedelta(days=n) for n in range(services.REBUILD_DAYS_PER_TRANSACTION + 3)]
    rollups_mark_dirty(source="incidents", keys=[(day, 7) for day in days])
    failing_day = min(days) + timedelta(days=services.REBUILD_DAYS_PER_TRANSACTION + 1)
    real_recompute = services.rollup_day_recompute

    def recompute_failing_on_one_day(*, day, **kwargs):
        if day == failing_day:
            raise RuntimeError("killed")
        return real_recompute(day=day, **kwargs)

    monkeypatch.setattr(services, "rollup_day_recompute", recompute_failing_on_one_day)
    with pytest.raises(RuntimeError):
        rollups_rebuild(since=min(days), until=max(days))
    first_batch = set(sorted(days)[: services.REBUILD_DAYS_PER_TRANSACTION])
    assert marks() == {(day, 7) for day in days if day not in first_batch}
