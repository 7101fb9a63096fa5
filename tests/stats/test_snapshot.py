"""Merging rewritten days into a snapshot gives the snapshot of the rows as they now are."""

import random

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from stats.snapshot import indexed

# (area, category, day number, count) rows; few keys, so days and pairs collide often.
rows = st.dictionaries(
    st.tuples(st.sampled_from([0, 1, 5, 9]), st.sampled_from([0, 2, 3]), st.integers(9000, 9040)),
    st.integers(-5, 1000),
    max_size=120,
)


def snapshot_of(generation: int, table: dict):
    keys = np.array(sorted(table), np.int64).reshape(-1, 3)
    area, category, day = keys.T
    values = np.array([table[tuple(key)] for key in keys.tolist()], np.int64)
    return indexed(generation, area, category, day, {"count": values, "twice": values * 2})


def rows_of(snapshot) -> list[tuple]:
    """(area, category, day number, value of each measure) of every row, in key order."""
    rows = []
    for segment in snapshot.segments:
        area, category, day, values = segment.columns()
        columns = (area, category, day, *values.values())
        rows += zip(*(column.tolist() for column in columns), strict=True)
    return sorted(rows)


@given(
    before=rows,
    after=rows,
    ranges=st.lists(st.tuples(st.integers(8990, 9050), st.integers(0, 12)), max_size=4),
)
def test_merging_rewritten_days_equals_indexing_the_rows_as_they_are(before, after, ranges):
    rewritten = [(first, first + length) for first, length in ranges]

    def rewritten_day(key) -> bool:
        return any(first <= key[2] <= last for first, last in rewritten)

    now = {key: value for key, value in before.items() if not rewritten_day(key)}
    new_rows = {key: value for key, value in after.items() if rewritten_day(key)}
    now.update(new_rows)
    old = snapshot_of(1, before)
    merged = old.merged(2, rewritten, *shuffled_columns(new_rows, seed=len(new_rows)))
    assert rows_of(merged) == rows_of(snapshot_of(2, now))
    assert merged.generation == 2


def shuffled_columns(table: dict, seed: int) -> tuple:
    """(area, category, day, values) of the table's rows in a random order: a merge must not
    rely on the order the database sends them in."""
    keys = list(table)
    random.Random(seed).shuffle(keys)
    area, category, day = np.array(keys, np.int64).reshape(-1, 3).T
    values = np.array([table[key] for key in keys], np.int64)
    return area, category, day, {"count": values, "twice": values * 2}


def test_a_year_of_daily_merges_with_late_days_equals_indexing_the_rows_as_they_are():
    rng = random.Random(5)
    table = {
        (area, category, day): rng.randrange(1, 50)
        for area in (0, 3, 8)
        for category in (0, 1, 4)
        for day in range(9000, 9100)
        if rng.random() < 0.8
    }
    snapshot, splits = snapshot_of(1, table), set()
    for generation, today in enumerate(range(9100, 9465), start=2):
        # Today's rows, and now and then a late one for a day weeks or months back.
        days = [today] + ([today - rng.randrange(1, 120)] if rng.random() < 0.1 else [])
        rewritten = [(day, day) for day in days]
        new_rows = {
            (area, category, day): rng.randrange(1, 50)
            for day in days
            for area in (0, 3, 8, 12)
            for category in (0, 1, 4)
            if rng.random() < 0.7
        }
        table = {key: value for key, value in table.items() if key[2] not in days}
        table.update(new_rows)
        snapshot = snapshot.merged(generation, rewritten, *shuffled_columns(new_rows, generation))
        splits.add(snapshot.split)
        if generation % 61 == 0:
            assert rows_of(snapshot) == rows_of(snapshot_of(generation, table))
    assert rows_of(snapshot) == rows_of(snapshot_of(0, table))
    # The recent segment was folded into the history as the days went by.
    assert len(splits) > 5
    assert snapshot.segments[1].rows < snapshot.segments[0].rows / 4


def test_a_merge_that_empties_a_day_drops_its_rows():
    before = {(1, 0, 9000): 3, (1, 0, 9001): 4, (5, 0, 9001): 1, (5, 0, 9002): 2}
    old = snapshot_of(1, before)
    empty = np.empty(0, np.int64)
    merged = old.merged(2, [(9001, 9001)], empty, empty, empty, {"count": empty, "twice": empty})
    assert rows_of(merged) == rows_of(snapshot_of(2, {(1, 0, 9000): 3, (5, 0, 9002): 2}))
