"""The Knox test against a reference written here from its definition: every pair of events
binned by distance and time, the same permutations of the times, p = (1 + at least as many)
/ (1 + permutations)."""

import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.knox import band_of, knox_test, local_metres


def reference_band(value: float, width: float, bands: int) -> int:
    """(b·w, (b+1)·w] is band b; 0 is band 0; beyond ``bands`` bands, band ``bands``."""
    if value <= width:
        return 0
    return min(bands, math.ceil(value / width) - 1)


def reference_table(x, y, days, dw, db, tw, tb) -> np.ndarray:
    table = np.zeros((db + 1, tb + 1), dtype=np.int64)
    for i, j in itertools.combinations(range(len(days)), 2):
        distance = math.hypot(x[i] - x[j], y[i] - y[j])
        gap = abs(days[i] - days[j])
        table[reference_band(distance, dw, db), reference_band(gap, tw, tb)] += 1
    return table


def reference_knox(x, y, days, dw, db, tw, tb, permutations, seed):
    observed = reference_table(x, y, days, dw, db, tw, tb)
    rng = np.random.default_rng(seed)
    simulated = [
        reference_table(x, y, days[rng.permutation(len(days))], dw, db, tw, tb)
        for _ in range(permutations)
    ]
    expected = np.mean(simulated, axis=0)
    at_least = np.sum([table >= observed for table in simulated], axis=0)
    return observed, expected, (1 + at_least) / (1 + permutations)


def near_repeat_events(seed: int, n: int = 80):
    """Random burglaries in a 3 km square over a year, and a few followed by a neighbour's
    within days and metres."""
    rng = np.random.default_rng(seed)
    x, y, days = rng.uniform(0, 3000, n), rng.uniform(0, 3000, n), rng.uniform(0, 365, n)
    repeats = rng.integers(0, n, n // 4)
    x = np.concatenate([x, x[repeats] + rng.uniform(-60, 60, len(repeats))])
    y = np.concatenate([y, y[repeats] + rng.uniform(-60, 60, len(repeats))])
    days = np.concatenate([days, days[repeats] + rng.uniform(0, 6, len(repeats))])
    return x, y, days


@pytest.mark.parametrize("seed", [1, 2])
def test_knox_equals_the_reference(seed):
    x, y, days = near_repeat_events(seed)
    bands = {"distance_width": 100.0, "distance_bands": 4, "time_width": 7.0, "time_bands": 3}
    result = knox_test(x, y, days, permutations=39, rng=np.random.default_rng(seed), **bands)
    observed, expected, p = reference_knox(x, y, days, 100.0, 4, 7.0, 3, 39, seed)
    assert (result.observed == observed).all()
    assert np.allclose(result.expected, expected)
    assert np.allclose(result.p, p)
    assert result.observed.sum() == len(days) * (len(days) - 1) // 2
    # The planted repeats are the near-repeat zone: close in space and time.
    assert result.ratio[0, 0] > 2 and result.p[0, 0] <= 0.05
    assert result.zone() is not None


@settings(max_examples=25, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(0, 600).map(float), st.integers(0, 600).map(float), st.integers(0, 60)
        ),
        min_size=2,
        max_size=25,
    ),
    st.integers(0, 1000),
)
def test_knox_equals_the_reference_on_band_edges(events, seed):
    # Whole metres and days: many pairs fall exactly on a band's edge.
    x, y, days = (np.array(column, dtype=float) for column in zip(*events, strict=True))
    result = knox_test(
        x,
        y,
        days,
        distance_width=100.0,
        distance_bands=3,
        time_width=7.0,
        time_bands=2,
        permutations=9,
        rng=np.random.default_rng(seed),
    )
    observed, expected, p = reference_knox(x, y, days, 100.0, 3, 7.0, 2, 9, seed)
    assert (result.observed == observed).all()
    assert np.allclose(result.expected, expected)
    assert np.allclose(result.p, p)


def test_random_events_have_no_near_repeat_zone():
    rng = np.random.default_rng(11)
    x, y, days = rng.uniform(0, 5000, 300), rng.uniform(0, 5000, 300), rng.uniform(0, 365, 300)
    result = knox_test(
        x,
        y,
        days,
        distance_width=100.0,
        distance_bands=2,
        time_width=7.0,
        time_bands=2,
        permutations=99,
        rng=np.random.default_rng(3),
    )
    assert not result.significant(alpha=0.01).any()


def test_band_of_places_edges_in_the_lower_band():
    assert band_of(np.array([0.0, 100.0, 100.5, 200.0, 1e9]), 100.0, 3).tolist() == [0, 0, 1, 1, 3]


def test_local_metres_match_the_great_circle_over_a_city():
    lon, lat = np.array([121.40, 121.50]), np.array([31.20, 31.25])
    x, y = local_metres(lon, lat)
    phi1, phi2 = map(math.radians, lat)
    haversine = (
        2
        * 6_371_008.8
        * math.asin(
            math.sqrt(
                math.sin((phi2 - phi1) / 2) ** 2
                + math.cos(phi1) * math.cos(phi2) * math.sin(math.radians(0.1) / 2) ** 2
            )
        )
    )
    assert math.hypot(x[1] - x[0], y[1] - y[0]) == pytest.approx(haversine, rel=2e-3)
