"""Reads of the stored forecast and evaluations, for a statistics subject (an area within the
user's jurisdiction and a category), as the statistics API reads its rollups."""

import math

import h3
from django.conf import settings

from stats.selectors import Subject

from ..models import HORIZONS, Evaluation, Forecast


def latest_forecast(*, source: str, category: str, resolution: int | None = None):
    """The newest forecast of a category group ("" all), or None."""
    resolution = resolution or settings.ANALYSIS_FORECAST_RESOLUTION
    return (
        Forecast.objects.filter(source=source, category=category, resolution=resolution)
        .order_by("-generated_at", "-id")
        .first()
    )


def forecast_cells(*, forecast: Forecast, area_path: str, horizon: int) -> list[dict]:
    """The forecast's cells in the area (by the area holding each cell's centre), most
    expected first, the top ANALYSIS_FORECAST_HOT_SHARE of them marked hot."""
    if horizon not in HORIZONS:
        raise ValueError(f"horizon must be one of {HORIZONS}")
    field = f"expected_{horizon}"
    cells = forecast.cells.all()
    if area_path:
        cells = cells.filter(area_path__startswith=area_path)
    rows = list(cells.order_by(f"-{field}", "cell").values_list("cell", field))
    hot = hot_count(len(rows))
    return [
        {"cell": cell, "expected": expected, "rank": rank, "hot": rank <= hot}
        for rank, (cell, expected) in enumerate(rows, start=1)
    ]


def hot_count(cells: int) -> int:
    """How many of an area's cells are hot: the top share, at least one when there are any."""
    if not cells:
        return 0
    return max(1, math.ceil(settings.ANALYSIS_FORECAST_HOT_SHARE * cells))


def forecast_for(*, subject: Subject, category: str, horizon: int) -> dict | None:
    """The latest forecast of a category group in the subject's area, as a GeoJSON feature
    collection of its cells with the forecast's generation time and data's last day."""
    forecast = latest_forecast(source=subject.source.name, category=category)
    if forecast is None:
        return None
    cells = forecast_cells(forecast=forecast, area_path=subject.area_path, horizon=horizon)
    return {
        "type": "FeatureCollection",
        "source": forecast.source,
        "category": forecast.category,
        "resolution": forecast.resolution,
        "horizon_days": horizon,
        "generated_at": forecast.generated_at.isoformat(),
        "data_last_day": forecast.data_last_day.isoformat() if forecast.data_last_day else None,
        "expected_total": sum(cell["expected"] for cell in cells),
        "hot_cells": sum(cell["hot"] for cell in cells),
        "params": forecast.params,
        "features": [
            {
                "type": "Feature",
                "geometry": {
                    "type": "Polygon",
                    "coordinates": [_ring(cell["cell"])],
                },
                "properties": cell,
            }
            for cell in cells
        ],
    }


def _ring(cell: str) -> list[list[float]]:
    ring = [[lon, lat] for lat, lon in h3.cell_to_boundary(cell)]
    return [*ring, ring[0]]


def latest_evaluation(*, subject: Subject, category: str, horizon: int | None = None):
    """The newest stored backtest of exactly the subject's area and the category, or None."""
    evaluations = Evaluation.objects.filter(
        source=subject.source.name, area_path=subject.area_path, category=category
    )
    if horizon:
        evaluations = evaluations.filter(horizon_days=horizon)
    return evaluations.order_by("-created_at", "-id").first()


def evaluation_as_dict(evaluation: Evaluation) -> dict:
    return {
        "id": evaluation.id,
        "source": evaluation.source,
        "system": evaluation.system,
        "category": evaluation.category,
        "area_path": evaluation.area_path,
        "resolution": evaluation.resolution,
        "horizon_days": evaluation.horizon_days,
        "origins": evaluation.origins,
        "data_last_day": (
            evaluation.data_last_day.isoformat() if evaluation.data_last_day else None
        ),
        "created_at": evaluation.created_at.isoformat(),
        "params": evaluation.params,
        **evaluation.results,
    }
