"""The rollup cube: a source's daily rollups held in memory, so a summary needs no round trip.

A summary is three sums of a few measures over days of one (area node, category node) pair; a
database round trip alone costs more than the whole answer may. So each process keeps, per
source, every rollup row in (area, category, day) order: an index from each (area, category)
pair to its rows, each row's day, and per measure the running total of its values. A period's
total is the difference of two running totals, found by binary search among the pair's days.
Only whole-number measures are held — counts, and money as integer cents — so every total is
exact and comes back as the database's sum would.

Freshness: every transaction that writes a source's rollups bumps its RollupGeneration and logs
the days it rewrote (RollupChange). A snapshot remembers the generation it was loaded at and
answers only while that is the current one, re-read at most every STATS_CUBE_RECHECK_SECONDS.
Otherwise the caller asks the database and one background thread brings a new snapshot: the
rewritten days merged into the old one when the log links the two generations, else the whole
table. The new snapshot replaces the old one whole: readers never see one being built.
"""

import logging
import math
import threading
from time import monotonic

from django.conf import settings
from django.core.signals import setting_changed
from django.db import connection, connections, models
from django.dispatch import receiver

from .models import ALL_CATEGORIES, EVERYWHERE
from .registry import MetricSource
from .rollup_reads import current_generation, rewritten_days, rollup_columns
from .snapshot import Snapshot, UnindexableRows, indexed
from .windows import Period

logger = logging.getLogger(__name__)

# What cube_first_day gives when the cube cannot tell.
NOT_HELD = object()

# Loads retried while rollup writes keep moving the generation under them.
LOAD_ATTEMPTS = 3
# A reload that failed, or could not see the generation its caller saw (rollups of the
# caller's own uncommitted transaction), is not tried again for that generation sooner.
RETRY_SECONDS = 30.0
# More days rewritten since a snapshot than this, and it is loaded whole, not merged.
MERGED_DAYS = 366


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
        if snapshot is None or snapshot.generation != generation or snapshot.segments is None:
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

    def first_day(self):
        """The first day of the whole tree's rollups from the snapshot (None: no rollups), or
        NOT_HELD when the snapshot is not of the generation last read. Not read again: a
        summary has just read it for its totals, and a source's first day hardly ever moves."""
        generation = self.seen[0]
        snapshot = self.snapshot
        if snapshot is None or snapshot.generation != generation or snapshot.segments is None:
            return NOT_HELD
        return snapshot.first_day(EVERYWHERE, ALL_CATEGORIES)

    def generation(self) -> int:
        """The rollups' generation, read from the database at most every recheck_seconds."""
        generation, read_at = self.seen
        now = monotonic()
        if now - read_at >= cube_settings.recheck_seconds:
            generation = current_generation(self.source)
            self._saw(generation, now)
        return generation

    def load(self, measures: list[str]) -> Snapshot | None:
        """Bring the snapshot to the current rollups and swap it in, in this thread: the whole
        table again when it is current but lacks measures (rare: once per measure a process is
        asked for), only the rewritten days when the change log reaches back to it. None when
        rollup writes kept moving the generation."""
        for _ in range(LOAD_ATTEMPTS):
            generation = current_generation(self.source)
            current = self.snapshot
            if current is not None and current.generation == generation:
                wanted = [measure for measure in measures if measure not in current.running]
                if current.segments is None or not wanted:
                    return current
                loaded = self._fetch(generation, [*current.running, *wanted])
            else:
                loaded = self._updated(current, generation, measures)
                if loaded is None:
                    kept = current.running if current is not None else {}
                    loaded = self._fetch(generation, list(dict.fromkeys([*measures, *kept])))
            confirmed_at = monotonic()
            if current_generation(self.source) == generation:
                return self._swap(loaded, confirmed_at)
        return None

    def _updated(
        self, current: Snapshot | None, generation: int, measures: list[str]
    ) -> Snapshot | None:
        """``current`` brought to ``generation`` by reading only the days rewritten since, or
        None when the whole table must be read: nothing loaded, measures it lacks, a change
        log that does not link its generation to this one (pruned, or a restored database),
        or more days rewritten than a merge is worth."""
        if (
            current is None
            or current.segments is None
            or current.generation > generation
            or not set(measures) <= set(current.running)
        ):
            return None
        rewritten = rewritten_days(self.source, current.generation, generation)
        if rewritten is None or sum(last - first + 1 for first, last in rewritten) > MERGED_DAYS:
            return None
        held = list(current.running)
        area, category, day, *values = rollup_columns(self.source, self.scales, held, rewritten)
        merged = current.merged(
            generation, rewritten, area, category, day, dict(zip(held, values, strict=True))
        )
        if merged is not None and merged.rows > cube_settings.max_rows:
            return None
        return merged

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
            self.snapshot = loaded
        self._saw(loaded.generation, confirmed_at)
        return loaded

    def _fetch(self, generation: int, measures: list[str]) -> Snapshot:
        """A snapshot of the whole rollup table."""
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
        area, category, day, *values = rollup_columns(self.source, self.scales, measures)
        try:
            return indexed(
                generation, area, category, day, dict(zip(measures, values, strict=True))
            )
        except UnindexableRows:
            logger.warning(
                "stats cube: the %s rollup keys are too large to index; its statistics are read "
                "from the database",
                self.source.name,
            )
            return Snapshot(generation)


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


def cube_first_day(source: MetricSource):
    """The first day with any of the source's rollups, from its cube (None: none), or
    NOT_HELD when the cube cannot tell (off, not loaded or not current)."""
    if not cube_settings.enabled:
        return NOT_HELD
    return _cube(source).first_day()


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
