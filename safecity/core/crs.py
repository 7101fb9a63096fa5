"""The coordinate systems Chinese maps use, and conversion of points and GeoJSON to and from WGS84.

Everything SafeCity stores is WGS84; data arrives, and map tiles may be drawn, in GCJ-02 (国测局,
AutoNavi/Tencent) or BD-09 (Baidu). These are the published transforms, written out here because
no PyPI package for them is kept up (``eviltransform`` 2018, ``coord-convert`` 2019) and the one
that is (``coordTransform``) inverts GCJ-02 by a one-step approximation off by metres; pyproj has
no GCJ-02. The inverses here refine iteratively, so a round trip stays within centimetres.
"""

import math
from collections.abc import Callable

from django.db import models

# The Krasovsky 1940 ellipsoid the GCJ-02 offset is computed on.
_KRASOVSKY_A = 6378245.0
_KRASOVSKY_EE = 0.00669342162296594323
_X_PI = math.pi * 3000.0 / 180.0
# An inverse stops refining when a step moves the point less than this (about 0.1 mm).
_INVERSE_TOLERANCE = 1e-9
_INVERSE_ROUNDS = 30

Point = tuple[float, float]


class Crs(models.TextChoices):
    """A coordinate system a point or geometry may arrive in or be drawn in."""

    WGS84 = "wgs84", "WGS84 (GPS)"
    GCJ02 = "gcj02", "GCJ-02 (AutoNavi, Tencent)"
    BD09 = "bd09", "BD-09 (Baidu)"


def in_china(lon: float, lat: float) -> bool:
    """Whether GCJ-02 shifts this point: the published mainland bounding box (outside it,
    GCJ-02 and BD-09 are taken to be WGS84 and points pass unchanged)."""
    return 72.004 <= lon <= 137.8347 and 0.8293 <= lat <= 55.8271


def _offset(x: float, y: float) -> Point:
    lat = (
        -100.0
        + 2.0 * x
        + 3.0 * y
        + 0.2 * y * y
        + 0.1 * x * y
        + 0.2 * math.sqrt(abs(x))
        + (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
        + (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
        + (160.0 * math.sin(y / 12.0 * math.pi) + 320 * math.sin(y * math.pi / 30.0)) * 2.0 / 3.0
    )
    lon = (
        300.0
        + x
        + 2.0 * y
        + 0.1 * x * x
        + 0.1 * x * y
        + 0.1 * math.sqrt(abs(x))
        + (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
        + (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
        + (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2.0 / 3.0
    )
    return lon, lat


def wgs84_to_gcj02(lon: float, lat: float) -> Point:
    if not in_china(lon, lat):
        return lon, lat
    dlon, dlat = _offset(lon - 105.0, lat - 35.0)
    radlat = lat / 180.0 * math.pi
    magic = 1 - _KRASOVSKY_EE * math.sin(radlat) ** 2
    sqrtmagic = math.sqrt(magic)
    dlat = (dlat * 180.0) / ((_KRASOVSKY_A * (1 - _KRASOVSKY_EE)) / (magic * sqrtmagic) * math.pi)
    dlon = (dlon * 180.0) / (_KRASOVSKY_A / sqrtmagic * math.cos(radlat) * math.pi)
    return lon + dlon, lat + dlat


def gcj02_to_bd09(lon: float, lat: float) -> Point:
    if not in_china(lon, lat):
        return lon, lat
    z = math.sqrt(lon * lon + lat * lat) + 0.00002 * math.sin(lat * _X_PI)
    theta = math.atan2(lat, lon) + 0.000003 * math.cos(lon * _X_PI)
    return z * math.cos(theta) + 0.0065, z * math.sin(theta) + 0.006


def _invert(forward: Callable[[float, float], Point], lon: float, lat: float) -> Point:
    """The point ``forward`` maps onto (lon, lat), found by fixed-point refinement: the shift
    varies slowly, so each round subtracts the error of the last guess."""
    if not in_china(lon, lat):
        return lon, lat
    guess_lon, guess_lat = lon, lat
    for _ in range(_INVERSE_ROUNDS):
        mapped_lon, mapped_lat = forward(guess_lon, guess_lat)
        step_lon, step_lat = mapped_lon - lon, mapped_lat - lat
        guess_lon, guess_lat = guess_lon - step_lon, guess_lat - step_lat
        if abs(step_lon) < _INVERSE_TOLERANCE and abs(step_lat) < _INVERSE_TOLERANCE:
            break
    return guess_lon, guess_lat


def gcj02_to_wgs84(lon: float, lat: float) -> Point:
    return _invert(wgs84_to_gcj02, lon, lat)


def bd09_to_gcj02(lon: float, lat: float) -> Point:
    return _invert(gcj02_to_bd09, lon, lat)


def wgs84_to_bd09(lon: float, lat: float) -> Point:
    return gcj02_to_bd09(*wgs84_to_gcj02(lon, lat))


def bd09_to_wgs84(lon: float, lat: float) -> Point:
    return _invert(wgs84_to_bd09, lon, lat)


_TO_WGS84 = {
    Crs.WGS84: lambda lon, lat: (lon, lat),
    Crs.GCJ02: gcj02_to_wgs84,
    Crs.BD09: bd09_to_wgs84,
}
_FROM_WGS84 = {
    Crs.WGS84: lambda lon, lat: (lon, lat),
    Crs.GCJ02: wgs84_to_gcj02,
    Crs.BD09: wgs84_to_bd09,
}


def to_wgs84(lon: float, lat: float, crs: str) -> Point:
    """A point given in ``crs`` as WGS84; ValueError for a system not in ``Crs``."""
    return _TO_WGS84[Crs(crs)](lon, lat)


def from_wgs84(lon: float, lat: float, crs: str) -> Point:
    """A WGS84 point as ``crs`` has it; ValueError for a system not in ``Crs``."""
    return _FROM_WGS84[Crs(crs)](lon, lat)


def _map_positions(coordinates, convert: Callable[[float, float], Point]):
    if coordinates and isinstance(coordinates[0], (int, float)):
        return [*convert(coordinates[0], coordinates[1]), *coordinates[2:]]
    return [_map_positions(part, convert) for part in coordinates]


def _map_geometry(geometry: dict | None, convert: Callable[[float, float], Point]) -> dict | None:
    if geometry is None:
        return None
    kind = geometry.get("type")
    if kind == "GeometryCollection":
        parts = [_map_geometry(part, convert) for part in geometry.get("geometries", [])]
        return {**geometry, "geometries": parts}
    if kind == "Feature":
        return {**geometry, "geometry": _map_geometry(geometry.get("geometry"), convert)}
    if kind == "FeatureCollection":
        features = [_map_geometry(feature, convert) for feature in geometry.get("features", [])]
        return {**geometry, "features": features}
    return {**geometry, "coordinates": _map_positions(geometry["coordinates"], convert)}


def geometry_to_wgs84(geojson: dict | None, crs: str) -> dict | None:
    """A copy of a GeoJSON geometry, Feature or FeatureCollection given in ``crs``, in WGS84."""
    if Crs(crs) is Crs.WGS84:
        return geojson
    return _map_geometry(geojson, _TO_WGS84[Crs(crs)])


def geometry_from_wgs84(geojson: dict | None, crs: str) -> dict | None:
    """A copy of a WGS84 GeoJSON geometry, Feature or FeatureCollection, as ``crs`` has it."""
    if Crs(crs) is Crs.WGS84:
        return geojson
    return _map_geometry(geojson, _FROM_WGS84[Crs(crs)])
