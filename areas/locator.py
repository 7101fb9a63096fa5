"""Point → area: the smallest containing area at each level, from shapely STRtrees.

The trees are built once per process and rebuilt when the area table changes (its row count,
newest id or latest update differ from when they were built), so every process follows edits
made by any other without a message bus.
"""

import threading
from dataclasses import dataclass

import numpy as np
import shapely
from django.db.models import Count, Max
from shapely.geometry import shape
from shapely.strtree import STRtree

from .choices import AreaKind
from .models import Area


@dataclass(frozen=True)
class AreaRef:
    id: int
    kind: str
    path: str


@dataclass(frozen=True)
class Located:
    """The areas containing one point: the smallest of each kind, and the deepest of them all."""

    by_kind: dict[str, AreaRef]

    @property
    def leaf(self) -> AreaRef | None:
        if not self.by_kind:
            return None
        return max(self.by_kind.values(), key=lambda ref: ref.path.count("/"))


NOWHERE = Located(by_kind={})


class _KindIndex:
    def __init__(self, refs: list[AreaRef], geoms: list):
        self.refs = refs
        self.tree = STRtree(geoms)
        self.sizes = np.array([geom.area for geom in geoms])
        for geom in geoms:
            shapely.prepare(geom)

    def smallest_containing(self, points: np.ndarray) -> np.ndarray:
        """For each point, the index of the smallest containing area, or -1."""
        chosen = np.full(len(points), -1, dtype=np.int64)
        point_idx, area_idx = self.tree.query(points, predicate="intersects")
        if len(point_idx):
            order = np.lexsort((self.sizes[area_idx], point_idx))
            point_idx, area_idx = point_idx[order], area_idx[order]
            first = np.unique(point_idx, return_index=True)[1]
            chosen[point_idx[first]] = area_idx[first]
        return chosen


class AreaLocator:
    def __init__(self, areas):
        grouped: dict[str, tuple[list[AreaRef], list]] = {}
        for area in areas:
            refs, geoms = grouped.setdefault(area.kind, ([], []))
            refs.append(AreaRef(area.id, area.kind, area.path))
            geoms.append(shape(area.geometry))
        self.indexes = {kind: _KindIndex(refs, geoms) for kind, (refs, geoms) in grouped.items()}

    def locate(self, lon: float, lat: float) -> Located:
        return self.locate_many([(lon, lat)])[0]

    def locate_many(self, coordinates) -> list[Located]:
        """Locate many (lon, lat) pairs at once; None or NaN coordinates locate nowhere.

        Points that fall in the same areas share one Located object, so callers can work out
        what they need from a place once per place rather than once per point.
        """
        coords = np.array(
            [(np.nan, np.nan) if c is None or c[0] is None else c for c in coordinates],
            dtype=float,
        ).reshape(-1, 2)
        kinds = [kind for kind in AreaKind.values if kind in self.indexes]
        if not len(coords) or not kinds:
            return [NOWHERE] * len(coords)
        points = shapely.points(coords)
        chosen = np.stack(
            [self.indexes[kind].smallest_containing(points) for kind in kinds], axis=1
        )
        combinations, inverse = np.unique(chosen, axis=0, return_inverse=True)
        places = []
        for combination in combinations.tolist():
            by_kind = {
                kind: self.indexes[kind].refs[number]
                for kind, number in zip(kinds, combination, strict=True)
                if number >= 0
            }
            places.append(Located(by_kind=by_kind) if by_kind else NOWHERE)
        return [places[number] for number in inverse.reshape(-1).tolist()]


_lock = threading.Lock()
_cached: tuple[tuple, AreaLocator] | None = None


def _table_version() -> tuple:
    stats = Area.objects.aggregate(n=Count("id"), newest=Max("id"), updated=Max("updated_at"))
    return stats["n"], stats["newest"], stats["updated"]


def get_locator() -> AreaLocator:
    """The process-wide locator, rebuilt only when the area table has changed."""
    global _cached
    version = _table_version()
    with _lock:
        if _cached is None or _cached[0] != version:
            areas = Area.objects.only("id", "kind", "path", "geometry")
            _cached = (version, AreaLocator(areas))
        return _cached[1]


def locate_point(lon: float, lat: float) -> Located:
    return get_locator().locate(lon, lat)
