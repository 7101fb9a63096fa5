"""GeoJSON geometry checks and helpers, done with shapely (no GDAL)."""

import json
from collections.abc import Iterable

import shapely
from shapely import make_valid
from shapely.geometry import MultiPolygon, Polygon, shape
from shapely.geometry.base import BaseGeometry
from shapely.ops import unary_union
from shapely.validation import explain_validity

AREA_GEOMETRY_TYPES = ("Polygon", "MultiPolygon")


class GeometryError(ValueError):
    """A geometry that cannot be stored as an area boundary; the message says why."""


def parse_area_geometry(geojson) -> BaseGeometry:
    """The shapely shape of a WGS84 Polygon or MultiPolygon, or GeometryError naming the fault."""
    if not isinstance(geojson, dict):
        raise GeometryError("geometry must be a GeoJSON object")
    kind = geojson.get("type")
    if kind not in AREA_GEOMETRY_TYPES:
        raise GeometryError(f"geometry type must be Polygon or MultiPolygon, not {kind!r}")
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
