"""GeoJSON geometry checks and helpers, done with shapely (no GDAL)."""

import json
from collections.abc import Iterable, Sequence
from typing import TypeVar

import numpy as np
import shapely
from django.conf import settings
from shapely import STRtree, make_valid
from shapely.geometry import MultiPolygon, Polygon, shape
from shapely.geometry.base import BaseGeometry
from shapely.ops import unary_union
from shapely.validation import explain_validity

AREA_GEOMETRY_TYPES = ("Polygon", "MultiPolygon")
# An overlap with a sibling smaller than this share of the smaller area is rounding, not news.
OVERLAP_NOTICE = 0.001
# A map answer's feature never carries more vertices than this, whatever zoom it asks for.
MAP_FEATURE_MAX_VERTICES = 5_000
# Doublings of the tolerance tried before the smallest parts of a shape are left off a map.
MAP_SIMPLIFY_ROUNDS = 12
MAP_ZOOMS = range(0, 21)
# Map coordinates to six decimals: about 0.1 m, below any screen pixel.
MAP_DECIMALS = 6

Key = TypeVar("Key")


class GeometryError(ValueError):
    """A geometry that cannot be stored as an area boundary; the message says why."""


def parse_area_geometry(geojson) -> BaseGeometry:
    """The shapely shape of a WGS84 Polygon or MultiPolygon, or GeometryError naming the fault."""
    if not isinstance(geojson, dict):
        raise GeometryError("geometry must be a GeoJSON object")
    kind = geojson.get("type")
    if kind not in AREA_GEOMETRY_TYPES:
        raise GeometryError(f"geometry type must be Polygon or MultiPolygon, not {kind!r}")
    # Counted on the parsed JSON, before shapely builds anything: a hostile boundary is
    # refused before it costs time or memory.
    vertices, limit = count_vertices(geojson), settings.AREA_MAX_VERTICES
    if vertices > limit:
        raise GeometryError(
            f"the boundary has {vertices:,} vertices; at most {limit:,} are accepted "
            f"(AREA_MAX_VERTICES): simplify it first"
        )
    try:
        geom = shape(geojson)
    except (ValueError, TypeError, AttributeError, IndexError, KeyError) as exc:
        raise GeometryError(f"malformed {kind} coordinates: {exc}") from exc
    if geom.is_empty:
        raise GeometryError("geometry is empty")
    min_x, min_y, max_x, max_y = geom.bounds
    if min_x < -180 or max_x > 180 or min_y < -90 or max_y > 90:
        raise GeometryError(
            f"coordinates out of range for WGS84 longitude/latitude "
            f"(bounds {min_x:.6f}, {min_y:.6f}, {max_x:.6f}, {max_y:.6f})"
        )
    if not geom.is_valid:
        raise GeometryError(f"invalid geometry: {explain_validity(geom)}")
    return geom


def count_vertices(geojson: dict) -> int:
    """The positions in a Polygon's or MultiPolygon's rings, from the JSON alone (no position is
    looked at: a ring's length is enough)."""
    coordinates = geojson.get("coordinates")
    polygons = [coordinates] if geojson.get("type") == "Polygon" else coordinates
    if not isinstance(polygons, list):
        return 0
    return sum(
        len(ring)
        for polygon in polygons
        if isinstance(polygon, list)
        for ring in polygon
        if isinstance(ring, list)
    )


def overlaps(
    geom: BaseGeometry, others: Sequence[tuple[Key, BaseGeometry]]
) -> list[tuple[Key, float]]:
    """The others whose interior ``geom`` shares, each with the shared area's fraction of the
    smaller of the two (0–1), largest first; boundaries that only touch do not overlap."""
    if not others:
        return []
    tree = STRtree([other for _, other in others])
    found = []
    for index in tree.query(geom, predicate="intersects"):
        key, other = others[index]
        shared = geom.intersection(other).area
        smaller = min(geom.area, other.area)
        fraction = shared / smaller if smaller else 0.0
        if fraction >= OVERLAP_NOTICE:
            found.append((key, fraction))
    return sorted(found, key=lambda pair: -pair[1])


def map_tolerance(zoom: int) -> float:
    """Degrees of longitude one screen pixel spans at this web-map zoom (256-pixel tiles):
    simplified by it, no edge moves by more than about a pixel."""
    return 360 / (256 * 2**zoom)


def simplify_for_map(geojson: dict, zoom: int) -> dict:
    """A boundary as a map at ``zoom`` draws it: simplified with its topology kept (no ring
    collapses or crosses another), at most MAP_FEATURE_MAX_VERTICES, coordinates rounded."""
    geom = shape(geojson)
    tolerance = map_tolerance(zoom)
    simplified = geom.simplify(tolerance, preserve_topology=True)
    # Keeping topology keeps every ring (four points each at least): a shape of many small
    # parts may never get under the budget that way, so the doubling is bounded and the
    # smallest parts are then left out of the map (never out of the stored boundary).
    for _ in range(MAP_SIMPLIFY_ROUNDS):
        if shapely.get_num_coordinates(simplified) <= MAP_FEATURE_MAX_VERTICES:
            break
        tolerance *= 2
        simplified = geom.simplify(tolerance, preserve_topology=True)
    else:
        simplified = _largest_parts(simplified, MAP_FEATURE_MAX_VERTICES)
    return to_geojson(shapely.transform(simplified, lambda xy: np.round(xy, MAP_DECIMALS)))


def _largest_parts(geom: BaseGeometry, budget: int) -> BaseGeometry:
    """The largest polygons of a shape whose coordinates fit in ``budget``."""
    parts = sorted(getattr(geom, "geoms", [geom]), key=lambda part: part.area, reverse=True)
    kept: list[Polygon] = []
    used = 0
    for part in parts:
        size = shapely.get_num_coordinates(part)
        if used + size > budget:
            continue
        kept.append(part)
        used += size
    return MultiPolygon(kept) if len(kept) != 1 else kept[0]


def polygonal_part(geom: BaseGeometry) -> Polygon | MultiPolygon:
    """Only the polygons of a shape (clipping can leave lines and points behind)."""
    geom = make_valid(geom)
    if isinstance(geom, Polygon | MultiPolygon):
        return geom
    polygons: list[Polygon] = []
    for part in getattr(geom, "geoms", []):
        if isinstance(part, Polygon):
            polygons.append(part)
        elif isinstance(part, MultiPolygon):
            polygons.extend(part.geoms)
    return MultiPolygon(polygons) if len(polygons) != 1 else polygons[0]


def union_geojson(shapes: Iterable[BaseGeometry]) -> dict:
    """The GeoJSON of the union of area shapes, as a parent derived from its children."""
    return to_geojson(polygonal_part(unary_union(list(shapes))))


def to_geojson(geom: BaseGeometry) -> dict:
    """Plain JSON (lists, not tuples), so stored geometry compares equal to what was read."""
    return json.loads(shapely.to_geojson(geom))
