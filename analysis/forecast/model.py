"""The forecast model over arrays of events: recency-weighted kernel density plus an ETAS-style
self-exciting part (see the package docstring for the formula). Pure: no database, so the
backtest and the nightly refresh run the same code, and an origin reads only earlier events."""

import math
from dataclasses import dataclass, fields

import h3
import numpy as np
from django.conf import settings

EARTH_RADIUS_M = 6_371_008.8
SECONDS_PER_DAY = 86_400.0


@dataclass(frozen=True)
class ForecastParams:
    """The model's parameters (settings.ANALYSIS_FORECAST_MODEL), fixed, never fitted to the
    window a forecast is scored on."""

    # Background: an event's weight halves every half_life_days; events older than
    # lookback_days are not read; its point is spread with a Gaussian of bandwidth_m.
    half_life_days: float = 180.0
    lookback_days: float = 730.0
    bandwidth_m: float = 250.0
    # Self-excitation: the share of events triggered by earlier ones, the mean delay of a
    # triggered event (exponential) and how far from its trigger it falls (Gaussian).
    trigger_share: float = 0.1
    trigger_mean_days: float = 10.0
    trigger_bandwidth_m: float = 150.0

    @classmethod
    def from_settings(cls) -> "ForecastParams":
        known = {field.name for field in fields(cls)}
        given = settings.ANALYSIS_FORECAST_MODEL
        unknown = set(given) - known
        if unknown:
            raise ValueError(f"unknown ANALYSIS_FORECAST_MODEL parameter(s) {sorted(unknown)}")
        return cls(**{name: float(value) for name, value in given.items()})


class Grid:
    """The h3 cells of one resolution met so far, each numbered once."""

    def __init__(self, resolution: int):
        self.resolution = resolution
        self.cells: list[str] = []
        self.numbers: dict[str, int] = {}

    def __len__(self) -> int:
        return len(self.cells)

    def number(self, cell: str) -> int:
        found = self.numbers.get(cell)
        if found is None:
            found = self.numbers[cell] = len(self.cells)
            self.cells.append(cell)
        return found

    def numbers_of(self, cells) -> np.ndarray:
        return np.fromiter((self.number(cell) for cell in cells), dtype=np.int64)

    def centre_spacing_m(self) -> float:
        """The distance between neighbouring cells' centres (√3 edges), on average."""
        return math.sqrt(3) * h3.average_hexagon_edge_length(self.resolution, unit="m")


@dataclass
class Events:
    """Events as arrays: time (days since the Unix epoch), point, and cell number in a grid."""

    days: np.ndarray
    lon: np.ndarray
    lat: np.ndarray
    cell: np.ndarray
    grid: Grid

    @classmethod
    def build(cls, rows, grid: Grid) -> "Events":
        """From (unix seconds, lon, lat) rows."""
        array = np.asarray(list(rows), dtype=np.float64).reshape(-1, 3)
        cells = [
            h3.latlng_to_cell(lat, lon, grid.resolution) for lon, lat in array[:, 1:3].tolist()
        ]
        return cls(
            days=array[:, 0] / SECONDS_PER_DAY,
            lon=array[:, 1],
            lat=array[:, 2],
            cell=grid.numbers_of(cells),
            grid=grid,
        )

    def __len__(self) -> int:
        return len(self.days)

    def counts(self, mask: np.ndarray) -> np.ndarray:
        """Events per cell of the grid among those ``mask`` selects."""
        return np.bincount(self.cell[mask], minlength=len(self.grid)).astype(np.float64)


def _distances_m(lon, lat, centre_lon, centre_lat) -> np.ndarray:
    """Great-circle distances from each point (rows) to each centre (columns), in metres."""
    lon1, lat1 = np.radians(lon)[:, None], np.radians(lat)[:, None]
    lon2, lat2 = np.radians(centre_lon)[None, :], np.radians(centre_lat)[None, :]
    a = (
        np.sin((lat2 - lat1) / 2) ** 2
        + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.minimum(a, 1.0)))


class Spread:
    """Each event's unit mass over the cells of the k-ring around its cell, in proportion to a
    Gaussian of the distance from its point to each cell's centre (k covers three bandwidths)."""

    def __init__(self, events: Events, bandwidth_m: float):
        grid = events.grid
        rings = max(1, math.ceil(3 * bandwidth_m / grid.centre_spacing_m()))
        event_parts, cell_parts, weight_parts = [], [], []
        order = np.argsort(events.cell, kind="stable")
        sorted_cells = events.cell[order]
        starts = np.flatnonzero(np.r_[True, sorted_cells[1:] != sorted_cells[:-1]])
        ends = np.r_[starts[1:], len(order)]
        if not len(order):  # no events: nothing to spread
            starts = ends = starts[:0]
        for start, end in zip(starts.tolist(), ends.tolist(), strict=True):
            members = order[start:end]
            disk = h3.grid_disk(grid.cells[sorted_cells[start]], rings)
            centres = np.array([h3.cell_to_latlng(cell) for cell in disk])
            distance = _distances_m(
                events.lon[members], events.lat[members], centres[:, 1], centres[:, 0]
            )
            weight = np.exp(-0.5 * (distance / bandwidth_m) ** 2)
            weight /= weight.sum(axis=1, keepdims=True)
            event_parts.append(np.repeat(members, len(disk)))
            cell_parts.append(np.tile(grid.numbers_of(disk), len(members)))
            weight_parts.append(weight.ravel())
        empty = np.zeros(0)
        self.event = np.concatenate(event_parts) if event_parts else empty.astype(np.int64)
        self.cell = np.concatenate(cell_parts) if cell_parts else empty.astype(np.int64)
        self.weight = np.concatenate(weight_parts) if weight_parts else empty
        self.grid = grid

    def apply(self, event_weights: np.ndarray) -> np.ndarray:
        """Σ_i w_i · k_i(c) for every cell c of the grid."""
        return np.bincount(
            self.cell, weights=self.weight * event_weights[self.event], minlength=len(self.grid)
        )


class Model:
    """The model over one set of events; ``expected`` forecasts from any origin."""

    def __init__(self, events: Events, params: ForecastParams):
        self.events = events
        self.params = params
        self.background = Spread(events, params.bandwidth_m)
        self.triggering = Spread(events, params.trigger_bandwidth_m)

    def expected(self, origin_day: float, horizon_days: float) -> np.ndarray:
        """Expected events per grid cell in [origin, origin + horizon), from earlier events."""
        p, days = self.params, self.events.days
        age = origin_day - days
        read = (age > 0) & (age <= p.lookback_days)
        if not read.any():
            return np.zeros(len(self.events.grid))
        history = min(p.lookback_days, float(age[read].max()))
        decay_rate = math.log(2) / p.half_life_days
        # ∫_0^history e^(−rate·a) da: the weight of a steady day-by-day history.
        weighted_days = (1 - math.exp(-decay_rate * history)) / decay_rate
        background = np.where(read, np.exp(-decay_rate * age), 0.0)
        rate = (1 - p.trigger_share) * self.background.apply(background) / weighted_days
        omega = p.trigger_mean_days
        offspring = np.where(
            read,
            p.trigger_share * (np.exp(-age / omega) - np.exp(-(age + horizon_days) / omega)),
            0.0,
        )
        return horizon_days * rate + self.triggering.apply(offspring)


def prior_counts(events: Events, origin_day: float, days: float) -> np.ndarray:
    """The naive baseline: each cell's events in the ``days`` before the origin."""
    age = origin_day - events.days
    return events.counts((age > 0) & (age <= days))
