"""import_areas reads CSV with a WKT column and zipped shapefiles as it reads GeoJSON, and
refuses a file it cannot read before writing anything, saying why."""

import zipfile
from io import BytesIO, StringIO

import pytest
import shapefile
from django.core.management import CommandError, call_command
from shapely.geometry import shape

from areas.choices import AreaKind
from areas.models import Area

from ..factories import square
from .area_files import (
    UTM_17N_PRJ,
    beats,
    csv_bytes,
    feature,
    geojson_bytes,
    zipped_shapefile,
)

pytestmark = pytest.mark.django_db

BEAT_FLAGS = [
    "--kind=beat",
    "--code-field=BEAT_NO",
    "--name-field=NAME",
    "--parent-field=DISTRICT",
    "--parent-kind=district",
]
DISTRICT_FLAGS = ["--kind=district", "--code-field=code", "--name-field=name"]


def import_file(path, *flags) -> str:
    out = StringIO()
    call_command("import_areas", str(path), *flags, stdout=out, stderr=StringIO())
    return out.getvalue()


def refused(path, *flags) -> str:
    with pytest.raises(CommandError) as caught:
        import_file(path, *flags)
    assert Area.objects.count() == 0
    return str(caught.value)


def assert_beats_imported_as_in_the_file(features):
    stored = {beat.code: beat for beat in Area.objects.filter(kind=AreaKind.BEAT)}
    assert set(stored) == {item["properties"]["BEAT_NO"] for item in features}
    for item in features:
        beat = stored[item["properties"]["BEAT_NO"]]
        assert beat.name == item["properties"]["NAME"]
        assert beat.parent.code == str(item["properties"]["DISTRICT"])
        # A shapefile winds its rings the other way round: the same shape, normalized.
        stored_shape, read_shape = shape(beat.geometry), shape(item["geometry"])
        assert stored_shape.normalize().equals_exact(read_shape.normalize(), 1e-9)
    districts = {str(item["properties"]["DISTRICT"]) for item in features}
    assert set(Area.objects.filter(kind=AreaKind.DISTRICT).values_list("code", flat=True)) == (
        districts
    )


def test_beats_as_csv_with_a_wkt_column_import_as_the_geojson_does(shared_data, tmp_path):
    features = beats(shared_data)
    path = tmp_path / "beats.csv"
    path.write_bytes(csv_bytes(features, ["BEAT_NO", "NAME", "DISTRICT"]))
    output = import_file(path, *BEAT_FLAGS)
    assert f"{len(features)} created" in output
    assert_beats_imported_as_in_the_file(features)


def test_beats_as_a_zipped_shapefile_import_as_the_geojson_does(shared_data, tmp_path):
    features = beats(shared_data)
    path = tmp_path / "beats.zip"
    path.write_bytes(zipped_shapefile(features, ["BEAT_NO", "NAME", "DISTRICT"]))
    output = import_file(path, *BEAT_FLAGS)
    assert f"{len(features)} created" in output
    assert "note:" not in output  # a WGS84 .prj, UTF-8 attributes: nothing to tell
    assert_beats_imported_as_in_the_file(features)


def test_a_shapefile_polygon_keeps_its_hole(tmp_path):
    outer = [[121, 31], [121, 32], [122, 32], [122, 31], [121, 31]]
    hole = [[121.2, 31.2], [121.4, 31.2], [121.4, 31.4], [121.2, 31.4], [121.2, 31.2]]
    ring_with_hole = {"type": "Polygon", "coordinates": [outer, hole]}
    path = tmp_path / "holed.zip"
    path.write_bytes(zipped_shapefile([feature("H", ring_with_hole)], ["code", "name"]))
    import_file(path, *DISTRICT_FLAGS)
    stored = shape(Area.objects.get(code="H").geometry)
    assert stored.geom_type == "Polygon" and len(stored.interiors) == 1
    assert stored.area == pytest.approx(shape(ring_with_hole).area)
    assert not stored.contains(shape(square(121.25, 31.25, 0.05)))


def test_a_multipart_shapefile_polygon_becomes_a_multipolygon(tmp_path):
    parts = [square(121, 31)["coordinates"], square(121.5, 31)["coordinates"]]
    two_parts = {"type": "MultiPolygon", "coordinates": parts}
    path = tmp_path / "islands.zip"
    path.write_bytes(zipped_shapefile([feature("M", two_parts)], ["code", "name"]))
    import_file(path, *DISTRICT_FLAGS)
    stored = shape(Area.objects.get(code="M").geometry)
    assert stored.geom_type == "MultiPolygon" and len(stored.geoms) == len(parts)
    assert stored.area == pytest.approx(shape(two_parts).area)


def test_a_shapefile_in_a_projected_system_is_refused(tmp_path):
    path = tmp_path / "utm.zip"
    path.write_bytes(
        zipped_shapefile([feature("A", square(121, 31))], ["code", "name"], prj=UTM_17N_PRJ)
    )
    message = refused(path, *DISTRICT_FLAGS)
    assert "PROJCS 'WGS_1984_UTM_Zone_17N'" in message and "only WGS84" in message


def test_a_shapefile_without_prj_is_taken_as_wgs84_and_says_so(tmp_path):
    path = tmp_path / "bare.zip"
    path.write_bytes(zipped_shapefile([feature("A", square(121, 31))], ["code", "name"], prj=None))
    output = import_file(path, *DISTRICT_FLAGS)
    assert "note: no .prj in the zip: coordinates taken as WGS84" in output
    assert Area.objects.filter(code="A").exists()


def test_chinese_shapefile_attributes_in_gb18030_are_read(tmp_path):
    names = ["浦东新区", "闵行区"]
    features = [feature(str(n), square(121 + n, 31), name=name) for n, name in enumerate(names)]
    path = tmp_path / "gbk.zip"
    path.write_bytes(zipped_shapefile(features, ["code", "name"], encoding="gb18030"))
    output = import_file(path, *DISTRICT_FLAGS)
    assert sorted(Area.objects.values_list("name", flat=True)) == sorted(names)
    assert "note: attributes read as gb18030" in output


def test_the_encoding_a_cpg_declares_is_tried_first(tmp_path):
    # "Big5" text of these names would read as GB18030 too, wrongly: the .cpg decides.
    features = [feature("1", square(121, 31), name="臺北市")]
    path = tmp_path / "big5.zip"
    path.write_bytes(zipped_shapefile(features, ["code", "name"], encoding="big5", cpg="BIG5"))
    output = import_file(path, *DISTRICT_FLAGS)
    assert Area.objects.get(code="1").name == "臺北市"
    assert "note: attributes read as big5" in output


def test_heights_in_wkt_are_dropped(tmp_path):
    path = tmp_path / "z.csv"
    path.write_text(
        'code,name,WKT\nA,区A,"POLYGON Z((121 31 5,122 31 5,122 32 5,121 32 5,121 31 5))"\n',
        encoding="utf-8",
    )
    import_file(path, *DISTRICT_FLAGS)
    ring = Area.objects.get(code="A").geometry["coordinates"][0]
    assert ring[0] == [121.0, 31.0] and {len(point) for point in ring} == {2}


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gb18030"])
def test_a_chinese_csv_is_read_in_its_encoding(tmp_path, encoding):
    features = [feature("310115", square(121.5, 31.2), name="浦东新区")]
    path = tmp_path / "districts.csv"
    path.write_bytes(csv_bytes(features, ["code", "name"], encoding=encoding))
    output = import_file(path, *DISTRICT_FLAGS)
    assert Area.objects.get(code="310115").name == "浦东新区"
    assert f"read as {encoding}" in output


def test_a_semicolon_csv_with_another_wkt_column_is_read(tmp_path):
    features = [feature("A", square(121, 31)), feature("B", square(122, 31))]
    path = tmp_path / "areas.csv"
    path.write_bytes(csv_bytes(features, ["code", "name"], wkt_column="geom", delimiter=";"))
    import_file(path, *DISTRICT_FLAGS, "--wkt-field=geom")
    assert sorted(Area.objects.values_list("code", flat=True)) == ["A", "B"]


def test_a_zip_that_is_not_a_zip_is_refused(tmp_path):
    path = tmp_path / "areas.zip"
    path.write_bytes(geojson_bytes([feature("A", square(121, 31))]))
    assert "not a zip archive" in refused(path, *DISTRICT_FLAGS)


def test_a_zip_without_a_shp_is_refused_naming_what_it_holds(tmp_path):
    archive = BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("readme.txt", "boundaries to follow")
        zipped.writestr("areas.dbf", b"")
    path = tmp_path / "areas.zip"
    path.write_bytes(archive.getvalue())
    message = refused(path, *DISTRICT_FLAGS)
    assert "the zip holds no .shp file (it holds readme.txt, areas.dbf)" in message


def test_a_shapefile_of_points_is_refused(tmp_path):
    point = {"type": "Point", "coordinates": [121, 31]}
    path = tmp_path / "points.zip"
    path.write_bytes(
        zipped_shapefile([feature("P", point)], ["code", "name"], shape_type=shapefile.POINT)
    )
    assert "holds POINT shapes, not polygons" in refused(path, *DISTRICT_FLAGS)


def test_a_csv_without_the_wkt_column_is_refused_naming_its_columns(tmp_path):
    path = tmp_path / "areas.csv"
    path.write_text("code,name,boundary\nA,区A,POLYGON((0 0,1 0,1 1,0 0))\n", encoding="utf-8")
    message = refused(path, *DISTRICT_FLAGS)
    assert "no column 'WKT' with the WKT boundary (columns: code, name, boundary)" in message


def test_a_csv_without_the_code_column_is_refused_naming_its_columns(tmp_path):
    path = tmp_path / "areas.csv"
    path.write_bytes(csv_bytes([feature("A", square(121, 31))], ["name"]))
    assert "no column 'code' (columns: name, WKT)" in refused(path, *DISTRICT_FLAGS)


def test_invalid_wkt_is_refused_naming_its_row(tmp_path):
    good = square(121, 31)
    path = tmp_path / "areas.csv"
    body = csv_bytes([feature("A", good), feature("B", good)], ["code", "name"]).decode()
    path.write_text(body + "C,区C,POLYGON((121 31, 122 31\n", encoding="utf-8")
    message = refused(path, *DISTRICT_FLAGS)
    assert "row 3 (line 4): invalid WKT in column 'WKT'" in message


@pytest.mark.parametrize("name", ["empty.geojson", "empty.csv", "empty.zip"])
def test_an_empty_file_is_refused(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(b"")
    assert "the file is empty" in refused(path, *DISTRICT_FLAGS)


def test_a_csv_of_a_header_alone_has_no_features(tmp_path):
    path = tmp_path / "header.csv"
    path.write_text("code,name,WKT\n", encoding="utf-8")
    assert "the file has no features" in refused(path, *DISTRICT_FLAGS)


def test_a_file_in_no_known_encoding_says_what_was_tried(tmp_path):
    path = tmp_path / "latin.csv"
    # 0x80 and 0xFF start no character in UTF-8 or GB18030.
    path.write_bytes(b"code,name,WKT\nA,\x80\xff,POLYGON((0 0,1 0,1 1,0 0))\n")
    message = refused(path, *DISTRICT_FLAGS)
    assert "tried utf-8, utf-8-sig, gb18030" in message


def test_a_shp_without_its_dbf_is_refused(tmp_path):
    whole = zipped_shapefile([feature("A", square(121, 31))], ["code", "name"])
    archive = BytesIO()
    with zipfile.ZipFile(BytesIO(whole)) as source, zipfile.ZipFile(archive, "w") as target:
        for name in source.namelist():
            if not name.endswith(".dbf"):
                target.writestr(name, source.read(name))
    path = tmp_path / "areas.zip"
    path.write_bytes(archive.getvalue())
    assert "areas/areas.shp has no .dbf beside it" in refused(path, *DISTRICT_FLAGS)


def test_a_damaged_zip_is_refused(tmp_path):
    whole = zipped_shapefile([feature("A", square(121, 31))], ["code", "name"])
    with zipfile.ZipFile(BytesIO(whole)) as source:
        dbf = source.read("areas/areas.dbf")
    # A byte of the stored .dbf changed: its checksum no longer holds.
    offset = whole.index(dbf) + len(dbf) // 2
    damaged = whole[:offset] + bytes([whole[offset] ^ 0xFF]) + whole[offset + 1 :]
    path = tmp_path / "areas.zip"
    path.write_bytes(damaged)
    assert "not a zip archive that can be read (Bad CRC-32" in refused(path, *DISTRICT_FLAGS)
