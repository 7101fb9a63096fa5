import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from safecity.core import crs
from safecity.core.crs import Crs

# Inside mainland China, away from the box's edges where GCJ-02 stops applying.
china_lon = st.floats(min_value=75.0, max_value=134.0)
china_lat = st.floats(min_value=18.0, max_value=53.0)


def metres_between(a, b) -> float:
    """Equirectangular distance, plenty for points metres apart."""
    mean_lat = math.radians((a[1] + b[1]) / 2)
    dx = math.radians(b[0] - a[0]) * math.cos(mean_lat)
    dy = math.radians(b[1] - a[1])
    return 6_371_000 * math.hypot(dx, dy)


@pytest.mark.parametrize("system", [Crs.GCJ02, Crs.BD09])
@given(lon=china_lon, lat=china_lat)
def test_round_trip_through_a_chinese_system_stays_within_a_metre(system, lon, lat):
    shifted = crs.from_wgs84(lon, lat, system)
    assert metres_between((lon, lat), crs.to_wgs84(*shifted, system)) < 1.0


@pytest.mark.parametrize("system", [Crs.GCJ02, Crs.BD09])
@given(lon=china_lon, lat=china_lat)
def test_conversion_moves_a_point_in_china_by_tens_to_hundreds_of_metres(system, lon, lat):
    assert 1 < metres_between((lon, lat), crs.from_wgs84(lon, lat, system)) < 2_000


@pytest.mark.parametrize(
    ("wgs84", "gcj02"),
    [
        # Beijing railway station and Tiananmen, as the eviltransform documentation gives them.
        ((116.42079, 39.90105), (116.42703, 39.90245)),
        ((116.39089, 39.90734), (116.39713, 39.90874)),
        # wandergis/coordtransform's README example.
        ((116.404, 39.915), (116.41024449916938, 39.91640428150164)),
    ],
)
def test_wgs84_to_gcj02_matches_published_pairs(wgs84, gcj02):
    assert crs.wgs84_to_gcj02(*wgs84) == pytest.approx(gcj02, abs=1e-5)
    assert crs.gcj02_to_wgs84(*gcj02) == pytest.approx(wgs84, abs=1e-5)


def test_gcj02_to_bd09_matches_published_pair():
    # wandergis/coordtransform's README example.
    bd09 = (116.41036949371029, 39.92133699351021)
    assert crs.gcj02_to_bd09(116.404, 39.915) == pytest.approx(bd09, abs=1e-9)
    assert crs.bd09_to_gcj02(*bd09) == pytest.approx((116.404, 39.915), abs=1e-8)


def test_gcj02_inverse_is_exact_where_the_one_step_approximation_is_not():
    wgs84 = crs.gcj02_to_wgs84(116.404, 39.915)
    assert crs.wgs84_to_gcj02(*wgs84) == pytest.approx((116.404, 39.915), abs=1e-8)


@pytest.mark.parametrize("system", [Crs.GCJ02, Crs.BD09])
@pytest.mark.parametrize("point", [(-0.1276, 51.5072), (139.7671, 35.6812), (151.2, -33.9)])
def test_points_outside_china_pass_unchanged(system, point):
    assert crs.from_wgs84(*point, system) == point
    assert crs.to_wgs84(*point, system) == point


def test_wgs84_is_left_as_it_is():
    assert crs.to_wgs84(121.47, 31.23, "wgs84") == (121.47, 31.23)


def test_unknown_system_is_refused():
    with pytest.raises(ValueError):
        crs.to_wgs84(121.47, 31.23, "epsg3857")


def test_geometry_conversion_converts_every_position_and_keeps_the_rest():
    ring = [[121.4, 31.2], [121.5, 31.2], [121.5, 31.3], [121.4, 31.2]]
    feature = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"name": "x"},
                "geometry": {"type": "MultiPolygon", "coordinates": [[ring]]},
            },
            {
                "type": "Feature",
                "properties": {},
                "geometry": {"type": "Point", "coordinates": [121.4, 31.2, 7.0]},
            },
        ],
    }
    converted = crs.geometry_to_wgs84(feature, "gcj02")
    polygon, point = (item["geometry"] for item in converted["features"])
    assert polygon["coordinates"][0][0][1] == list(crs.gcj02_to_wgs84(121.5, 31.2))
    assert point["coordinates"] == [*crs.gcj02_to_wgs84(121.4, 31.2), 7.0]
    assert converted["features"][0]["properties"] == {"name": "x"}
    assert feature["features"][1]["geometry"]["coordinates"] == [121.4, 31.2, 7.0]
    back = crs.geometry_from_wgs84(converted, "gcj02")
    assert back["features"][1]["geometry"]["coordinates"] == pytest.approx([121.4, 31.2, 7.0])
