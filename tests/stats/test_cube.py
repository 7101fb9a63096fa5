"""The rollup cube answers summaries exactly as the database does, and only while current."""

from datetime import date, timedelta

import numpy as np
import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from incidents.ingest import incidents_ingest
from incidents.models import Incident, IncidentDaily
from stats.cube import (
    Cube,
    cube_reset,
    cube_totals,
    cube_wait,
    cube_warm,
    current_generation,
    held_measures,
)
from stats.days import day_bounds
from stats.models import RollupChange
from stats.registry import get_source
from stats.selectors import Subject, stats_summary
from stats.services import rollups_rebuild, rollups_recompute_dirty
from stats.snapshot import indexed
from stats.windows import Window, window_period

from .test_rollups import TODAY, random_rows, subjects
from .test_snapshot import rows_of

pytestmark = pytest.mark.django_db

# Counts, and amounts both with money (money_involved) and without (loss: always 0.00).
MEASURES = ["count", "money_involved", "loss", "solved", "arrested", "within_3min"]
WHOLE_HISTORY = window_period(Window.CUSTOM, TODAY, date(2024, 1, 1))


def summary_reading(subject: Subject, window: str, period, measures: list[str]):
    """(stats_summary's answer, whether it read the rollup table)."""
    with CaptureQueriesContext(connection) as queries:
        result = stats_summary(subject=subject, window=window, period=period, measures=measures)
    table = IncidentDaily._meta.db_table
    return result, any(table in query["sql"] for query in queries.captured_queries)


def city_count() -> tuple[int, bool]:
    """(this whole history's incident count, whether the rollup table was read for it)."""
    result, read = summary_reading(
        Subject(get_source("incidents")), Window.CUSTOM, WHOLE_HISTORY, ["count"]
    )
    return result["measures"]["count"]["current"], read


def value_types(result: dict) -> dict:
    return {
        measure: (type(block["current"]), type(block["yoy"]["base"]), type(block["pop"]["base"]))
        for measure, block in result["measures"].items()
    }


@pytest.fixture
def warm_dataset(two_districts, settings):
    settings.STATS_RECOMPUTE_ON_COMMIT = False
    settings.STATS_CUBE = True
    incidents_ingest(rows=random_rows(400), source_system="t")
    rollups_rebuild()
    assert cube_warm(source=get_source("incidents"), measures=MEASURES) is not None
    return subjects()


@hypothesis_settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    choice=st.integers(min_value=0, max_value=10**6),
    window=st.sampled_from([w for w in Window.values if w != Window.CUSTOM] + ["custom"]),
    end_offset=st.integers(min_value=-30, max_value=1200),
    length=st.integers(min_value=1, max_value=900),
)
def test_cube_answers_equal_the_databases_in_value_and_type(
    warm_dataset, choice, window, end_offset, length
):
    subject = warm_dataset[choice % len(warm_dataset)]
    end = TODAY - timedelta(days=end_offset)
    start = end - timedelta(days=length - 1) if window == "custom" else None
    period = window_period(window, end, start)
    from_cube, read = summary_reading(subject, window, period, MEASURES)
    assert not read
    with override_settings(STATS_CUBE=False):
        from_database, read = summary_reading(subject, window, period, MEASURES)
    assert read
    assert from_cube == from_database
    assert value_types(from_cube) == value_types(from_database)


def test_a_warm_cube_answers_with_one_query_for_the_generation(warm_dataset):
    period = window_period(Window.YEAR_TO_DATE, TODAY)
    with CaptureQueriesContext(connection) as queries:
        stats_summary(subject=warm_dataset[0], window="ytd", period=period, measures=MEASURES)
    assert len(queries.captured_queries) == 1
    assert "rollupgeneration" in queries.captured_queries[0]["sql"]


@pytest.mark.django_db(transaction=True)
def test_recomputed_rollups_reach_the_summary_after_a_background_reload(two_districts, settings):
    settings.STATS_RECOMPUTE_ON_COMMIT = False
    settings.STATS_CUBE = True
    incidents_ingest(rows=random_rows(60, seed=5), source_system="t")
    rollups_rebuild()
    # Nothing loaded yet: the database answers while a reload starts.
    assert city_count() == (60, True)
    cube_wait()
    assert city_count() == (60, False)

    incidents_ingest(rows=random_rows(5, seed=9), source_system="later")
    # Marked dirty, not yet recomputed: the rollups, and so the cube, are unchanged.
    assert city_count() == (60, False)
    rollups_recompute_dirty()
    # The generation moved: the database answers the new numbers until the reload is done.
    assert city_count() == (65, True)
    cube_wait()
    assert city_count() == (65, False)


def test_a_measure_asked_for_later_joins_the_loaded_snapshot(two_districts, settings):
    settings.STATS_RECOMPUTE_ON_COMMIT = False
    settings.STATS_CUBE = True
    incidents_ingest(rows=random_rows(30), source_system="t")
    rollups_rebuild()
    source = get_source("incidents")
    first = cube_warm(source=source, measures=["count"])
    second = cube_warm(source=source, measures=["money_involved"])
    assert second.generation == first.generation
    assert set(second.running) == {"count", "money_involved"}


def test_histogram_measures_are_left_to_the_database(two_districts, settings):
    settings.STATS_CUBE = True
    source = get_source("responses")
    assert "dispatch_seconds" not in held_measures(source)
    with pytest.raises(ValueError, match="dispatch_seconds"):
        cube_warm(source=source, measures=["dispatch_seconds"])
    cube_warm(source=source, measures=["dispatched"])
    periods = (window_period(Window.YEAR_TO_DATE, TODAY),)
    assert cube_totals(Subject(source), periods, ["dispatched"]) == [[0]]
    assert cube_totals(Subject(source), periods, ["dispatched", "dispatch_seconds"]) is None


def test_a_disabled_cube_leaves_summaries_to_the_database(warm_dataset, settings):
    settings.STATS_CUBE = False
    assert city_count()[1]


def test_rollups_above_the_row_cap_are_read_from_the_database(two_districts, settings):
    settings.STATS_RECOMPUTE_ON_COMMIT = False
    settings.STATS_CUBE = True
    settings.STATS_CUBE_MAX_ROWS = 10
    incidents_ingest(rows=random_rows(30), source_system="t")
    rollups_rebuild()
    assert IncidentDaily.objects.count() > 10
    assert cube_warm(source=get_source("incidents"), measures=["count"]).segments is None
    assert city_count() == (30, True)


def test_a_celery_worker_never_reads_a_cube(warm_dataset, settings):
    from safecity.celery import _workers_read_statistics_from_the_database
    from stats.cube import cube_settings

    assert city_count()[1] is False
    try:
        _workers_read_statistics_from_the_database()
        assert city_count()[1] is True
        settings.STATS_CUBE = True  # a settings change does not turn it back on
        assert city_count()[1] is True
    finally:
        cube_settings.process_off = False
        cube_settings.reload()


@pytest.mark.django_db(transaction=True)  # the reload thread sees only committed rows
def test_a_lost_generation_row_never_brings_back_a_number_the_cube_has_seen(warm_dataset, settings):
    from stats.models import RollupGeneration
    from stats.services import _bump_generation

    source = get_source("incidents")
    loaded = cube_warm(source=source, measures=["count"]).generation
    RollupGeneration.objects.all().delete()  # a restore, a mistaken delete
    IncidentDaily.objects.update(count=0)  # rollups the cube does not hold
    _bump_generation(source, TODAY, TODAY)
    assert RollupGeneration.objects.get(source="incidents").generation > loaded
    assert city_count() == (0, True)  # the database answers; the cube reloads
    cube_wait()
    assert city_count() == (0, False)


@pytest.mark.django_db(transaction=True)
def test_a_summary_asking_for_an_unloaded_measure_loads_it_in_the_background(
    two_districts, settings
):
    settings.STATS_RECOMPUTE_ON_COMMIT = False
    settings.STATS_CUBE = True
    incidents_ingest(rows=random_rows(40, seed=3), source_system="t")
    rollups_rebuild()
    cube_warm(source=get_source("incidents"), measures=["count"])
    subject = Subject(get_source("incidents"))
    first, read = summary_reading(subject, Window.CUSTOM, WHOLE_HISTORY, ["count", "loss"])
    assert read
    cube_wait()
    second, read = summary_reading(subject, Window.CUSTOM, WHOLE_HISTORY, ["count", "loss"])
    assert not read
    assert second == first


@pytest.mark.parametrize("largest_area", [300, 2**50], ids=["one sort key", "lexsort"])
def test_rollup_rows_are_indexed_in_key_order_whatever_order_they_come_in(largest_area):
    rng = np.random.default_rng(4)
    keys = {
        (int(area), int(category), int(day))
        for area, category, day in zip(
            rng.choice([1, 7, largest_area], 400),
            rng.integers(0, 900, 400),
            rng.integers(8000, 8100, 400),
            strict=True,
        )
    }
    area, category, day = (np.array(column, np.int64) for column in zip(*sorted(keys), strict=True))
    count = rng.integers(1, 50, len(area))
    in_order = indexed(1, area, category, day, {"count": count})
    shuffled = rng.permutation(len(area))
    shuffled_in = indexed(
        1, area[shuffled], category[shuffled], day[shuffled], {"count": count[shuffled]}
    )
    for segment_in_order, segment_shuffled_in in zip(
        in_order.segments, shuffled_in.segments, strict=True
    ):
        assert segment_shuffled_in == segment_in_order
    # Each segment's rows in key order, with the running totals of their counts.
    for segment in in_order.segments:
        held = [
            (pair // segment.stride, pair % segment.stride, segment.first_day + day)
            for pair, day in zip(segment.row_pairs, segment.days, strict=True)
        ]
        assert held == sorted(held)
    assert rows_of(in_order) == [
        (*key, int(value)) for key, value in zip(sorted(keys), count, strict=True)
    ]


@pytest.fixture
def full_loads(monkeypatch):
    """How many times a cube read its whole rollup table."""
    calls = []
    whole = Cube._fetch

    def counted(cube, generation, measures):
        calls.append(generation)
        return whole(cube, generation, measures)

    monkeypatch.setattr(Cube, "_fetch", counted)
    return calls


def whole_load(source):
    cube_reset()
    return cube_warm(source=source, measures=MEASURES)


def test_a_recompute_reaches_the_cube_by_reading_only_the_days_it_rewrote(warm_dataset, full_loads):
    source = get_source("incidents")
    incidents_ingest(rows=random_rows(7, seed=11), source_system="later")
    assert rollups_recompute_dirty() > 0
    merged = cube_warm(source=source, measures=MEASURES)
    assert full_loads == []
    assert merged.generation == current_generation(source)
    assert rows_of(merged) == rows_of(whole_load(source))
    assert city_count() == (407, False)


def test_days_a_rebuild_empties_leave_the_cube(warm_dataset, full_loads):
    source = get_source("incidents")
    first, last = TODAY - timedelta(days=200), TODAY - timedelta(days=100)
    start, _ = day_bounds(first)
    _, end = day_bounds(last)
    emptied = Incident.objects.filter(reported_at__gte=start, reported_at__lt=end)
    removed = emptied.count()
    assert removed > 0
    emptied.delete()
    rollups_rebuild(since=first, until=last)
    merged = cube_warm(source=source, measures=MEASURES)
    assert full_loads == []
    assert rows_of(merged) == rows_of(whole_load(source))
    assert city_count() == (400 - removed, False)


def test_a_change_log_with_a_gap_loads_the_rollups_whole(warm_dataset, full_loads):
    source = get_source("incidents")
    incidents_ingest(rows=random_rows(3, seed=12), source_system="later")
    rollups_recompute_dirty()
    RollupChange.objects.all().delete()  # pruned, or a database restored from a backup
    reloaded = cube_warm(source=source, measures=MEASURES)
    assert full_loads == [reloaded.generation]
    assert city_count() == (403, False)


def test_rollup_changes_older_than_a_day_are_pruned(warm_dataset):
    incidents_ingest(rows=random_rows(2, seed=13), source_system="later")
    kept = set(RollupChange.objects.values_list("generation", flat=True))
    RollupChange.objects.create(
        source="incidents", previous=0, generation=1, first_day=TODAY, last_day=TODAY
    )
    rollups_recompute_dirty()
    generations = set(RollupChange.objects.values_list("generation", flat=True))
    assert 1 not in generations
    assert kept < generations
