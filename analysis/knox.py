"""The Knox test for near repeats over distance bands × time bands, with Monte Carlo
significance, as the Near Repeat Calculator (Ratcliffe) runs it.

Every pair of events is placed in a distance band and a time band: band b holds distances in
(b·w, (b+1)·w] (band 0 also holds 0), and the last band of each holds everything beyond the
bands asked for. The observed table counts the pairs per cell. The times are then shuffled
among the events (each permutation keeps the places and the times, breaking only their
pairing) and the table recounted; the expected table is the mean over the permutations, the
Knox ratio observed ÷ expected, and the p-value of a cell (1 + the permutations counting at
least as many pairs) ÷ (1 + permutations). A ratio above 1 with p ≤ 0.05 says that many more
events than chance follow one another that near in space and time: the near-repeat zone.

Only pairs within the largest distance band are listed (a k-d tree); the "beyond" row follows
from the time differences of all pairs, which no shuffling of times changes.
"""

import math
from dataclasses import dataclass

import numpy as np
from scipy.spatial import cKDTree

EARTH_RADIUS_M = 6_371_008.8
SIGNIFICANCE = 0.05


def local_metres(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Points as metres east and north of their mean (an equirectangular projection, within a
    fraction of a percent over a city)."""
    lon, lat = np.asarray(lon, dtype=np.float64), np.asarray(lat, dtype=np.float64)
    if not len(lon):
        return lon, lat
    scale = math.cos(math.radians(float(lat.mean())))
    x = np.radians(lon - lon.mean()) * EARTH_RADIUS_M * scale
    y = np.radians(lat - lat.mean()) * EARTH_RADIUS_M
    return x, y


def band_of(values: np.ndarray, width: float, bands: int) -> np.ndarray:
    """The band of each value: (b·width, (b+1)·width] is band b, 0 is in band 0, and every
    value beyond ``bands`` bands is in band ``bands``."""
    index = np.ceil(np.asarray(values, dtype=np.float64) / width) - 1
    return np.clip(index, 0, bands).astype(np.int64)


@dataclass(frozen=True)
class KnoxResult:
    """Tables of (distance_bands + 1) × (time_bands + 1) cells, the last row and column
    "beyond"."""

    events: int
    distance_width: float
    distance_bands: int
    time_width: float
    time_bands: int
    permutations: int
    observed: np.ndarray
    expected: np.ndarray
    ratio: np.ndarray
    p: np.ndarray

    def significant(self, alpha: float = SIGNIFICANCE) -> np.ndarray:
        """Cells (within the bands, not beyond) with more pairs than chance at ``alpha``."""
        found = (self.ratio > 1) & (self.p <= alpha)
        found[-1, :] = False
        found[:, -1] = False
        return found

    def zone(self, alpha: float = SIGNIFICANCE) -> tuple[float, float] | None:
        """The near-repeat zone: the farthest distance and the longest time (band edges) of
        any significant cell, or None when none is."""
        rows, columns = np.nonzero(self.significant(alpha))
        if not len(rows):
            return None
        return (rows.max() + 1) * self.distance_width, (columns.max() + 1) * self.time_width


def _time_band_totals(times: np.ndarray, width: float, bands: int) -> np.ndarray:
    """Pairs of all events per time band, from the sorted times (no pair listed)."""
    ordered = np.sort(times)
    n = len(ordered)
    positions = np.arange(n)
    within = [0]
    for edge in range(1, bands + 1):
        ends = np.searchsorted(ordered, ordered + edge * width, side="right")
        within.append(int((ends - positions - 1).sum()))
    total = n * (n - 1) // 2
    cumulative = np.array([*within, total], dtype=np.int64)
    return np.diff(cumulative)


def knox_test(
    x: np.ndarray,
    y: np.ndarray,
    days: np.ndarray,
    *,
    distance_width: float,
    distance_bands: int,
    time_width: float,
    time_bands: int,
    permutations: int = 99,
    rng: np.random.Generator | None = None,
) -> KnoxResult:
    """The Knox tables of events at (x, y) metres and ``days``; permutation i shuffles the
    times with ``rng.permutation(n)``, the i-th draw of ``rng``."""
    rng = rng if rng is not None else np.random.default_rng()
    x, y, days = (np.asarray(a, dtype=np.float64) for a in (x, y, days))
    n = len(days)
    shape = (distance_bands + 1, time_bands + 1)
    if n >= 2:
        points = np.column_stack([x, y])
        pairs = cKDTree(points).query_pairs(
            r=distance_bands * distance_width, output_type="ndarray"
        )
    else:
        pairs = np.empty((0, 2), dtype=np.int64)
    first, second = pairs[:, 0], pairs[:, 1]
    distance = np.hypot(x[first] - x[second], y[first] - y[second])
    distance_band = band_of(distance, distance_width, distance_bands)
    # A pair just beyond the radius may be listed by floating-point rounding: it belongs beyond.
    near = distance_band < distance_bands
    first, second, distance_band = first[near], second[near], distance_band[near]
    time_totals = (
        _time_band_totals(days, time_width, time_bands)
        if n >= 2
        else np.zeros(time_bands + 1, dtype=np.int64)
    )

    def table(times: np.ndarray) -> np.ndarray:
        time_band = band_of(np.abs(times[first] - times[second]), time_width, time_bands)
        counts = np.bincount(
            distance_band * (time_bands + 1) + time_band, minlength=shape[0] * shape[1]
        ).reshape(shape)
        counts[-1, :] = time_totals - counts[:-1, :].sum(axis=0)
        return counts

    observed = table(days)
    at_least = np.zeros(shape, dtype=np.int64)
    simulated_sum = np.zeros(shape, dtype=np.float64)
    for _ in range(permutations):
        simulated = table(days[rng.permutation(n)])
        simulated_sum += simulated
        at_least += simulated >= observed
    expected = simulated_sum / permutations if permutations else np.full(shape, np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(expected > 0, observed / expected, np.nan)
    p = (1.0 + at_least) / (1.0 + permutations)
    return KnoxResult(
        n,
        distance_width,
        distance_bands,
        time_width,
        time_bands,
        permutations,
        observed,
        expected,
        ratio,
        p,
    )
