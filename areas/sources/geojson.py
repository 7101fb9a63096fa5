"""A GeoJSON FeatureCollection, as it is."""

import json

from .base import AreaImportError, AreaSource, decode_text


def read_geojson(content: bytes) -> AreaSource:
    text, encoding = decode_text(content)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise AreaImportError([f"not JSON ({exc})"]) from exc
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise AreaImportError(["not a GeoJSON FeatureCollection"])
    features = data.get("features") or []
    if not isinstance(features, list):
        raise AreaImportError(["the FeatureCollection's features are not a list"])
    notes = [] if encoding == "utf-8" else [f"read as {encoding}"]
    return AreaSource(features=features, notes=notes)
