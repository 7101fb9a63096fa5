"""Emerging hot spots: the Mann–Kendall test against pymannkendall, each of Esri's categories
from a series built for it, and the whole pipeline on a planted growing cluster."""

import h3
import numpy as np
import pymannkendall
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.cells import ring_weights, study_cells
from analysis.emerging import ALL_CATEGORIES, category_of, emerging_hot_spots, mann_kendall

CENTRE = h3.latlng_to_cell(31.23, 121.47, 8)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.one_of(st.integers(-5, 5).map(float), st.floats(-4, 4, allow_nan=False)),
        min_size=4,
        max_size=40,
    )
)
def test_mann_kendall_equals_pymannkendall(series):
    s, z, p = mann_kendall(np.array([series]))
    reference = pymannkendall.original_test(series)
    assert s[0] == pytest.approx(reference.s)
    assert z[0] == pytest.approx(reference.z, abs=1e-9)
    assert p[0] == pytest.approx(reference.p, abs=1e-9)


def test_mann_kendall_rows_are_independent():
    rows = np.random.default_rng(2).normal(size=(6, 20))
    together = mann_kendall(rows)
    for i, row in enumerate(rows):
        alone = mann_kendall(row[None, :])
        assert [part[i] for part in together] == pytest.approx([part[0] for part in alone])


H, C, N = 1, -1, 0  # a hot, cold or not significant step (class signs)
NO_TREND = (0.0, 1.0)
RISING, FALLING = (4.0, 0.0001), (-4.0, 0.0001)


@pytest.mark.parametrize(
    ("steps", "trend", "expected"),
    [
        ([N] * 9 + [H], NO_TREND, "new_hot"),
        ([N] * 7 + [H, H, H], NO_TREND, "consecutive_hot"),
        ([H] * 20, RISING, "intensifying_hot"),
        ([H] * 20, NO_TREND, "persistent_hot"),
        ([N] + [H] * 19, NO_TREND, "persistent_hot"),  # 95% of the steps
        ([H] * 20, FALLING, "diminishing_hot"),
        ([N, H, N, N, H, N, N, N, N, H], NO_TREND, "sporadic_hot"),
        ([H, H, N, N, N, N, N, H, H, H], NO_TREND, "sporadic_hot"),  # a run, but hot before it
        ([N, C, N, N, H, N, N, N, N, H], NO_TREND, "oscillating_hot"),
        ([H] * 19 + [N], NO_TREND, "historical_hot"),
        ([N] * 9 + [C], NO_TREND, "new_cold"),
        ([N] * 8 + [C, C], NO_TREND, "consecutive_cold"),
        ([C] * 20, FALLING, "intensifying_cold"),
        ([C] * 20, NO_TREND, "persistent_cold"),
        ([C] * 20, RISING, "diminishing_cold"),
        ([C, N, N, C, N, N, N, N, N, C], NO_TREND, "sporadic_cold"),
        ([H, N, N, C, N, N, N, N, N, C], NO_TREND, "oscillating_cold"),
        ([C] * 19 + [N], NO_TREND, "historical_cold"),
        ([N] * 10, NO_TREND, "none"),
        ([H, H, H, N, N, N, N, N, N, N], NO_TREND, "none"),  # hot once, not lately, nor mostly
        ([H] * 17 + [N] * 3, NO_TREND, "none"),  # 85% hot: under the 90% of historical
    ],
)
def test_category_rules(steps, trend, expected):
    assert category_of(np.array(steps), *trend) == expected


def test_a_significant_trend_needs_the_alpha():
    steps = np.array([H] * 20)
    assert category_of(steps, 2.0, 0.04) == "intensifying_hot"
    assert category_of(steps, 2.0, 0.04, alpha=0.01) == "persistent_hot"


def test_a_cluster_appearing_in_the_last_weeks_is_new_or_consecutive():
    cells = study_cells(h3.grid_disk(CENTRE, 8), 1)
    weights = ring_weights(cells, 1)
    steps = 12
    counts = np.random.default_rng(5).poisson(1.0, (len(cells), steps))
    cluster = [cells.index(cell) for cell in h3.grid_disk(CENTRE, 1)]
    always = [cells.index(cell) for cell in h3.grid_disk(h3.grid_disk(CENTRE, 6)[-1], 1)]
    counts[np.ix_(cluster, [steps - 2, steps - 1])] += 25
    counts[np.ix_(always, list(range(steps)))] += 25
    result = emerging_hot_spots(cells, counts, weights)
    assert result.categories[cells.index(CENTRE)] == "consecutive_hot"
    assert result.categories[always[0]] in ("persistent_hot", "intensifying_hot", "diminishing_hot")
    assert sum(result.category_counts().values()) == len(cells)
    assert set(result.categories) <= set(ALL_CATEGORIES)
