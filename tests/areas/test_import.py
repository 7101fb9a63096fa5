import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from shapely.geometry import Point, shape

from areas.choices import AreaKind
from areas.models import Area
from areas.services import AreaImportError, areas_import_features, areas_import_file
from safecity.core import crs
from tests.conftest import PEARL_TOWER_GCJ02

from ..factories import square

pytestmark = pytest.mark.django_db


def import_beats(path):
    out = StringIO()
    call_command(
        "import_areas",
        str(path),
        "--kind=beat",
        "--code-field=BEAT_NO",
        "--name-field=NAME",
        "--parent-field=DISTRICT",
        "--parent-kind=district",
        stdout=out,
    )
    return out.getvalue()


def test_charlottesville_beats_import_with_their_districts(shared_data):
    path = shared_data / "charlottesville" / "beats.geojson"
    features = json.loads(path.read_text())["features"]
    output = import_beats(path)

    beats = Area.objects.filter(kind=AreaKind.BEAT)
    districts = Area.objects.filter(kind=AreaKind.DISTRICT)
    assert beats.count() == len(features) == 33
    assert districts.count() == len({f["properties"]["DISTRICT"] for f in features}) == 8
    assert "33 created" in output and "8 parents created" in output
    belmont = beats.get(code="10")
    assert belmont.name == "Belmont"
    assert belmont.parent.code == str(features[0]["properties"]["DISTRICT"])
    assert all(beat.path.startswith(beat.parent.path) for beat in beats.select_related("parent"))


def test_parent_geometry_is_the_union_of_its_children(shared_data):
    from shapely.geometry import shape

    import_beats(shared_data / "charlottesville" / "beats.geojson")
    district = Area.objects.filter(kind=AreaKind.DISTRICT).first()
    children = [shape(child.geometry) for child in district.children.all()]
    union = shape(district.geometry)
    assert district.geometry_derived
    assert all(union.buffer(1e-9).covers(child) for child in children)
    assert union.area == pytest.approx(sum(child.area for child in children), rel=1e-3)


def test_reimport_updates_and_never_duplicates(shared_data):
    path = shared_data / "charlottesville" / "beats.geojson"
    import_beats(path)
    ids_before = set(Area.objects.values_list("id", flat=True))
    output = import_beats(path)
    assert set(Area.objects.values_list("id", flat=True)) == ids_before
    assert "0 created, 0 updated, 33 unchanged, 0 parents created" in output


def test_shanghai_districts_import(shared_data):
    out = StringIO()
    call_command(
        "import_areas",
        str(shared_data / "shanghai" / "districts.geojson"),
        "--kind=district",
        "--code-field=adcode",
        "--name-field=name",
        stdout=out,
    )
    assert Area.objects.filter(kind=AreaKind.DISTRICT).count() == 16
    assert Area.objects.get(code="310112").name == "闵行区"


def bowtie() -> dict:
    return {
        "type": "Polygon",
        "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]],
    }


def feature(code, geometry):
    return {
        "type": "Feature",
        "properties": {"code": code, "name": f"区{code}"},
        "geometry": geometry,
    }


def test_self_intersecting_geometry_rejects_the_whole_file():
    features = [
        feature("A", square(121, 31)),
        feature("B", bowtie()),
        feature("C", square(122, 31)),
    ]
    with pytest.raises(AreaImportError) as caught:
        areas_import_features(
            features=features, kind=AreaKind.DISTRICT, code_field="code", name_field="name"
        )
    assert len(caught.value.problems) == 1
    assert caught.value.problems[0].startswith(
        "feature 2 (B 区B): invalid geometry: Self-intersection"
    )
    assert Area.objects.count() == 0


def test_out_of_range_coordinates_are_named():
    features = [feature("A", square(121, 89.95))]
    with pytest.raises(AreaImportError, match=r"feature 1 \(A 区A\): coordinates out of range"):
        areas_import_features(
            features=features, kind=AreaKind.DISTRICT, code_field="code", name_field="name"
        )
    assert Area.objects.count() == 0


def test_command_reports_every_bad_feature_and_saves_nothing(tmp_path):
    point = {"type": "Point", "coordinates": [121, 31]}
    path = tmp_path / "bad.geojson"
    path.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    feature("A", square(121, 31)),
                    feature("B", point),
                    feature("C", bowtie()),
                ],
            }
        )
    )
    with pytest.raises(CommandError) as caught:
        call_command(
            "import_areas", str(path), "--kind=district", "--code-field=code", "--name-field=name"
        )
    message = str(caught.value)
    assert (
        "feature 2 (B 区B): geometry type must be Polygon or MultiPolygon, not 'Point'" in message
    )
    assert "feature 3 (C 区C): invalid geometry" in message
    assert Area.objects.count() == 0


def test_command_refuses_a_file_that_is_not_geojson(tmp_path):
    path = tmp_path / "broken.geojson"
    path.write_bytes(b"\xff\xfe not json")
    with pytest.raises(CommandError, match="not UTF-8"):
        call_command(
            "import_areas", str(path), "--kind=district", "--code-field=c", "--name-field=n"
        )


def test_missing_code_property_is_reported():
    features = [{"type": "Feature", "properties": {"name": "x"}, "geometry": square(121, 31)}]
    with pytest.raises(AreaImportError, match="feature 1: property 'code' is missing"):
        areas_import_features(
            features=features, kind=AreaKind.DISTRICT, code_field="code", name_field="name"
        )


def test_every_overlapping_or_oversized_feature_is_reported_and_nothing_saved(settings):
    settings.AREA_MAX_VERTICES = 100
    ring = [[121 + 0.001 * n, 31 + 0.01 * (n % 2)] for n in range(150)]
    oversized = {"type": "Polygon", "coordinates": [[*ring, [121.149, 30.9], [121, 30.9], ring[0]]]}
    features = [
        feature("A", square(121, 31, 1)),
        feature("B", square(121.5, 31.5, 1)),  # a quarter of A
        feature("C", square(123, 31, 1)),
        feature("D", square(123.1, 31.1, 0.5)),  # inside C
        feature("E", oversized),
    ]
    with pytest.raises(AreaImportError) as caught:
        areas_import_features(
            features=features, kind=AreaKind.DISTRICT, code_field="code", name_field="name"
        )
    assert caught.value.problems == [
        "feature 5 (E 区E): the boundary has 153 vertices; at most 100 are accepted "
        "(AREA_MAX_VERTICES): simplify it first"
    ]
    with pytest.raises(AreaImportError) as caught:
        areas_import_features(
            features=features[:4], kind=AreaKind.DISTRICT, code_field="code", name_field="name"
        )
    problems = caught.value.problems
    assert len(problems) == 2
    assert problems[0].startswith("feature 2 (B 区B): 与同级辖区重叠：区A 25.0%")
    assert problems[1].startswith("feature 4 (D 区D): 与同级辖区重叠：区C 100.0%")
    assert Area.objects.count() == 0


def test_command_warns_of_a_small_overlap_naming_the_sibling(tmp_path):
    path = tmp_path / "slightly.geojson"
    path.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [feature("A", square(121, 31, 1)), feature("B", square(121.99, 31, 1))],
            }
        )
    )
    out, err = StringIO(), StringIO()
    call_command(
        "import_areas", str(path), "--kind=district", "--code-field=code", "--name-field=name",
        stdout=out, stderr=err,
    )  # fmt: skip
    assert "2 created" in out.getvalue()
    assert "warning: feature 2 (B 区B): 与同级辖区区A略有重叠（1.0%）。" in err.getvalue()


def test_boundaries_drawn_in_gcj02_are_stored_in_wgs84(tmp_path, city):
    # A square of about 140 m round the Oriental Pearl Tower as AutoNavi draws it; in WGS84 the
    # tower, and so the square, lie about 430 m further west.
    west, south, east, north = 121.4990, 31.2390, 121.5005, 31.2405
    ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
    feature = {
        "type": "Feature",
        "properties": {"code": "PEARL", "name": "东方明珠"},
        "geometry": {"type": "Polygon", "coordinates": [ring]},
    }
    path = tmp_path / "tower.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}))
    call_command(
        "import_areas", str(path), "--kind=station", "--code-field=code", "--name-field=name",
        "--parent=CITY", "--crs=gcj02", stdout=StringIO(),
    )  # fmt: skip
    stored = shape(Area.objects.get(code="PEARL").geometry)
    assert stored.contains(Point(*crs.gcj02_to_wgs84(*PEARL_TOWER_GCJ02)))
    assert not stored.contains(Point(*PEARL_TOWER_GCJ02))


def test_an_unknown_coordinate_system_is_refused(tmp_path, city):
    with pytest.raises(AreaImportError, match="coordinate system"):
        areas_import_file(content=b"{}", filename="x.geojson", crs="epsg3857", kind="district")
