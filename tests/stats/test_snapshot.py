"""Merging rewritten days into a snapshot gives the snapshot of the rows as they now are."""

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
    """(area, category, day ordinal, value of each measure) of every row, in key order."""
    values = {measure: np.diff(np.asarray(sums)) for measure, sums in snapshot.running.items()}
    rows = []
    for pair, (first, end) in snapshot.pairs.items():
        area, category = divmod(pair, snapshot.stride)
        for row in range(first, end):
            day = snapshot.first_day + snapshot.days[row]
            rows.append((area, category, day, *(int(v[row]) for v in values.values())))
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
    loaded = snapshot_of(2, new_rows)
    area = np.array([key[0] for key in new_rows], np.int64)
    category = np.array([key[1] for key in new_rows], np.int64)
    day = np.array([key[2] for key in new_rows], np.int64)
    shuffled = np.random.default_rng(len(new_rows)).permutation(len(new_rows))
    values = {
        "count": np.diff(np.asarray(loaded.running["count"])),
        "twice": np.diff(np.asarray(loaded.running["twice"])),
    }
    # The loaded rows in key order, then shuffled: the merge must not rely on their order.
    order = np.lexsort((day, category, area))
    merged = old.merged(
        2,
        rewritten,
        area[order][shuffled],
        category[order][shuffled],
        day[order][shuffled],
        {measure: column[shuffled] for measure, column in values.items()},
    )
    whole = snapshot_of(2, now)
    if merged is None:
        # Only a layout the old snapshot cannot hold: a category past its stride, a day
        # before its first day, or nothing loaded before.
        assert (
            not before
            or any(key[1] >= old.stride for key in new_rows)
            or any(key[2] < old.first_day - 730120 for key in new_rows)
        )
        return
    assert rows_of(merged) == rows_of(whole)
    assert merged.generation == 2


def test_a_merge_that_empties_a_day_drops_its_rows():
    before = {(1, 0, 9000): 3, (1, 0, 9001): 4, (5, 0, 9001): 1, (5, 0, 9002): 2}
    old = snapshot_of(1, before)
    empty = np.empty(0, np.int64)
    merged = old.merged(2, [(9001, 9001)], empty, empty, empty, {"count": empty, "twice": empty})
    assert rows_of(merged) == rows_of(snapshot_of(2, {(1, 0, 9000): 3, (5, 0, 9002): 2}))
