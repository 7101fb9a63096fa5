"""Rolling-origin backtest: the model and the naive prior-counts baselines, each forecast from
an origin with only the events before it, scored on the events of the horizon after it.

Origins step back from the end of the data by whole horizons (the last test period ends with
the data's last day), so the test periods of N origins tile the N horizons before the end and
never overlap."""

import math

import numpy as np

from .model import Events, ForecastParams, Model, prior_counts
from .scoring import score

# The naive baselines: each cell's events in the last 28 and the last 365 days.
BASELINES = {"last_28_days": 28, "last_365_days": 365}
METHODS = ("model", *BASELINES)
SHARES = (0.01, 0.05)
FIGURES = ("pai", "pei", "hit_rate", "best_pai")


def share_label(share: float) -> str:
    return f"{share * 100:g}%"


def origin_days(data_end_day: float, horizon_days: int, count: int) -> list[float]:
    """``count`` origins, oldest first, the last one ``horizon_days`` before the data's end."""
    return [data_end_day - horizon_days * step for step in range(count, 0, -1)]


def run_backtest(
    events: Events,
    region: np.ndarray,
    *,
    origins: list[float],
    horizon_days: int,
    params: ForecastParams,
) -> dict:
    """Scores of every method at every origin, and their mean and spread over the origins.

    ``region`` holds the grid numbers of the study area's cells; ``events`` are the events
    of the category anywhere (the model and baselines read them all; only events in the
    region's cells are scored)."""
    model = Model(events, params)
    region = np.asarray(region, dtype=np.int64)
    scored = []
    for origin in origins:
        in_test = (events.days >= origin) & (events.days < origin + horizon_days)
        actual = events.counts(in_test)[region]
        forecasts = {"model": model.expected(origin, horizon_days)[region]}
        for name, days in BASELINES.items():
            forecasts[name] = prior_counts(events, origin, days)[region]
        scores = {
            method: {share_label(share): score(forecast, actual, share) for share in SHARES}
            for method, forecast in forecasts.items()
        }
        scored.append({"origin": origin, "events": int(actual.sum()), "scores": scores})
    return {
        "horizon_days": horizon_days,
        "cells": len(region),
        "origins": scored,
        "summary": summarise(scored),
    }


def summarise(scored: list[dict]) -> dict:
    """Per method, share and figure: mean, standard deviation, min and max over the origins
    that had events to score (``n`` of them)."""
    summary = {}
    for method in METHODS:
        summary[method] = {}
        for share in SHARES:
            label = share_label(share)
            blocks = [o["scores"][method][label] for o in scored if o["scores"][method][label]]
            summary[method][label] = {
                figure: spread([b[figure] for b in blocks if b[figure] is not None])
                for figure in FIGURES
            }
    return summary


def spread(values: list[float]) -> dict:
    if not values:
        return {"n": 0, "mean": None, "sd": None, "min": None, "max": None}
    array = np.asarray(values, dtype=np.float64)
    sd = float(array.std(ddof=1)) if len(array) > 1 else 0.0
    return {
        "n": len(array),
        "mean": float(array.mean()),
        "sd": sd if math.isfinite(sd) else None,
        "min": float(array.min()),
        "max": float(array.max()),
    }


def headline(summary: dict, share: str = "5%") -> dict:
    """The model's mean PAI at ``share`` against the better baseline's, their ratio, and the
    ratio a perfect forecast's PAI (PAI*) would have reached."""
    model = summary["model"][share]["pai"]["mean"]
    baselines = {name: summary[name][share]["pai"]["mean"] for name in BASELINES}
    known = {name: value for name, value in baselines.items() if value is not None}
    if model is None or not known:
        return {"share": share, "model_pai": model, "baseline": None, "ratio": None}
    best = max(known, key=known.get)
    ratio = model / known[best] if known[best] else None
    # The ratio a perfect forecast would reach: the most any model could show here.
    attainable = summary["model"][share]["best_pai"]["mean"]
    return {
        "share": share,
        "model_pai": model,
        "baseline": best,
        "baseline_pai": known[best],
        "ratio": ratio,
        "attainable_ratio": attainable / known[best] if known[best] and attainable else None,
    }
