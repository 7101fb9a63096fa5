"""The analyses as answers: hot spots, emerging hot spots and near repeats of a statistics
subject and window, shaped for the API and the page (JSON, GeoJSON, tables)."""

import math

import numpy as np
from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError

from stats.selectors import Subject
from stats.windows import Period

from .cells import cell_centre, cell_polygon, study_region
from .emerging import MOST_STEPS, TREND_ALPHA, emerging_hot_spots
from .hotspots import CLASS_NAMES, hot_spots
from .knox import KnoxResult, knox_test, local_metres
from .selectors import cell_counts, event_points, step_cell_counts, time_steps

# Fewer steps than this give a Mann–Kendall trend no power (Esri asks for ten).
MIN_STEPS = 6
# More steps than this: a window too long for the step (the trend costs steps² per cell).
MAX_STEPS = 160


def _number(value: float, digits: int = 4):
    value = float(value)
    return None if math.isnan(value) else round(value, digits)


def hotspot_answer(
    *, subject: Subject, period: Period, resolution: int, k: int, fdr: bool = True
) -> dict:
    """Gi* per cell: the cells holding events or significant, and the count per class over
    every cell tested (the occupied cells and those within ``k`` rings of one)."""
    counts = cell_counts(subject, period, resolution)
    cells, weights = study_region(counts, k)
    values = np.array([counts.get(cell, 0) for cell in cells], dtype=np.int64)
    result = hot_spots(cells, values, weights, fdr=fdr)
    # Rounded and listed by numpy: per-cell Python here was a noticeable part of the answer.
    z, p, tested = (
        np.round(a, d).tolist() for a, d in ((result.z, 4), (result.p, 6), (result.p_tested, 6))
    )
    shown_counts, shown_classes = result.counts.tolist(), result.classes.tolist()
    shown = [
        {
            "cell": cell,
            "count": shown_counts[i],
            "z": z[i],
            "p": p[i],
            "p_tested": tested[i],
            "class": shown_classes[i],
            "class_name": CLASS_NAMES[shown_classes[i]],
        }
        for i, cell in enumerate(cells)
        if shown_counts[i] or shown_classes[i]
    ]
    return {
        "period": period.as_dict(),
        "resolution": resolution,
        "k": k,
        "fdr": fdr,
        "events": int(values.sum()),
        "cells_tested": len(cells),
        "classes": result.class_counts(),
        "cells": shown,
    }


def emerging_answer(
    *,
    subject: Subject,
    period: Period,
    step: str,
    resolution: int,
    k: int,
    fdr: bool = True,
) -> dict:
    """Esri's emerging hot spot categories per cell over the window's steps."""
    steps = time_steps(period, step)
    if len(steps) < MIN_STEPS:
        raise ValidationError(
            {
                "window": _("新兴热点分析至少需要 %(n)d 个时间步，请选择更长的时间范围。")
                % {"n": MIN_STEPS}
            }
        )
    if len(steps) > MAX_STEPS:
        raise ValidationError(
            {
                "step": _("时间步过多（最多 %(n)d 个），请选择较短的时间范围或按月。")
                % {"n": MAX_STEPS}
            }
        )
    series = step_cell_counts(subject, steps, resolution)
    cells, weights = study_region(series, k)
    zeros = np.zeros(len(steps), dtype=np.int64)
    counts = np.array([series.get(cell, zeros) for cell in cells], dtype=np.int64).reshape(
        len(cells), len(steps)
    )
    result = emerging_hot_spots(cells, counts, weights, fdr=fdr)
    shown = [
        {
            "cell": cell,
            "category": result.categories[i],
            "count": int(counts[i].sum()),
            "hot_steps": int((result.step_classes[i] > 0).sum()),
            "cold_steps": int((result.step_classes[i] < 0).sum()),
            "final_z": _number(result.z[i, -1]),
            "trend_z": _number(result.trend_z[i]),
            "trend_p": _number(result.trend_p[i], 6),
        }
        for i, cell in enumerate(cells)
        if result.categories[i] != "none"
    ]
    return {
        "period": period.as_dict(),
        "step": step,
        "steps": [s.as_dict() for s in steps],
        "resolution": resolution,
        "k": k,
        "fdr": fdr,
        "most_steps": MOST_STEPS,
        "trend_alpha": TREND_ALPHA,
        "events": int(counts.sum()),
        "cells_tested": len(cells),
        "categories": result.category_counts(),
        "cells": shown,
    }


def knox_for(
    subject: Subject, period: Period, bands: dict, *, seed: int | None = None
) -> KnoxResult:
    """The Knox test of the subject's events in the period with ``bands`` (distance_width,
    distance_bands, time_width, time_bands, permutations)."""
    lon, lat, days = event_points(subject, period)
    if len(days) > settings.ANALYSIS_NEAR_REPEAT_MAX_EVENTS:
        raise ValidationError(
            {
                "category": _("事件过多（%(n)d 起，上限 %(max)d），请选择具体类别或较小辖区。")
                % {"n": len(days), "max": settings.ANALYSIS_NEAR_REPEAT_MAX_EVENTS}
            }
        )
    x, y = local_metres(lon, lat)
    return knox_test(x, y, days, rng=np.random.default_rng(seed), **bands)


def knox_table(result: KnoxResult) -> dict:
    """A Knox result as JSON: one row per distance band, one cell per time band."""
    zone = result.zone()
    significant = result.significant()
    rows = []
    for d in range(result.distance_bands + 1):
        cells = []
        for t in range(result.time_bands + 1):
            cells.append(
                {
                    "from_days": t * result.time_width,
                    "to_days": None if t == result.time_bands else (t + 1) * result.time_width,
                    "observed": int(result.observed[d, t]),
                    "expected": _number(result.expected[d, t], 2),
                    "ratio": _number(result.ratio[d, t], 2),
                    "p": _number(result.p[d, t], 4),
                    "significant": bool(significant[d, t]),
                }
            )
        rows.append(
            {
                "from_m": d * result.distance_width,
                "to_m": None if d == result.distance_bands else (d + 1) * result.distance_width,
                "cells": cells,
            }
        )
    return {
        "events": result.events,
        "distance_width": result.distance_width,
        "distance_bands": result.distance_bands,
        "time_width": result.time_width,
        "time_bands": result.time_bands,
        "permutations": result.permutations,
        "zone": None if zone is None else {"metres": zone[0], "days": zone[1]},
        "rows": rows,
    }


def near_repeat_answer(*, subject: Subject, period: Period, bands: dict, seed=None) -> dict:
    return {"period": period.as_dict(), **knox_table(knox_for(subject, period, bands, seed=seed))}


def near_repeat_bands(values: dict) -> dict:
    """The Knox bands asked for, each defaulting to its setting."""
    return {
        "distance_width": values.get("distance") or settings.ANALYSIS_NEAR_REPEAT_DISTANCE_M,
        "distance_bands": values.get("distance_bands")
        or settings.ANALYSIS_NEAR_REPEAT_DISTANCE_BANDS,
        "time_width": values.get("days") or settings.ANALYSIS_NEAR_REPEAT_TIME_DAYS,
        "time_bands": values.get("time_bands") or settings.ANALYSIS_NEAR_REPEAT_TIME_BANDS,
        "permutations": values.get("permutations") or settings.ANALYSIS_NEAR_REPEAT_PERMUTATIONS,
    }


# --- other shapes of the same answers: GeoJSON and tables


def cells_geojson(answer: dict) -> dict:
    """The cells of a hot spot or emerging answer as a GeoJSON FeatureCollection, the
    answer's other members (period, counts per class or category, ...) beside them."""
    return {
        **{name: value for name, value in answer.items() if name != "cells"},
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": {"type": "Polygon", "coordinates": cell_polygon(row["cell"])},
                "properties": row,
            }
            for row in answer["cells"]
        ],
    }


def cells_table(answer: dict) -> tuple[list[str], list[list]]:
    """The cells of an answer as (headers, rows), with each cell's centre."""
    if not answer["cells"]:
        return ["cell", "lon", "lat"], []
    keys = list(answer["cells"][0])
    rows = [
        [row["cell"], *cell_centre(row["cell"]), *[row[key] for key in keys[1:]]]
        for row in answer["cells"]
    ]
    return [keys[0], "lon", "lat", *keys[1:]], rows


def knox_rows(answer: dict) -> tuple[list[str], list[list]]:
    headers = [
        "from_m",
        "to_m",
        "from_days",
        "to_days",
        "observed",
        "expected",
        "ratio",
        "p",
        "significant",
    ]
    rows = [
        [row["from_m"], row["to_m"], *[cell[h] for h in headers[2:]]]
        for row in answer["rows"]
        for cell in row["cells"]
    ]
    return headers, rows
