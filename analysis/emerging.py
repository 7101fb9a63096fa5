"""Emerging hot spots: Gi* per time step, a Mann–Kendall trend per cell, and Esri's categories.

Every step's counts get their own Gi* (same cells, same weights) and FDR-corrected classes; a
cell is a hot (cold) spot in a step when its class there is positive (negative), i.e. at 90%
confidence or more. The Mann–Kendall test runs on each cell's series of Gi* z-scores (the
intensity of clustering), two-sided, trend significant at ``trend_alpha`` (default 0.05).

The categories (Esri, *How Emerging Hot Spot Analysis works*), decided in this order, with
"hot" read as "cold" and increasing/decreasing z swapped for the cold ones:

- **intensifying**: hot in the final step and in at least 90% of the steps, and z rises with a
  significant Mann–Kendall trend;
- **diminishing**: hot in the final step and in at least 90% of the steps, z falls
  significantly;
- **persistent**: hot in the final step and in at least 90% of the steps, no significant trend;
- **new**: hot in the final step and in no step before it;
- **consecutive**: hot in an unbroken run of at least two final steps, in no step before the
  run, and in under 90% of the steps;
- **oscillating**: hot in the final step, under 90% of the steps hot, and a cold spot in some
  earlier step;
- **sporadic**: hot in the final step, on and off before, under 90% of the steps hot and never
  cold;
- **historical**: not hot in the final step, but hot in at least 90% of the steps;
- **none** (no pattern detected): anything else.

For cold spots, "intensifying" means z falls (colder) and "diminishing" that it rises.
"""

from dataclasses import dataclass

import numpy as np
from scipy import sparse, stats

from .hotspots import classes, fdr_adjusted, gi_star, two_sided_p

# Share of the steps a persistent, intensifying, diminishing or historical spot holds.
MOST_STEPS = 0.9
TREND_ALPHA = 0.05
CATEGORIES = (
    "new",
    "consecutive",
    "intensifying",
    "persistent",
    "diminishing",
    "sporadic",
    "oscillating",
    "historical",
)
# Every category a cell can get: the hot ones, the cold ones, and no pattern.
ALL_CATEGORIES = (
    *(f"{name}_hot" for name in CATEGORIES),
    *(f"{name}_cold" for name in CATEGORIES),
    "none",
)


def mann_kendall(series: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The Mann–Kendall test of each row of ``series`` (cells × steps): S, the z with the
    continuity correction and the variance corrected for ties, and the two-sided p."""
    x = np.asarray(series, dtype=np.float64)
    if x.ndim == 1:
        x = x[None, :]
    rows, steps = x.shape
    s = np.zeros(rows)
    for i in range(steps - 1):
        s += np.sign(x[:, i + 1 :] - x[:, i : i + 1]).sum(axis=1)
    variance = np.full(rows, steps * (steps - 1) * (2 * steps + 5) / 18.0)
    ordered = np.sort(x, axis=1)
    tied_rows = np.flatnonzero((np.diff(ordered, axis=1) == 0).any(axis=1))
    for row in tied_rows:
        _, sizes = np.unique(ordered[row], return_counts=True)
        sizes = sizes[sizes > 1].astype(np.float64)
        variance[row] -= (sizes * (sizes - 1) * (2 * sizes + 5)).sum() / 18.0
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(
            variance > 0,
            (s - np.sign(s)) / np.sqrt(np.where(variance > 0, variance, 1.0)),
            0.0,
        )
    return s, z, 2.0 * stats.norm.sf(np.abs(z))


def category_of(step_classes: np.ndarray, trend_z: float, trend_p: float, *, alpha=TREND_ALPHA):
    """The category of one cell from its per-step classes (oldest first) and its z trend."""
    for sign, suffix in ((1, "hot"), (-1, "cold")):
        name = _category(
            np.sign(step_classes) == sign,
            np.sign(step_classes) == -sign,
            sign,
            trend_z,
            trend_p,
            alpha,
        )
        if name:
            return f"{name}_{suffix}"
    return "none"


def _category(spot, opposite, sign, trend_z, trend_p, alpha) -> str:
    steps = len(spot)
    share = spot.sum() / steps if steps else 0.0
    if not spot[-1]:
        return "historical" if share >= MOST_STEPS else ""
    if share >= MOST_STEPS:
        if trend_p <= alpha and trend_z * sign > 0:
            return "intensifying"
        if trend_p <= alpha and trend_z * sign < 0:
            return "diminishing"
        return "persistent"
    before = spot[:-1]
    if not before.any():
        return "new"
    # The final unbroken run of spots, and whether any spot came before it.
    run = steps - 1
    while run > 0 and spot[run - 1]:
        run -= 1
    if steps - run >= 2 and not spot[:run].any():
        return "consecutive"
    if opposite[:-1].any():
        return "oscillating"
    return "sporadic"


@dataclass(frozen=True)
class Emerging:
    """Per cell (``cells``' order): the per-step Gi* z and classes, the trend, the category."""

    cells: list[str]
    counts: np.ndarray
    z: np.ndarray
    step_classes: np.ndarray
    trend_s: np.ndarray
    trend_z: np.ndarray
    trend_p: np.ndarray
    categories: list[str]

    def category_counts(self) -> dict[str, int]:
        found = {name: 0 for name in ALL_CATEGORIES}
        for name in self.categories:
            found[name] += 1
        return found


def emerging_hot_spots(
    cells: list[str],
    counts: np.ndarray,
    weights: sparse.spmatrix,
    *,
    fdr: bool = True,
    trend_alpha: float = TREND_ALPHA,
) -> Emerging:
    """Gi* per step (``counts`` is cells × steps, oldest step first), trends and categories."""
    z = gi_star(counts, weights)
    p = two_sided_p(z)
    tested = fdr_adjusted(p, axis=0) if fdr else p
    step_classes = classes(z, tested)
    trend_s, trend_z, trend_p = mann_kendall(z)
    names = [
        category_of(step_classes[i], trend_z[i], trend_p[i], alpha=trend_alpha)
        for i in range(len(cells))
    ]
    return Emerging(cells, counts, z, step_classes, trend_s, trend_z, trend_p, names)
