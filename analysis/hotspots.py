"""Getis-Ord Gi* hot spots over h3 cells, with the false discovery rate controlled.

For cell i with neighbour weights w_ij (w_ii = 1: the "star" includes the cell itself), counts
x_j over the n cells of the study region, mean X̄ and S = √(Σx²/n − X̄²)::

    Gi* = (Σ_j w_ij x_j − X̄ Σ_j w_ij) / (S √((n Σ_j w_ij² − (Σ_j w_ij)²) / (n − 1)))

which is already a z-score (Getis and Ord 1995; as Esri's Hot Spot Analysis computes it). The
p-value is two-sided from the normal distribution. With ``fdr`` the p-values are adjusted by
Benjamini–Hochberg over the cells (Esri's "Apply False Discovery Rate correction"); a cell is
significant at a confidence level when its (adjusted) p is at most 1 − level. The class is
±3, ±2, ±1 for a hot (+) or cold (−) spot at 99, 95 or 90% confidence and 0 otherwise, as
Esri's Gi_Bin.
"""

from dataclasses import dataclass

import numpy as np
from scipy import sparse, stats

# (class, largest p) from the most confident down: 99%, 95%, 90%.
CONFIDENCE_LEVELS = ((3, 0.01), (2, 0.05), (1, 0.10))
CLASS_NAMES = {
    3: "hot_99",
    2: "hot_95",
    1: "hot_90",
    0: "not_significant",
    -1: "cold_90",
    -2: "cold_95",
    -3: "cold_99",
}


def gi_star(counts: np.ndarray, weights: sparse.spmatrix) -> np.ndarray:
    """The Gi* z-score of every cell; ``counts`` is (n,) or (n, steps), one statistic per
    column. A column whose counts are all equal has no spatial pattern: z = 0."""
    x = np.asarray(counts, dtype=np.float64)
    column = x.ndim == 1
    if column:
        x = x[:, None]
    n = x.shape[0]
    if n < 2:
        return np.zeros(x.shape[0] if column else x.shape)
    mean = x.mean(axis=0)
    spread = np.sqrt(np.maximum((x**2).mean(axis=0) - mean**2, 0.0))
    weight_sum = np.asarray(weights.sum(axis=1)).ravel()
    weight_squares = np.asarray(weights.multiply(weights).sum(axis=1)).ravel()
    lag = np.asarray(weights @ x)
    numerator = lag - weight_sum[:, None] * mean[None, :]
    scale = np.sqrt(np.maximum(n * weight_squares - weight_sum**2, 0.0) / (n - 1))
    denominator = scale[:, None] * spread[None, :]
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(denominator > 0, numerator / denominator, 0.0)
    return z[:, 0] if column else z


def two_sided_p(z: np.ndarray) -> np.ndarray:
    return 2.0 * stats.norm.sf(np.abs(z))


def fdr_adjusted(p: np.ndarray, axis: int = 0) -> np.ndarray:
    """Benjamini–Hochberg adjusted p-values (each column separately when 2-d)."""
    p = np.asarray(p, dtype=np.float64)
    if p.shape[axis] == 0:
        return p.copy()
    return stats.false_discovery_control(p, axis=axis, method="bh")


def classes(z: np.ndarray, p: np.ndarray) -> np.ndarray:
    """±3/±2/±1 by the confidence the p-values reach, signed by z; 0 when not significant."""
    level = np.zeros(np.shape(z), dtype=np.int8)
    for value, largest_p in reversed(CONFIDENCE_LEVELS):
        level[p <= largest_p] = value
    return (np.sign(z) * level).astype(np.int8)


@dataclass(frozen=True)
class HotSpots:
    """Gi* over one set of cells: per cell (in ``cells``' order) z, p, the p tested (adjusted
    with FDR) and the class."""

    cells: list[str]
    counts: np.ndarray
    z: np.ndarray
    p: np.ndarray
    p_tested: np.ndarray
    classes: np.ndarray

    def class_counts(self) -> dict[str, int]:
        """How many cells fall in each class, every class named (zeros too)."""
        values, numbers = np.unique(self.classes, return_counts=True)
        found = dict(zip(values.tolist(), numbers.tolist(), strict=True))
        return {name: found.get(value, 0) for value, name in CLASS_NAMES.items()}


def hot_spots(
    cells: list[str], counts: np.ndarray, weights: sparse.spmatrix, *, fdr: bool = True
) -> HotSpots:
    z = gi_star(counts, weights)
    p = two_sided_p(z)
    tested = fdr_adjusted(p) if fdr else p
    return HotSpots(cells, np.asarray(counts), z, p, tested, classes(z, tested))
