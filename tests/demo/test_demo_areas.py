"""The demo city's district boundaries come drawn in GCJ-02 and are kept in WGS84."""

import json

import pytest
from shapely.geometry import Point, shape

from areas.models import Area
from demo.areas import DISTRICTS_FILE, build_demo_areas
from safecity.core.crs import gcj02_to_wgs84
from tests.conftest import PEARL_TOWER_GCJ02

pytestmark = pytest.mark.django_db


def test_the_demo_districts_are_converted_from_gcj02_to_wgs84():
    build_demo_areas(seed=1)
    features = json.loads(DISTRICTS_FILE.read_text(encoding="utf-8"))["features"]
    drawn = next(f for f in features if str(f["properties"]["adcode"]) == "310115")
    pudong = shape(Area.objects.get(code="310115").geometry)
    drawn_vertex = shape(drawn["geometry"]).geoms[0].exterior.coords[0]
    kept_vertices = {tuple(round(v, 6) for v in xy) for xy in pudong.geoms[0].exterior.coords}
    assert tuple(round(v, 6) for v in gcj02_to_wgs84(*drawn_vertex)) in kept_vertices
    assert pudong.contains(Point(*gcj02_to_wgs84(*PEARL_TOWER_GCJ02)))  # 陆家嘴 is in 浦东
