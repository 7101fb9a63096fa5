"""A source's rollup rows as a rollup cube holds them: sorted arrays and running totals.

Pure numpy, no database: stats.cube loads the rows and swaps snapshots; this module builds a
snapshot from rows in any order, merges rewritten days into one, and sums periods from it.

A snapshot is two segments: the history, and the recent days (the last RECENT_DAYS when it
was built). The days a minute's recompute rewrites are recent ones, so a merge rebuilds only
the small recent segment and shares the history, arrays and all, with the snapshot before: a
new snapshot costs memory and time in proportion to the recent rows, not to all of them.
"""

from bisect import bisect_left
from dataclasses import dataclass
from datetime import date

import numpy as np

from .windows import Period

# Rollup days are loaded as day numbers from 2000-01-01, the origin of PostgreSQL's dates.
EPOCH_ORDINAL = 730120  # date(2000, 1, 1).toordinal()
INT64_MAX = 2**63 - 1
# The days a fresh snapshot keeps in its recent segment.
RECENT_DAYS = 14
# A recent segment that has come to span more days than this is folded into the history, but
# for its last RECENT_DAYS: it grows by a day's rows a day, and each merge rebuilds it.
RECENT_MOST_DAYS = 4 * RECENT_DAYS


class UnindexableRows(ValueError):
    """Rollup keys a snapshot cannot index (negative, or too large for one int64 pair number)."""


@dataclass(frozen=True)
class Segment:
    """Rollup rows in (area, category, day) order: ``pairs`` maps a pair's number (area key *
    stride + category key) to its rows [first, end), ``days`` holds each row's day (days after
    ``first_day``, an ordinal), ``row_pairs`` its pair number, and ``running`` per measure the
    total of the rows before each row (None where that could overflow int64).

    The lookups are Python's bisect over memoryviews of numpy arrays: for a handful of probes
    that is several times faster than numpy's own calls."""

    pairs: dict[int, tuple[int, int]]
    days: memoryview
    row_pairs: memoryview
    running: dict[str, memoryview | None]
    first_day: int = 0
    stride: int = 1

    @property
    def rows(self) -> int:
        return len(self.days)

    def spans(
        self, area_key: int, category_key: int, periods: tuple[Period, ...]
    ) -> list[tuple[int, int]] | None:
        """Per period, the pair's rows [low, high) in it; None when the pair has no rows."""
        stride = self.stride
        span = self.pairs.get(area_key * stride + category_key) if category_key < stride else None
        if span is None:
            return None
        first, end = span
        days, origin = self.days, self.first_day
        rows = []
        for start, last in periods:
            low = bisect_left(days, start.toordinal() - origin, first, end)
            rows.append((low, bisect_left(days, last.toordinal() - origin + 1, low, end)))
        return rows

    def columns(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, dict[str, np.ndarray]]:
        """The rows back as (area keys, category keys, day numbers, values per measure)."""
        pairs = np.asarray(self.row_pairs)
        day = np.asarray(self.days).astype(np.int64) + (self.first_day - EPOCH_ORDINAL)
        values = {measure: np.diff(np.asarray(sums)) for measure, sums in self.running.items()}
        return pairs // self.stride, pairs % self.stride, day, values

    def merged(
        self,
        rewritten: list[tuple[int, int]],
        area: np.ndarray,
        category: np.ndarray,
        day: np.ndarray,
        values: dict[str, np.ndarray],
    ) -> "Segment":
        """This segment with the days of ``rewritten`` (inclusive ranges of day numbers)
        replaced by these rows (all of those days' rows now, in any order).

        The kept rows are already in order: the new ones are sorted and inserted among them,
        which costs a few copies of the arrays, not a sort of them. Rows that do not fit the
        layout (a category key past the stride, a day before the first one) are sorted in
        with the kept ones instead."""
        old_days, old_pairs = np.asarray(self.days), np.asarray(self.row_pairs)
        keep = np.ones(len(old_days), bool)
        origin = self.first_day - EPOCH_ORDINAL
        for low, high in rewritten:
            keep &= (old_days < low - origin) | (old_days > high - origin)
        stride = self.stride
        if not len(area):
            fits = True
        elif not self.rows:
            fits = False
        else:
            fits = (
                min(int(area.min()), int(category.min())) >= 0
                and int(category.max()) < stride
                and int(day.min()) >= origin
                and int(area.max()) * stride + stride <= INT64_MAX
            )
        if not fits:
            kept_area, kept_category, kept_day, kept_values = self.columns()
            return _indexed_segment(
                np.concatenate((kept_area[keep], area)),
                np.concatenate((kept_category[keep], category)),
                np.concatenate((kept_day[keep], day)),
                {m: np.concatenate((kept_values[m][keep], values[m])) for m in values},
            )
        new_order = np.lexsort((day, area * stride + category))
        new_pairs = (area * stride + category)[new_order]
        new_days = (day - origin)[new_order].astype(np.int32)
        kept_pairs, kept_days = old_pairs[keep], old_days[keep]
        width = max(int(old_days.max(initial=0)), int(new_days.max(initial=0))) + 1
        largest_pair = max(int(old_pairs.max(initial=0)), int(new_pairs.max(initial=0)))
        if largest_pair * width + width <= INT64_MAX:
            at = np.searchsorted(kept_pairs * width + kept_days, new_pairs * width + new_days)

            def merge(kept: np.ndarray, new: np.ndarray) -> np.ndarray:
                return np.insert(kept, at, new)

        else:
            order = np.lexsort((np.append(kept_days, new_days), np.append(kept_pairs, new_pairs)))

            def merge(kept: np.ndarray, new: np.ndarray) -> np.ndarray:
                return np.append(kept, new)[order]

        merged_running = {
            measure: _running_totals(
                merge(np.diff(np.asarray(self.running[measure]))[keep], column[new_order])
            )
            for measure, column in values.items()
        }
        pairs, days = merge(kept_pairs, new_pairs), merge(kept_days, new_days)
        return _segment(pairs, days, merged_running, first_day=self.first_day, stride=stride)

    def split(self, day_number: int) -> tuple["Segment", "Segment"]:
        """(the rows before the day, the rows from it on)."""
        area, category, day, values = self.columns()
        before = day < day_number
        return (
            _indexed_segment(
                area[before],
                category[before],
                day[before],
                {m: v[before] for m, v in values.items()},
            ),
            _indexed_segment(
                area[~before],
                category[~before],
                day[~before],
                {m: v[~before] for m, v in values.items()},
            ),
        )


@dataclass(frozen=True)
class Snapshot:
    """A source's rollups at one generation: the history segment, with the days before
    ``split`` (a day number), and the recent one. ``running`` maps each measure held to its
    running totals in both (None where either could overflow). Without segments the cube
    cannot hold this generation (too many rows, keys too large)."""

    generation: int
    segments: tuple[Segment, Segment] | None = None
    split: int = 0
    running: dict[str, tuple[memoryview, memoryview] | None] | None = None

    @property
    def rows(self) -> int:
        return sum(segment.rows for segment in self.segments or ())

    def totals(
        self,
        area_key: int,
        category_key: int,
        periods: tuple[Period, ...],
        columns: list[tuple[tuple[memoryview, memoryview], int | None]],
    ) -> list[list]:
        """Per (running totals, scale) column, the total of each period, each as number() gives
        the database's sum: whole numbers added over both segments, then scaled once."""
        found = []
        for segment, sums_of in zip(self.segments, (0, 1), strict=True):
            spans = segment.spans(area_key, category_key, periods)
            if spans is not None:
                found.append((sums_of, spans))
        result = []
        for sums, scale in columns:
            totals = []
            for period in range(len(periods)):
                total, rows = 0, False
                for sums_of, spans in found:
                    low, high = spans[period]
                    if high > low:
                        running = sums[sums_of]
                        total += running[high] - running[low]
                        rows = True
                if scale is None:
                    totals.append(total)
                elif rows:
                    # int / int is correctly rounded, as float() of the exact Decimal sum is.
                    totals.append(total / scale)
                else:
                    totals.append(0)  # no rows: number() makes the database's NULL sum 0
            result.append(totals)
        return result

    def first_day(self, area_key: int, category_key: int) -> date | None:
        """The first day with a row of the (area, category) pair; None when it has none."""
        for segment in self.segments or ():
            stride = segment.stride
            if category_key >= stride:
                continue
            span = segment.pairs.get(area_key * stride + category_key)
            if span is not None and span[1] > span[0]:
                return date.fromordinal(segment.days[span[0]] + segment.first_day)
        return None

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
        None when it does not hold exactly these measures, so a full load must."""
        if self.segments is None or set(values) != set(self.running):
            return None
        history, recent = self.segments
        split = self.split
        older = day < split
        for segment_rows, segment, kept in (
            (older, history, lambda first, last: first < split),
            (~older, recent, lambda first, last: last >= split),
        ):
            ranges = [(first, last) for first, last in rewritten if kept(first, last)]
            if not ranges:
                continue
            merged = segment.merged(
                ranges,
                area[segment_rows],
                category[segment_rows],
                day[segment_rows],
                {measure: column[segment_rows] for measure, column in values.items()},
            )
            if segment is history:
                history = merged
            else:
                recent = merged
        last_day = recent.first_day - EPOCH_ORDINAL + int(np.asarray(recent.days).max(initial=0))
        if recent.rows and last_day - split + 1 > RECENT_MOST_DAYS:
            split = last_day - RECENT_DAYS + 1
            folded, recent = recent.split(split)
            history = history.merged([], *folded.columns())
        return _snapshot(generation, history, recent, split)


def indexed(
    generation: int,
    area: np.ndarray,
    category: np.ndarray,
    day: np.ndarray,
    values: dict[str, np.ndarray],
) -> Snapshot:
    """A snapshot of rollup rows given in any order: key columns, day numbers from 2000-01-01
    and per measure its whole-number values, the last RECENT_DAYS days of them in the recent
    segment. Raises UnindexableRows for keys it cannot index and ValueError for two rows of
    one key and day."""
    split = int(day.max()) - RECENT_DAYS + 1 if len(day) else 0
    older = day < split
    history = _indexed_segment(
        area[older], category[older], day[older], {m: v[older] for m, v in values.items()}
    )
    recent = _indexed_segment(
        area[~older], category[~older], day[~older], {m: v[~older] for m, v in values.items()}
    )
    return _snapshot(generation, history, recent, split)


def _snapshot(generation: int, history: Segment, recent: Segment, split: int) -> Snapshot:
    running = {
        measure: None
        if sums is None or recent.running[measure] is None
        else (sums, recent.running[measure])
        for measure, sums in history.running.items()
    }
    return Snapshot(generation, (history, recent), split, running)


def _indexed_segment(
    area: np.ndarray, category: np.ndarray, day: np.ndarray, values: dict[str, np.ndarray]
) -> Segment:
    """The segment of rows given in any order."""
    if not len(area):
        empty = np.empty(0, np.int64)
        return _segment(empty, empty.astype(np.int32), {m: _running_totals(empty) for m in values})
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
    return _segment(
        pair[order],
        days[order].astype(np.int32),
        {measure: _running_totals(column[order]) for measure, column in values.items()},
        first_day=EPOCH_ORDINAL + first_day,
        stride=stride,
    )


def _segment(
    pair: np.ndarray,
    days: np.ndarray,
    running: dict[str, memoryview | None],
    *,
    first_day: int = EPOCH_ORDINAL,
    stride: int = 1,
) -> Segment:
    """The segment of rows already in (pair, day) order, given their running totals."""
    if len(pair):
        pair_step = np.diff(pair)
        if not ((pair_step > 0) | ((pair_step == 0) & (np.diff(days) > 0))).all():
            raise ValueError("two rollup rows for one key and day")
        starts = np.concatenate(([0], np.flatnonzero(pair_step) + 1))
        ends = np.append(starts[1:], len(pair))
        spans = zip(starts.tolist(), ends.tolist(), strict=True)
        pairs = dict(zip(pair[starts].tolist(), spans, strict=True))
    else:
        pairs = {}
    return Segment(pairs, _frozen(days), _frozen(pair), running, first_day, stride)


def _running_totals(values: np.ndarray) -> memoryview | None:
    """The total of the values before each one and of all (None if that could overflow)."""
    sums = np.zeros(len(values) + 1, np.int64)
    if len(values):
        # Running totals are exact while every partial sum fits in int64.
        if max(int(values.max()), -int(values.min())) * len(values) > INT64_MAX:
            return None
        np.cumsum(values, out=sums[1:])
    return _frozen(sums)


def _frozen(array: np.ndarray) -> memoryview:
    array.flags.writeable = False
    return memoryview(array)
