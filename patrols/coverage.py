"""Patrol coverage: where units spent their time, against where incidents happened.

Presence is counted in unit-minutes from the GPS tracks: each ping stands for the time until
the unit's next ping, capped at ``PATROL_PING_GAP_MINUTES`` (a unit that went silent is not
assumed to have stayed put), and the last ping of a unit in the period for the rest of the
period up to the same cap. Pings and incidents are binned into h3 cells and into the beats
and patrol zones that contain them.

Per patrol zone, alignment answers "do patrols go where incidents are?":
- ``alignment``: the Pearson correlation, over the zone's cells (those with patrol time or
  incidents), between unit-minutes and incidents; 1 means presence in proportion to the
  incidents, 0 no relation, negative presence away from them; None with fewer than two
  cells or no variation.
- ``hotspot_minutes_share``: the share of the zone's unit-minutes spent in its hotspot cells,
  the fewest cells holding at least half of its incidents, beside ``hotspot_cells_share``,
  the share of its cells they are (what random presence would give).

The hotspot cells may instead come from the forecast (``hotspots="forecast"``, or the
PATROL_COVERAGE_HOTSPOTS setting): the fewest of the zone's forecast cells holding at least half
of its expected incidents over the next PATROL_COVERAGE_FORECAST_HORIZON days in the latest
forecast of all categories, i.e. its top cells by expected count; the cells' share is then of
the zone's cells with patrol time, incidents or a forecast hotspot.
"""

import math
from collections import defaultdict
from datetime import datetime, timedelta

import h3
from django.conf import settings

from analysis.forecast.selectors import latest_forecast
from areas.choices import AreaKind
from areas.locator import get_locator
from areas.models import Area

from .models import Position

HOTSPOT_SOURCES = ("incidents", "forecast")


def coverage(
    *,
    units,
    incidents,
    start: datetime,
    end: datetime,
    resolution: int | None = None,
    hotspots: str | None = None,
) -> dict:
    """Coverage of ``units`` (a scoped queryset) over [start, end), against ``incidents`` (a
    scoped queryset) reported in that time; hotspots from the incidents or the forecast."""
    resolution = settings.PATROL_COVERAGE_H3_RESOLUTION if resolution is None else resolution
    hotspots = hotspots or settings.PATROL_COVERAGE_HOTSPOTS
    if hotspots not in HOTSPOT_SOURCES:
        raise ValueError(f"hotspots must be one of {HOTSPOT_SOURCES}")
    presence = _presence(units, start, end, resolution)
    density = _density(incidents, start, end, resolution)
    forecast = _forecast_zones(resolution) if hotspots == "forecast" else None
    zones = _zones(presence, density, forecast["zones"] if forecast else None)
    names = dict(
        Area.objects.filter(id__in={*zones, *presence["beats"], *density["beats"]}).values_list(
            "id", "name"
        )
    )
    cells = sorted({*presence["cells"], *density["cells"]})
    beats = sorted({*presence["beats"], *density["beats"]})
    return {
        "from": start.isoformat(),
        "to": end.isoformat(),
        "resolution": resolution,
        "hotspots": hotspots,
        "forecast": forecast["about"] if forecast else None,
        "unit_minutes": round(sum(presence["cells"].values()), 1),
        "incidents": sum(density["cells"].values()),
        "zones": [
            {"id": zone, "name": names.get(zone, ""), **figures}
            for zone, figures in sorted(zones.items())
        ],
        "beats": [
            {
                "id": beat,
                "name": names.get(beat, ""),
                "unit_minutes": round(presence["beats"].get(beat, 0), 1),
                "incidents": density["beats"].get(beat, 0),
            }
            for beat in beats
        ],
        "cells": [
            {
                "cell": cell,
                "unit_minutes": round(presence["cells"].get(cell, 0), 1),
                "incidents": density["cells"].get(cell, 0),
            }
            for cell in cells
        ],
    }


def _presence(units, start: datetime, end: datetime, resolution: int) -> dict:
    cap = timedelta(minutes=settings.PATROL_PING_GAP_MINUTES)
    pings = list(
        Position.objects.filter(unit__in=units, at__gte=start, at__lt=end)
        .order_by("unit_id", "at")
        .values_list("unit_id", "at", "lon", "lat")
    )
    located = get_locator().locate_many([(lon, lat) for _, _, lon, lat in pings])
    cells: dict[str, float] = defaultdict(float)
    beats: dict[int, float] = defaultdict(float)
    zone_cells: dict[int, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for index, (unit_id, at, lon, lat) in enumerate(pings):
        following = pings[index + 1] if index + 1 < len(pings) else None
        until = following[1] if following and following[0] == unit_id else end
        minutes = min(until - at, cap).total_seconds() / 60
        cell = h3.latlng_to_cell(lat, lon, resolution)
        cells[cell] += minutes
        where = located[index].by_kind
        if AreaKind.BEAT in where:
            beats[where[AreaKind.BEAT].id] += minutes
        if AreaKind.PATROL_ZONE in where:
            zone_cells[where[AreaKind.PATROL_ZONE].id][cell] += minutes
    return {"cells": cells, "beats": beats, "zones": zone_cells}


def _density(incidents, start: datetime, end: datetime, resolution: int) -> dict:
    rows = (
        incidents.filter(reported_at__gte=start, reported_at__lt=end, lat__isnull=False)
        .order_by()
        .values_list("lon", "lat", "beat_id", "patrol_zone_id")
    )
    cells: dict[str, int] = defaultdict(int)
    beats: dict[int, int] = defaultdict(int)
    zone_cells: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for lon, lat, beat, zone in rows:
        cell = h3.latlng_to_cell(lat, lon, resolution)
        cells[cell] += 1
        if beat:
            beats[beat] += 1
        if zone:
            zone_cells[zone][cell] += 1
    return {"cells": cells, "beats": beats, "zones": zone_cells}


def _forecast_zones(resolution: int) -> dict:
    """The latest forecast of all categories as expected counts per cell (at ``resolution``)
    per patrol zone holding the cell's centre, with when it was made."""
    forecast = latest_forecast(source="incidents", category="")
    zone_cells: dict[int, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    if forecast is None:
        return {"zones": zone_cells, "about": None}
    field = f"expected_{settings.PATROL_COVERAGE_FORECAST_HORIZON}"
    expected = _at_resolution(
        dict(forecast.cells.values_list("cell", field)), forecast.resolution, resolution
    )
    cells = list(expected)
    centres = [h3.cell_to_latlng(cell) for cell in cells]
    located = get_locator().locate_many([(lon, lat) for lat, lon in centres])
    for cell, where in zip(cells, located, strict=True):
        if AreaKind.PATROL_ZONE in where.by_kind:
            zone_cells[where.by_kind[AreaKind.PATROL_ZONE].id][cell] += expected[cell]
    about = {
        "generated_at": forecast.generated_at.isoformat(),
        "data_last_day": forecast.data_last_day.isoformat() if forecast.data_last_day else None,
        "horizon_days": settings.PATROL_COVERAGE_FORECAST_HORIZON,
    }
    return {"zones": zone_cells, "about": about}


def _at_resolution(expected: dict[str, float], source: int, target: int) -> dict[str, float]:
    """Expected counts moved to another resolution: summed into parents, or shared evenly
    among children."""
    if source == target:
        return expected
    moved: dict[str, float] = defaultdict(float)
    for cell, value in expected.items():
        if target < source:
            moved[h3.cell_to_parent(cell, target)] += value
        else:
            children = h3.cell_to_children(cell, target)
            for child in children:
                moved[child] += value / len(children)
    return moved


def _zones(presence: dict, density: dict, forecast: dict | None = None) -> dict[int, dict]:
    zones = {}
    for zone in {*presence["zones"], *density["zones"]}:
        minutes, counts = presence["zones"].get(zone, {}), density["zones"].get(zone, {})
        cells = sorted({*minutes, *counts})
        if forecast is None:
            hotspots = _hotspots(counts)
        else:
            hotspots = _hotspots(forecast.get(zone, {}))
            cells = sorted({*cells, *hotspots})
        total_minutes = sum(minutes.values())
        zones[zone] = {
            "unit_minutes": round(total_minutes, 1),
            "incidents": sum(counts.values()),
            "cells": len(cells),
            "alignment": _correlation(
                [minutes.get(cell, 0.0) for cell in cells], [counts.get(cell, 0) for cell in cells]
            ),
            "hotspot_cells_share": round(len(hotspots) / len(cells), 4) if hotspots else None,
            "hotspot_minutes_share": (
                round(sum(minutes.get(cell, 0.0) for cell in hotspots) / total_minutes, 4)
                if hotspots and total_minutes
                else None
            ),
        }
    return zones


def _hotspots(counts: dict[str, float]) -> list[str]:
    """The fewest cells holding at least half of the incidents, or of the expected incidents
    (ties broken by cell id)."""
    total = sum(counts.values())
    chosen, held = [], 0
    for cell, count in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
        if held * 2 >= total:
            break
        chosen.append(cell)
        held += count
    return chosen


def _correlation(xs: list[float], ys: list[float]) -> float | None:
    n = len(xs)
    if n < 2:
        return None
    mean_x, mean_y = sum(xs) / n, sum(ys) / n
    cov = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True))
    var_x = sum((x - mean_x) ** 2 for x in xs)
    var_y = sum((y - mean_y) ** 2 for y in ys)
    if not var_x or not var_y:
        return None
    return round(cov / math.sqrt(var_x * var_y), 4)
