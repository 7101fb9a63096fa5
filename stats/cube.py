"""The rollup cube: a source's daily rollups held in memory, so a summary needs no round trip.

A summary is three sums of a few measures over days of one (area node, category node) pair; a
database round trip alone costs more than the whole answer may. So each process keeps, per
source, every rollup row in (area, category, day) order: an index from each (area, category)
pair to its rows, each row's day, and per measure the running total of its values. A period's
total is the difference of two running totals, found by binary search among the pair's days.
Only whole-number measures are held — counts, and money as integer cents — so every total is
exact and comes back as the database's sum would.

Freshness: every transaction that writes a source's rollups bumps its RollupGeneration. A
snapshot remembers the generation it was loaded at and answers only while that is the current
one, re-read at most every STATS_CUBE_RECHECK_SECONDS. Otherwise the caller asks the database
and one background thread loads a new snapshot, which replaces the old one whole: readers
never see a snapshot being built.
"""

import io
import logging
import math
import threading
from bisect import bisect_left
from dataclasses import dataclass, field, replace
from datetime import date
from time import monotonic

import numpy as np
from django.conf import settings
from django.core.signals import setting_changed
from django.db import connection, connections, models
from django.dispatch import receiver

from .models import RollupGeneration
from .registry import MetricSource
from .windows import Period

logger = logging.getLogger(__name__)

# Rollup days are loaded as day numbers from 2000-01-01, the origin of PostgreSQL's dates.
EPOCH_ORDINAL = date(2000, 1, 1).toordinal()
SQLITE_EPOCH_JULIAN_DAY = 2451544.5
INT64_MAX = 2**63 - 1
PGCOPY_SIGNATURE = b"PGCOPY\n\xff\r\n\x00"
SQLITE_FETCH_ROWS = 50_000
# Loads retried while rollup writes keep moving the generation under them.
LOAD_ATTEMPTS = 3
# A reload that failed, or could not see the generation its caller saw (rollups of the
# caller's own uncommitted transaction), is not tried again for that generation sooner.
RETRY_SECONDS = 30.0


class CubeSettings:
    """The STATS_CUBE settings, read once and again when a test overrides one: an attribute
    of Django's settings object costs half a microsecond, a noticeable part of an answer."""

    def __init__(self):
        # Off for this process whatever the settings say (Celery workers).
        self.process_off = False
        self.reload()

    def reload(self) -> None:
        self.enabled = settings.STATS_CUBE and not self.process_off
        self.recheck_seconds = settings.STATS_CUBE_RECHECK_SECONDS
        self.reload_seconds = settings.STATS_CUBE_RELOAD_SECONDS
        self.max_rows = settings.STATS_CUBE_MAX_ROWS


cube_settings = CubeSettings()


@receiver(setting_changed)
def _reload_cube_settings(*, setting: str, **kwargs) -> None:
    if setting.startswith("STATS_CUBE"):
        cube_settings.reload()


@dataclass(frozen=True)
class Snapshot:
    """A source's rollups at one generation, rows in (area, category, day) order: ``pairs``
    maps a pair's number (area key * stride + category key) to its rows [first, end), ``days``
    holds each row's day (days after ``first_day``, an ordinal) and ``running`` per measure
    the total of the rows before each row (None where that could overflow int64). Without
    pairs the cube cannot hold this generation (too many rows, keys too large).

    The lookups are Python's bisect over memoryviews of numpy arrays: for a handful of probes
    that is several times faster than numpy's own calls."""

    generation: int
    pairs: dict[int, tuple[int, int]] | None = None
    days: memoryview | None = None
    running: dict[str, memoryview | None] = field(default_factory=dict)
    first_day: int = 0
    stride: int = 1

    @property
    def rows(self) -> int:
        return 0 if self.days is None else len(self.days)

    def holds_rows_of(self, other: "Snapshot") -> bool:
        return (
            self.pairs is not None
            and other.pairs is not None
            and (self.first_day, self.stride) == (other.first_day, other.stride)
            and self.pairs == other.pairs
            and np.array_equal(self.days, other.days)
        )

    def totals(
        self,
        area_key: int,
        category_key: int,
        periods: tuple[Period, ...],
        columns: list[tuple[memoryview, int | None]],
    ) -> list[list]:
        """Per (running totals, scale) column, the total of each period, each as number() gives
        the database's sum."""
        stride = self.stride
        span = self.pairs.get(area_key * stride + category_key) if category_key < stride else None
        if span is None:
            return [[0] * len(periods) for _ in columns]
        first, end = span
        days, origin = self.days, self.first_day
        rows = []
        for start, last in periods:
            low = bisect_left(days, start.toordinal() - origin, first, end)
            rows.append((low, bisect_left(days, last.toordinal() - origin + 1, low, end)))
        result = []
        for sums, scale in columns:
            totals = []
            for low, high in rows:
                if scale is None:
                    totals.append(sums[high] - sums[low])
                elif high > low:
                    # int / int is correctly rounded, as float() of the exact Decimal sum is.
                    totals.append((sums[high] - sums[low]) / scale)
                else:
                    totals.append(0)  # no rows: number() makes the database's NULL sum 0
            result.append(totals)
        return result


class Cube:
    """One source's current snapshot, the generation last read, and its one reload thread."""

    def __init__(self, source: MetricSource):
        self.source = source
        self.scales = held_measures(source)
        self.snapshot: Snapshot | None = None
        # (generation, monotonic time it was read); a pair, so threads never mix two reads.
        self.seen: tuple[int, float] = (0, -math.inf)
        self.retry: tuple[int | None, float] = (None, -math.inf)
        # No reload starts before this (monotonic) time: while a back-fill recomputes day after
        # day, each moving the generation, a process reloads now and then, not continuously.
        self.next_reload_at = -math.inf
        self.reloading: threading.Thread | None = None
        self.lock = threading.Lock()

    def totals(
        self, area_key: int, category_key: int, periods: tuple[Period, ...], measures: list[str]
    ) -> list[list] | None:
        """The totals from the snapshot, or None when it cannot give them now."""
        scales = self.scales
        for measure in measures:
            if measure not in scales:
                return None  # histograms: never held
        generation = self.generation()
        snapshot = self.snapshot
        if snapshot is None or snapshot.generation != generation or snapshot.pairs is None:
            # Older than the rollups: load them. Newer (the generation was read while a reload
            # finished): the database answers until the next read.
            if snapshot is None or snapshot.generation < generation:
                self._reload_in_background(measures, generation)
            return None
        running = snapshot.running
        columns = []
        for measure in measures:
            sums = running.get(measure)
            if sums is None:
                # Not loaded yet (a reload adds it), or its totals could overflow int64.
                if measure not in running:
                    self._reload_in_background(measures, generation)
                return None
            columns.append((sums, scales[measure]))
        return snapshot.totals(area_key, category_key, periods, columns)

    def generation(self) -> int:
        """The rollups' generation, read from the database at most every recheck_seconds."""
        generation, read_at = self.seen
        now = monotonic()
        if now - read_at >= cube_settings.recheck_seconds:
            generation = current_generation(self.source)
            self._saw(generation, now)
        return generation

    def load(self, measures: list[str]) -> Snapshot | None:
        """Load the current rollups and swap them in, in this thread: only the missing measures
        when the snapshot is current. None when rollup writes kept moving the generation."""
        for _ in range(LOAD_ATTEMPTS):
            generation = current_generation(self.source)
            current = self.snapshot
            if current is not None and current.generation == generation:
                wanted = [measure for measure in measures if measure not in current.running]
                if current.pairs is None or not wanted:
                    return current
            else:
                kept = current.running if current is not None else {}
                wanted = list(dict.fromkeys([*measures, *kept]))
            loaded = self._fetch(generation, wanted)
            confirmed_at = monotonic()
            if current_generation(self.source) == generation:
                return self._swap(loaded, confirmed_at)
        return None

    def _saw(self, generation: int, at: float) -> None:
        if at >= self.seen[1]:
            self.seen = (generation, at)

    def _reload_in_background(self, measures: list[str], generation: int) -> None:
        with self.lock:
            if self.reloading is not None:
                return
            now = monotonic()
            skipped, retry_at = self.retry
            if now < self.next_reload_at or (generation == skipped and now < retry_at):
                return
            self.next_reload_at = now + cube_settings.reload_seconds
            self.reloading = threading.Thread(
                target=self._reload,
                args=(list(measures), generation),
                name=f"stats-cube-{self.source.name}",
                daemon=True,
            )
            self.reloading.start()

    def _reload(self, measures: list[str], generation: int) -> None:
        snapshot = None
        try:
            snapshot = self.load(measures)
        except Exception:
            logger.exception("stats cube: loading the %s rollups failed", self.source.name)
        finally:
            # This thread's own connection; the database must not keep it open.
            connections.close_all()
        with self.lock:
            self.reloading = None
            if snapshot is None or snapshot.generation < generation:
                self.retry = (generation, monotonic() + RETRY_SECONDS)

    def _swap(self, loaded: Snapshot, confirmed_at: float) -> Snapshot:
        with self.lock:
            current = self.snapshot
            if current is not None and current.generation > loaded.generation:
                return current
            if (
                current is not None
                and current.generation == loaded.generation
                and loaded.holds_rows_of(current)
            ):
                loaded = replace(loaded, running={**current.running, **loaded.running})
            self.snapshot = loaded
        self._saw(loaded.generation, confirmed_at)
        return loaded

    def _fetch(self, generation: int, measures: list[str]) -> Snapshot:
        table = connection.ops.quote_name(self.source.rollup._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COUNT(*) FROM {table}")
            (count,) = cursor.fetchone()
        if count > cube_settings.max_rows:
            logger.warning(
                "stats cube: %s has %d rollup rows, more than STATS_CUBE_MAX_ROWS; "
                "its statistics are read from the database",
                self.source.name,
                count,
            )
            return Snapshot(generation)
        select = self._select(measures)
        if connection.vendor == "postgresql":
            columns = _copied_columns(select, [4, 4, 4] + [8] * len(measures))
        else:
            columns = _fetched_columns(select, 3 + len(measures))
        area, category, day, *values = columns
        return self._indexed(
            generation, area, category, day, dict(zip(measures, values, strict=True))
        )

    def _select(self, measures: list[str]) -> str:
        """Key columns, day numbers and whole-number measure values, in no particular order."""
        quote = connection.ops.quote_name
        rollup = self.source.rollup._meta

        def column(name: str) -> str:
            return quote(rollup.get_field(name).column)

        day = column("day")
        if connection.vendor == "postgresql":
            day_number = f"{day} - DATE '2000-01-01'"
        else:  # SQLite
            day_number = f"CAST(julianday({day}) - {SQLITE_EPOCH_JULIAN_DAY} AS INTEGER)"
        values = []
        for measure in measures:
            scale = self.scales[measure]
            scaled = column(measure) if scale is None else f"ROUND({column(measure)} * {scale})"
            values.append(f"CAST({scaled} AS BIGINT)")
        # No ORDER BY: the rows come in the table's order and are sorted by _indexed. Read in
        # key order through the unique index, 2 million rows took ten times as long.
        return (
            f"SELECT {column('area_key')}, {column('category_key')}, {day_number}, "
            f"{', '.join(values)} FROM {quote(rollup.db_table)}"
        )

    def _indexed(self, generation, area, category, day, values: dict) -> Snapshot:
        if not len(area):
            return Snapshot(
                generation,
                {},
                _frozen(np.empty(0, np.int32)),
                {m: _frozen(np.zeros(1, np.int64)) for m in values},
            )
        stride = int(category.max()) + 1
        if area.min() < 0 or category.min() < 0 or int(area.max()) * stride + stride > INT64_MAX:
            logger.warning(
                "stats cube: the %s rollup keys are too large to index; its statistics are read "
                "from the database",
                self.source.name,
            )
            return Snapshot(generation)
        pair = area * stride + category
        first_day = int(day.min())
        days = day - first_day
        # Rows in (pair, day) order: by one sort key where it fits in int64 (five times faster).
        width = int(days.max()) + 1
        if int(pair.max()) * width + width <= INT64_MAX:
            order = np.argsort(pair * width + days)
        else:
            order = np.lexsort((days, pair))
        pair, days = pair[order], days[order].astype(np.int32)
        values = {measure: column[order] for measure, column in values.items()}
        pair_step = np.diff(pair)
        if not ((pair_step > 0) | ((pair_step == 0) & (np.diff(days) > 0))).all():
            raise ValueError(f"{self.source.name} has two rollup rows for one key and day")
        starts = np.concatenate(([0], np.flatnonzero(pair_step) + 1))
        ends = np.append(starts[1:], len(pair))
        spans = zip(starts.tolist(), ends.tolist(), strict=True)
        running = {}
        for measure, column in values.items():
            # Running totals are exact while every partial sum fits in int64.
            if int(np.abs(column).max()) * len(column) <= INT64_MAX:
                running[measure] = _frozen(np.concatenate(([0], np.cumsum(column))))
            else:
                running[measure] = None
        return Snapshot(
            generation,
            dict(zip(pair[starts].tolist(), spans, strict=True)),
            _frozen(days),
            running,
            first_day=EPOCH_ORDINAL + first_day,
            stride=stride,
        )


def _frozen(array: np.ndarray) -> memoryview:
    array.flags.writeable = False
    return memoryview(array)


def held_measures(source: MetricSource) -> dict[str, int | None]:
    """The measures a cube can hold, each with the scale that makes its values whole numbers
    (10 ** decimal places; None for integer columns, whose totals are ints)."""
    held = {}
    for name, measure in source.measures.items():
        column = source.rollup._meta.get_field(name)
        if measure.kind == "histogram" or column.null:
            continue
        if isinstance(column, models.DecimalField):
            held[name] = 10**column.decimal_places
        elif isinstance(column, models.IntegerField):
            held[name] = None
    return held


_GENERATION_SQL = f"SELECT generation FROM {RollupGeneration._meta.db_table} WHERE source = %s"


def current_generation(source: MetricSource) -> int:
    with connection.cursor() as cursor:
        cursor.execute(_GENERATION_SQL, [source.name])
        row = cursor.fetchone()
    return row[0] if row else 0


def _copied_columns(select: str, widths: list[int]) -> list[np.ndarray]:
    """PostgreSQL: the columns of ``select`` (NOT NULL integers of these byte widths) through
    one binary COPY, read by numpy without a Python object per value."""
    buffer = io.BytesIO()
    with connection.cursor() as cursor, connection.wrap_database_errors:
        cursor.cursor.copy_expert(f"COPY ({select}) TO STDOUT WITH (FORMAT binary)", buffer)
    data = buffer.getbuffer()
    header = 19 + int.from_bytes(data[15:19], "big")
    if bytes(data[:11]) != PGCOPY_SIGNATURE or bytes(data[-2:]) != b"\xff\xff":
        raise ValueError("not a binary COPY")
    layout = [("fields", ">i2")]
    for i, width in enumerate(widths):
        layout += [(f"length{i}", ">i4"), (f"value{i}", f">i{width}")]
    row = np.dtype(layout)
    size = len(data) - header - 2
    if size % row.itemsize:
        raise ValueError("binary COPY rows are not of the expected widths")
    rows = np.frombuffer(data, row, count=size // row.itemsize, offset=header)
    lengths_match = all((rows[f"length{i}"] == width).all() for i, width in enumerate(widths))
    if not lengths_match or not (rows["fields"] == len(widths)).all():
        raise ValueError("binary COPY rows are not of the expected widths")
    return [rows[f"value{i}"].astype(np.int64) for i in range(len(widths))]


def _fetched_columns(select: str, width: int) -> list[np.ndarray]:
    """SQLite: the columns of ``select``, fetched in chunks of rows."""
    with connection.cursor() as cursor:
        cursor.execute(select)
        chunks = []
        while rows := cursor.fetchmany(SQLITE_FETCH_ROWS):
            chunks.append(np.array(rows, dtype=np.int64))
    table = np.concatenate(chunks) if chunks else np.empty((0, width), np.int64)
    return [np.ascontiguousarray(column) for column in table.T]


_cubes: dict[str, Cube] = {}
_cubes_lock = threading.Lock()


def _cube(source: MetricSource) -> Cube:
    cube = _cubes.get(source.name)
    if cube is None:
        with _cubes_lock:
            cube = _cubes.setdefault(source.name, Cube(source))
    return cube


def cube_off_in_this_process() -> None:
    """Never use a cube in this process: for Celery workers, whose statistics are stored
    (KPI states, published CompStat snapshots) and must come from the rollups as they are,
    not from a copy up to STATS_CUBE_RECHECK_SECONDS old."""
    cube_settings.process_off = True
    cube_settings.reload()


def cube_totals(subject, periods: tuple[Period, ...], measures: list[str]) -> list[list] | None:
    """Per measure, the total of each period, for a selectors.Subject from its source's cube, or
    None when the cube cannot answer (off, a measure it does not hold, not loaded or not
    current)."""
    if not cube_settings.enabled:
        return None
    cube = _cube(subject.source)
    return cube.totals(subject.area_key, subject.category_key, periods, measures)


def cube_generation(source: MetricSource) -> int | None:
    """The generation of the source's rollups as this process last read it (at most
    ``STATS_CUBE_RECHECK_SECONDS`` ago), or None when the cube is off."""
    if not cube_settings.enabled:
        return None
    return _cube(source).generation()


def cube_warm(*, source: MetricSource, measures: list[str]) -> Snapshot | None:
    """Load the source's cube with these measures now, in the caller's thread (and its
    transaction, whose rollups it sees); None when rollup writes kept outpacing the load."""
    cube = _cube(source)
    unheld = [measure for measure in measures if measure not in cube.scales]
    if unheld:
        raise ValueError(f"the cube holds no {unheld}: only integer and decimal measures")
    return cube.load(measures)


def cube_wait() -> None:
    """Wait for the reloads under way."""
    for cube in list(_cubes.values()):
        thread = cube.reloading
        if thread is not None:
            thread.join()


def cube_reset() -> None:
    """Forget every cube (after the reloads under way finish)."""
    cube_wait()
    _cubes.clear()
