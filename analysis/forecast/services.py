"""Writes of the forecast: the nightly refresh of every category group's forecast, and stored
backtests (the evaluation command's and the nightly one's)."""

from dataclasses import asdict
from datetime import UTC, datetime

import h3
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from areas.locator import get_locator
from areas.models import Area
from stats.registry import get_source

from ..models import HORIZONS, Evaluation, Forecast, ForecastCell
from .backtest import headline, origin_days, run_backtest
from .data import Selection, area_cells, day_end
from .model import SECONDS_PER_DAY, ForecastParams, Grid, Model

# Cells expected to see fewer events than this in 28 days are not stored.
STORED_MINIMUM = 1e-4


def category_groups(source_name: str) -> list[tuple[str, str]]:
    """(code, path) of every group a forecast is made for: all categories ("", ""), then each
    top-level category of the source's tree."""
    model = get_source(source_name).category_model
    tops = model.objects.all()
    if any(field.name == "parent" for field in model._meta.fields):
        tops = tops.filter(parent__isnull=True)
    return [("", ""), *tops.order_by("sort_order", "code").values_list("code", "path")]


def forecast_refresh(*, source: str = "incidents", resolution: int | None = None) -> list[Forecast]:
    """A new forecast of every category group from all the source's records up to their last
    day (at most today), for the HORIZONS days after it; older refreshes beyond
    ANALYSIS_FORECAST_KEPT are deleted."""
    resolution = resolution or settings.ANALYSIS_FORECAST_RESOLUTION
    params = ForecastParams.from_settings()
    last_day = Selection.of(source).last_day()
    if last_day is not None:
        last_day = min(last_day, timezone.localdate())
    made = []
    for code, path in category_groups(source):
        made.append(
            _forecast_group(
                source=source,
                code=code,
                path=path,
                resolution=resolution,
                params=params,
                last_day=last_day,
            )
        )
    return made


def _forecast_group(*, source, code, path, resolution, params, last_day) -> Forecast:
    grid = Grid(resolution)
    cells = []
    if last_day is not None:
        origin = day_end(last_day)
        events = Selection.of(source, category_path=path).events(grid, before=origin)
        model = Model(events, params)
        origin_day = origin.timestamp() / SECONDS_PER_DAY
        expected = {horizon: model.expected(origin_day, horizon) for horizon in HORIZONS}
        kept = [number for number in range(len(grid)) if expected[28][number] >= STORED_MINIMUM]
        centres = [grid.cells[number] for number in kept]
        located = get_locator().locate_many(
            [(lon, lat) for lat, lon in (h3.cell_to_latlng(cell) for cell in centres)]
        )
        for number, cell, where in zip(kept, centres, located, strict=True):
            leaf = where.leaf
            cells.append(
                ForecastCell(
                    cell=cell,
                    area_path=leaf.path if leaf else "",
                    expected_7=float(expected[7][number]),
                    expected_28=float(expected[28][number]),
                )
            )
    with transaction.atomic():
        forecast = Forecast.objects.create(
            source=source,
            category=code,
            resolution=resolution,
            generated_at=timezone.now(),
            data_last_day=last_day,
            params=asdict(params),
        )
        for cell in cells:
            cell.forecast = forecast
        ForecastCell.objects.bulk_create(cells, batch_size=2000)
        older = Forecast.objects.filter(
            source=source, category=code, resolution=resolution
        ).order_by("-generated_at", "-id")[settings.ANALYSIS_FORECAST_KEPT :]
        Forecast.objects.filter(pk__in=list(older.values_list("pk", flat=True))).delete()
    return forecast


def evaluation_compute(
    *,
    selection: Selection,
    resolution: int,
    horizon_days: int,
    origins: int,
    params: ForecastParams | None = None,
) -> dict:
    """A rolling-origin backtest of the selection's records (see backtest.py): the origins
    step back from the end of the last day of the data by whole horizons."""
    params = params or ForecastParams.from_settings()
    last_day = selection.last_day()
    if last_day is None:
        return {"data_last_day": None, "params": asdict(params), "results": {}}
    grid = Grid(resolution)
    events = selection.events(grid)
    region = sorted(area_cells(selection.area_path, resolution) | set(grid.cells))
    data_end = day_end(last_day).timestamp() / SECONDS_PER_DAY
    results = run_backtest(
        events,
        grid.numbers_of(region),
        origins=origin_days(data_end, horizon_days, origins),
        horizon_days=horizon_days,
        params=params,
    )
    for block in results["origins"]:
        moment = datetime.fromtimestamp(block["origin"] * SECONDS_PER_DAY, tz=UTC)
        block["origin"] = timezone.localtime(moment).isoformat()
    results["headline"] = headline(results["summary"])
    results["events"] = len(events)
    return {"data_last_day": last_day, "params": asdict(params), "results": results}


def evaluation_store(
    *,
    selection: Selection,
    category: str,
    resolution: int,
    horizon_days: int,
    origins: int,
) -> Evaluation:
    """Run a backtest and keep it: the latest one is what the page and the API show."""
    computed = evaluation_compute(
        selection=selection, resolution=resolution, horizon_days=horizon_days, origins=origins
    )
    return Evaluation.objects.create(
        source=selection.source.name,
        system=selection.system,
        category=category,
        area_path=selection.area_path,
        resolution=resolution,
        horizon_days=horizon_days,
        origins=origins,
        **computed,
    )


def evaluations_refresh(*, source: str = "incidents") -> list[Evaluation]:
    """The nightly backtest of all categories, everywhere and in each area of the top
    ANALYSIS_EVALUATION_AREA_LEVELS levels of the tree."""
    depth = settings.ANALYSIS_EVALUATION_AREA_LEVELS
    paths = [""] + [
        path for path in Area.objects.values_list("path", flat=True) if path.count("/") - 1 <= depth
    ]
    return [
        evaluation_store(
            selection=Selection.of(source, area_path=path),
            category="",
            resolution=settings.ANALYSIS_FORECAST_RESOLUTION,
            horizon_days=settings.ANALYSIS_EVALUATION_HORIZON,
            origins=settings.ANALYSIS_EVALUATION_ORIGINS,
        )
        for path in paths
    ]
