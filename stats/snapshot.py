"""A source's rollup rows as a rollup cube holds them: sorted arrays and running totals.

Pure numpy, no database: stats.cube loads the rows and swaps snapshots; this module builds a
snapshot from rows in any order, merges rewritten days into one, and sums periods from it.
"""

from bisect import bisect_left
from dataclasses import dataclass, field

import numpy as np

from .windows import Period

# Rollup days are loaded as day numbers from 2000-01-01, the origin of PostgreSQL's dates.
EPOCH_ORDINAL = 730120  # date(2000, 1, 1).toordinal()
INT64_MAX = 2**63 - 1


class UnindexableRows(ValueError):
    """Rollup keys a snapshot cannot index (negative, or too large for one int64 pair number)."""


@dataclass(frozen=True)
class Snapshot:
    """A source's rollups at one generation, rows in (area, category, day) order: ``pairs``
    maps a pair's number (area key * stride + category key) to its rows [first, end), ``days``
    holds each row's day (days after ``first_day``, an ordinal), ``row_pairs`` its pair number,
    and ``running`` per measure the total of the rows before each row (None where that could
    overflow int64). Without pairs the cube cannot hold this generation (too many rows, keys
    too large).

    The lookups are Python's bisect over memoryviews of numpy arrays: for a handful of probes
    that is several times faster than numpy's own calls."""

    generation: int
    pairs: dict[int, tuple[int, int]] | None = None
    days: memoryview | None = None
    running: dict[str, memoryview | None] = field(default_factory=dict)
    first_day: int = 0
    stride: int = 1
    row_pairs: memoryview | None = None

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

    def merged(
        self,
        generation: int,
        rewritten: list[tuple[int, int]],
        area: np.ndarray,
        category: np.ndarray,
        day: np.ndarray,
        values: dict[str, np.ndarray],
    ) -> "Snapshot | None":
        """This snapshot with the days of ``rewritten`` (inclusive ranges of day numbers)
        replaced by these rows (all of those days' rows now, in any order), at ``generation``;
        None when the rows do not fit this snapshot's layout (a new category key past the
        stride, a day before the first one, measures it does not hold), so a full load must.

        The kept rows are already in order: the new ones are sorted and inserted among them,
        which costs a few copies of the arrays, not a sort of them."""
        running = self.running
        if self.pairs is None or self.row_pairs is None or set(values) != set(running):
            return None
        if any(sums is None for sums in running.values()):
            return None
        stride, origin = self.stride, self.first_day - EPOCH_ORDINAL
        if len(area) and (
            min(int(area.min()), int(category.min())) < 0
            or int(category.max()) >= stride
            or int(day.min()) < origin
            or int(area.max()) * stride + stride > INT64_MAX
        ):
            return None
        old_days, old_pairs = np.asarray(self.days), np.asarray(self.row_pairs)
        keep = np.ones(len(old_days), bool)
        for low, high in rewritten:
            keep &= (old_days < low - origin) | (old_days > high - origin)
        new_pairs = area * stride + category
        new_days = day - origin
        order = np.lexsort((new_days, new_pairs))
        new_pairs, new_days = new_pairs[order], new_days[order]
        kept_pairs, kept_days = old_pairs[keep], old_days[keep]
        width = max(int(old_days.max(initial=0)), int(new_days.max(initial=0))) + 1
        largest_pair = max(int(old_pairs.max(initial=0)), int(new_pairs.max(initial=0)))
        if largest_pair * width + width > INT64_MAX:
            return None
        at = np.searchsorted(kept_pairs * width + kept_days, new_pairs * width + new_days)
        # The merged arrays: kept rows in order, each new row at its place among them.
        new_at = at + np.arange(len(at))
        kept_at = np.ones(len(kept_days) + len(at), bool)
        kept_at[new_at] = False
        differences = np.empty(len(old_days), np.int64)
        merged_values = np.empty(len(kept_at), np.int64)
        merged_running = {}
        for measure, column in values.items():
            sums = np.asarray(running[measure])
            np.subtract(sums[1:], sums[:-1], out=differences)
            merged_values[kept_at] = differences[keep]
            merged_values[new_at] = column[order]
            merged_running[measure] = _running_totals(merged_values)
        return _built(
            generation,
            np.insert(kept_pairs, at, new_pairs),
            np.insert(kept_days, at, new_days.astype(np.int32)),
            merged_running,
            first_day=self.first_day,
            stride=stride,
        )


def indexed(
    generation: int,
    area: np.ndarray,
    category: np.ndarray,
    day: np.ndarray,
    values: dict[str, np.ndarray],
) -> Snapshot:
    """A snapshot of rollup rows given in any order: key columns, day numbers from 2000-01-01
    and per measure its whole-number values. Raises UnindexableRows for keys it cannot index
    and ValueError for two rows of one key and day."""
    if not len(area):
        return Snapshot(
            generation,
            {},
            _frozen(np.empty(0, np.int32)),
            {m: _frozen(np.zeros(1, np.int64)) for m in values},
            row_pairs=_frozen(np.empty(0, np.int64)),
        )
    stride = int(category.max()) + 1
    if area.min() < 0 or category.min() < 0 or int(area.max()) * stride + stride > INT64_MAX:
        raise UnindexableRows("rollup keys too large to index")
    pair = area * stride + category
    first_day = int(day.min())
    days = day - first_day
    # Rows in (pair, day) order: by one sort key where it fits in int64 (five times faster).
    width = int(days.max()) + 1
    if int(pair.max()) * width + width <= INT64_MAX:
        order = np.argsort(pair * width + days)
    else:
        order = np.lexsort((days, pair))
    return _built(
        generation,
        pair[order],
        days[order].astype(np.int32),
        {measure: _running_totals(column[order]) for measure, column in values.items()},
        first_day=EPOCH_ORDINAL + first_day,
        stride=stride,
    )


def _built(
    generation: int,
    pair: np.ndarray,
    days: np.ndarray,
    running: dict[str, memoryview | None],
    *,
    first_day: int,
    stride: int,
) -> Snapshot:
    """The snapshot of rows already in (pair, day) order, given their running totals."""
    if not len(pair):
        return indexed(generation, pair, pair, pair, {measure: pair for measure in running})
    pair_step = np.diff(pair)
    if not ((pair_step > 0) | ((pair_step == 0) & (np.diff(days) > 0))).all():
        raise ValueError("two rollup rows for one key and day")
    starts = np.concatenate(([0], np.flatnonzero(pair_step) + 1))
    ends = np.append(starts[1:], len(pair))
    spans = zip(starts.tolist(), ends.tolist(), strict=True)
    return Snapshot(
        generation,
        dict(zip(pair[starts].tolist(), spans, strict=True)),
        _frozen(days),
        running,
        first_day=first_day,
        stride=stride,
        row_pairs=_frozen(pair),
    )


def _running_totals(values: np.ndarray) -> memoryview | None:
    """The total of the values before each one and of all (None if that could overflow)."""
    if not len(values):
        return _frozen(np.zeros(1, np.int64))
    # Running totals are exact while every partial sum fits in int64.
    if max(int(values.max()), -int(values.min())) * len(values) > INT64_MAX:
        return None
    sums = np.empty(len(values) + 1, np.int64)
    sums[0] = 0
    np.cumsum(values, out=sums[1:])
    return _frozen(sums)


def _frozen(array: np.ndarray) -> memoryview:
    array.flags.writeable = False
    return memoryview(array)
