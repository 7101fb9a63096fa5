"""The demo city's district boundaries come drawn in GCJ-02 and are kept in WGS84."""

import json

import pytest
from shapely.geometry import Point, shape

from areas.choices import AreaKind
from areas.models import Area
from demo.areas import DISTRICTS_FILE, build_demo_areas
from demo.station_names import PLACE_POINTS, STATION_NAMES_BY_DISTRICT
from safecity.core.crs import gcj02_to_wgs84
from tests.conftest import PEARL_TOWER_GCJ02

pytestmark = pytest.mark.django_db

# 曹路镇's centre, WGS84.
CAOLU_WGS84 = (121.67, 31.28)


def test_the_demo_districts_are_converted_from_gcj02_to_wgs84():
    build_demo_areas(seed=1)
    features = json.loads(DISTRICTS_FILE.read_text(encoding="utf-8"))["features"]
    drawn = next(f for f in features if str(f["properties"]["adcode"]) == "310115")
    pudong = shape(Area.objects.get(code="310115").geometry)
    drawn_vertex = shape(drawn["geometry"]).geoms[0].exterior.coords[0]
    kept_vertices = {tuple(round(v, 6) for v in xy) for xy in pudong.geoms[0].exterior.coords}
    assert tuple(round(v, 6) for v in gcj02_to_wgs84(*drawn_vertex)) in kept_vertices
    assert pudong.contains(Point(*gcj02_to_wgs84(*PEARL_TOWER_GCJ02)))  # 陆家嘴 is in 浦东


def test_every_demo_station_lies_in_the_district_its_name_belongs_to():
    build_demo_areas(seed=1)
    districts = {d.code: shape(d.geometry) for d in Area.objects.filter(kind=AreaKind.DISTRICT)}
    table = STATION_NAMES_BY_DISTRICT
    names = {code: {f"{zh}派出所" for zh, _ in stems} for code, stems in table.items()}
    for station in Area.objects.filter(kind=AreaKind.STATION):
        centroid = shape(station.geometry).representative_point()
        containing = next(code for code, geom in districts.items() if geom.contains(centroid))
        assert station.name in names[containing], (station.name, containing)


def test_caolu_lies_in_pudong():
    build_demo_areas(seed=1)
    pudong = shape(Area.objects.get(kind=AreaKind.DISTRICT, code="310115").geometry)
    assert pudong.contains(Point(*CAOLU_WGS84))


def test_a_point_at_caolu_lies_in_caolu_station():
    build_demo_areas(seed=1)
    station = Area.objects.get(kind=AreaKind.STATION, name="曹路派出所")
    assert station.parent.code == "310115"
    assert shape(station.geometry).contains(Point(*CAOLU_WGS84))


def test_every_known_place_lies_in_the_station_named_for_it():
    build_demo_areas(seed=1)
    for place, point in PLACE_POINTS.items():
        station = Area.objects.get(kind=AreaKind.STATION, name=f"{place}派出所")
        assert shape(station.geometry).contains(Point(*point)), place
