"""Scoring a forecast against what happened: hit rate, PAI and PEI at a share of the area.

For a share x of the study area's n cells (taken as equal in area: cells of one h3 resolution
differ by well under 1% across a city), the flagged area is the x·n cells of highest forecast.
Cells the forecast ties are taken as a whole group while it fits; of the group that does not
fit, the fraction that does is taken, and with it that fraction of the group's events (what a
random order within the tie gives on average), so ties neither help nor hurt a method.

- hit rate = h / N: the share of the N events of the test period that fell in flagged cells;
- PAI (Chainey's Predictive Accuracy Index) = (h / N) / (a / A) = hit rate / x;
- PEI (Predictive Efficiency Index) = PAI / PAI*, where PAI* is the highest PAI any forecast
  flagging the same area could reach (flagging the cells that did have the most events), so
  PEI = h / h*, from 0 to 1.
"""

import numpy as np


def captured(scores: np.ndarray, actual: np.ndarray, share: float) -> float:
    """The events (``actual``, per cell) in the top ``share`` of cells ranked by ``scores``."""
    budget = share * len(scores)
    if budget <= 0 or not len(scores):
        return 0.0
    levels, group, sizes = np.unique(-scores, return_inverse=True, return_counts=True)
    held = np.bincount(group, weights=actual, minlength=len(levels))
    taken_before = np.cumsum(sizes) - sizes
    whole = taken_before + sizes <= budget
    total = float(held[whole].sum())
    partial = np.flatnonzero(~whole)
    if len(partial):
        first = partial[0]
        total += float(held[first]) * (budget - taken_before[first]) / sizes[first]
    return total


def score(forecast: np.ndarray, actual: np.ndarray, share: float) -> dict | None:
    """Hit rate, PAI, PEI and PAI* of ``forecast`` at ``share`` of the area; None with no
    events."""
    events = float(actual.sum())
    if events <= 0:
        return None
    hits = captured(forecast, actual, share)
    best = captured(actual, actual, share)
    hit_rate = hits / events
    return {
        "hit_rate": hit_rate,
        "pai": hit_rate / share,
        "pei": hits / best if best else None,
        # PAI*, the highest PAI attainable at this share (a perfect forecast's).
        "best_pai": best / events / share,
    }
