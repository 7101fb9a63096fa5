"""The boundary checks every write of area geometry passes (areas.geometry), and the
simplification maps receive."""

import math
from unittest import mock

import pytest
import shapely
from shapely.geometry import shape

from areas import geometry
from areas.geometry import (
    MAP_FEATURE_MAX_VERTICES,
    GeometryError,
    count_vertices,
    map_tolerance,
    overlaps,
    parse_area_geometry,
    simplify_for_map,
)

from ..factories import square


def circle(vertices: int, *, lon=121.5, lat=31.2, radius=0.01, wave=0.0) -> dict:
    ring = []
    for n in range(vertices - 1):
        angle = 2 * math.pi * n / (vertices - 1)
        r = radius * (1 + wave * math.sin(37 * angle))
        ring.append([lon + r * math.cos(angle), lat + r * math.sin(angle)])
    return {"type": "Polygon", "coordinates": [[*ring, ring[0]]]}


def test_vertices_are_counted_over_every_ring_and_polygon():
    assert count_vertices(square(121, 31)) == 5
    outer, inner = square(121, 31, 1), square(121.2, 31.2, 0.1)
    holed = {"type": "Polygon", "coordinates": [*outer["coordinates"], *inner["coordinates"]]}
    assert count_vertices(holed) == 10
    multi = {"type": "MultiPolygon", "coordinates": [holed["coordinates"], [[[0, 0]] * 4]]}
    assert count_vertices(multi) == 14
    assert count_vertices({"type": "Polygon", "coordinates": "nonsense"}) == 0


def test_a_boundary_over_the_limit_is_refused_naming_it_before_shapely_builds_it(settings):
    settings.AREA_MAX_VERTICES = 1000
    parse_area_geometry(circle(1000))
    built = mock.patch.object(geometry, "shape", side_effect=AssertionError("built"))
    with built, pytest.raises(GeometryError) as refused:
        parse_area_geometry(circle(1001))
    assert str(refused.value).startswith("the boundary has 1,001 vertices; at most 1,000")
    assert "AREA_MAX_VERTICES" in str(refused.value)


def test_the_default_limit_is_above_every_real_boundary(shared_data, settings):
    import json

    for path in ("shanghai/districts.geojson", "charlottesville/beats.geojson"):
        features = json.loads((shared_data / path).read_text())["features"]
        largest = max(count_vertices(feature["geometry"]) for feature in features)
        assert largest * 100 < settings.AREA_MAX_VERTICES, path


def test_overlaps_are_measured_against_the_smaller_area():
    big = shape(square(121, 31, 1))
    inside = shape(square(121.5, 31.5, 0.1))
    beside = shape(square(122, 31, 1))  # touches along an edge only
    half = shape(square(121.95, 31, 0.1))
    found = overlaps(big, [("inside", inside), ("beside", beside), ("half", half)])
    assert [name for name, _ in found] == ["inside", "half"]
    assert found[0][1] == pytest.approx(1.0)
    assert found[1][1] == pytest.approx(0.5)
    assert overlaps(big, []) == []


def test_maps_receive_a_simpler_boundary_of_the_same_shape():
    stored = circle(20_000, wave=0.05)
    drawn = simplify_for_map(stored, 12)
    original, simple = shape(stored), shape(drawn)
    assert simple.is_valid
    assert 16 < count_vertices(drawn) < 2_000
    # No edge moves by more than about the tolerance (one pixel at that zoom).
    assert original.symmetric_difference(simple).area < original.length * map_tolerance(12)
    # More detail as the map zooms in.
    assert count_vertices(simplify_for_map(stored, 16)) > count_vertices(drawn)
    assert stored == circle(20_000, wave=0.05)


def test_no_map_feature_passes_the_vertex_cap_at_any_zoom():
    jagged = circle(40_000, wave=0.3)
    drawn = simplify_for_map(jagged, 20)
    assert count_vertices(drawn) <= MAP_FEATURE_MAX_VERTICES
    assert shapely.is_valid(shape(drawn))


def test_map_coordinates_are_rounded_to_six_decimals():
    drawn = simplify_for_map(square(121.123456789, 31.987654321), 12)
    assert drawn["coordinates"][0][0] == [121.123457, 31.987654]


def test_a_shape_of_more_parts_than_the_cap_holds_reaches_the_map_with_its_largest():
    # 2,000 squares of 5 coordinates: no simplification that keeps every ring gets them under
    # the cap, so the map gets the largest parts that fit.
    parts = [
        square(121 + (n % 50) * 0.01, 31 + (n // 50) * 0.01, 0.002 + 0.000001 * n)["coordinates"]
        for n in range(2_000)
    ]
    stored = {"type": "MultiPolygon", "coordinates": parts}

    drawn = simplify_for_map(stored, 20)

    assert 0 < count_vertices(drawn) <= MAP_FEATURE_MAX_VERTICES
    largest = max(shape(stored).geoms, key=lambda part: part.area)
    assert shape(drawn).intersects(largest)
