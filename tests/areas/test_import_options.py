"""import_areas' options: one parent for all, parent codes matched whatever their leading
zeros and spaces, created parents named, --no-create-parents, --merge-duplicates."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from shapely.geometry import shape
from shapely.ops import unary_union

from areas.choices import AreaKind
from areas.codes import code_matches, normalize_code
from areas.models import Area

from ..factories import AreaFactory, square
from .area_files import beats, csv_bytes, feature, geojson_bytes, zipped_shapefile

pytestmark = pytest.mark.django_db

BEAT_FLAGS = ["--kind=beat", "--code-field=BEAT_NO", "--name-field=NAME"]
DISTRICT_FLAGS = ["--kind=district", "--code-field=code", "--name-field=name"]


def write(tmp_path, features, name="areas.geojson"):
    path = tmp_path / name
    path.write_bytes(geojson_bytes(features))
    return path


def import_file(path, *flags) -> str:
    out = StringIO()
    call_command("import_areas", str(path), *flags, stdout=out, stderr=StringIO())
    return out.getvalue()


def district_numbers(features) -> list[int]:
    return sorted({int(item["properties"]["DISTRICT"]) for item in features})


def respelled(features, spelling: str) -> list[dict]:
    """The beats with their DISTRICT written as ``spelling`` formats it ("0{}" → "01")."""
    copies = json.loads(json.dumps(features))
    for item in copies:
        item["properties"]["DISTRICT"] = spelling.format(item["properties"]["DISTRICT"])
    return copies


@pytest.mark.parametrize(
    ("code", "normalized"),
    [("01", "1"), (" 1 ", "1"), (1, "1"), ("001", "1"), ("0", "0"), ("00", "0"), ("A01", "A01")],
)
def test_normalize_code_drops_leading_zeros_and_spaces(code, normalized):
    assert normalize_code(code) == normalized


def test_the_database_lookup_matches_codes_as_normalize_code_does():
    stored = ["1", "10", "01A", "0", "A01", "100"]
    for n, code in enumerate(stored):
        AreaFactory(kind=AreaKind.DISTRICT, code=code, geometry=square(10 * n, 0, 1))
    for asked in ["01", " 1 ", "010", "1A", "00", "A01", "0100", "2"]:
        matched = set(Area.objects.filter(code_matches(asked)).values_list("code", flat=True))
        assert matched == {code for code in stored if normalize_code(code) == normalize_code(asked)}


@pytest.mark.parametrize("spelling", ["0{}", " {} ", "00{} "])
def test_parent_codes_find_existing_districts_whatever_their_zeros_and_spaces(
    shared_data, tmp_path, spelling
):
    features = beats(shared_data)
    numbers = district_numbers(features)
    districts = {
        str(n): AreaFactory(kind=AreaKind.DISTRICT, code=str(n), geometry=square(10 * n, 0, 1))
        for n in numbers
    }
    path = write(tmp_path, respelled(features, spelling))
    output = import_file(path, *BEAT_FLAGS, "--parent-field=DISTRICT", "--no-create-parents")

    assert f"{len(features)} created" in output and "0 parents created" in output
    assert Area.objects.filter(kind=AreaKind.DISTRICT).count() == len(numbers)
    for item in features:
        beat = Area.objects.get(kind=AreaKind.BEAT, code=item["properties"]["BEAT_NO"])
        assert beat.parent == districts[str(item["properties"]["DISTRICT"])]


def test_reimport_with_zero_padded_parents_creates_no_new_districts(shared_data, tmp_path):
    features = beats(shared_data)
    import_file(write(tmp_path, features, "plain.geojson"), *BEAT_FLAGS,
                "--parent-field=DISTRICT", "--parent-kind=district")  # fmt: skip
    ids_before = set(Area.objects.values_list("id", flat=True))

    path = write(tmp_path, respelled(features, "0{}"), "padded.geojson")
    output = import_file(path, *BEAT_FLAGS, "--parent-field=DISTRICT", "--parent-kind=district")

    assert set(Area.objects.values_list("id", flat=True)) == ids_before
    # The beats are the same ones; only their stored properties take the new spelling.
    assert f"0 created, {len(features)} updated, 0 unchanged, 0 parents created" in output
    assert {beat.properties["DISTRICT"] for beat in Area.objects.filter(kind=AreaKind.BEAT)} == {
        f"0{n}" for n in district_numbers(features)
    }
    codes = Area.objects.filter(kind=AreaKind.DISTRICT).values_list("code", flat=True)
    assert sorted(codes, key=int) == [str(n) for n in district_numbers(features)]


def test_the_summary_names_every_parent_the_import_created(shared_data, tmp_path):
    features = beats(shared_data)
    numbers = district_numbers(features)
    AreaFactory(kind=AreaKind.DISTRICT, code=str(numbers[0]), geometry=square(0, 0, 1))
    path = write(tmp_path, features)
    output = import_file(path, *BEAT_FLAGS, "--parent-field=DISTRICT", "--parent-kind=district")

    created = [str(n) for n in numbers[1:]]
    assert f"{len(created)} parents created" in output
    assert f"parents created: {', '.join(f'district {code}' for code in created)}" in output


def test_no_create_parents_refuses_the_file_naming_every_missing_parent(shared_data, tmp_path):
    features = beats(shared_data)
    numbers = district_numbers(features)
    present, missing = numbers[: len(numbers) // 2], numbers[len(numbers) // 2 :]
    for n in present:
        AreaFactory(kind=AreaKind.DISTRICT, code=str(n), geometry=square(10 * n, 0, 1))
    path = write(tmp_path, features)
    with pytest.raises(CommandError) as caught:
        import_file(path, *BEAT_FLAGS, "--parent-field=DISTRICT", "--no-create-parents")

    assert f"not created: {', '.join(repr(str(n)) for n in missing)}" in str(caught.value)
    assert Area.objects.count() == len(present)


def test_a_constant_parent_takes_every_feature(shared_data, tmp_path):
    features = beats(shared_data)
    city = AreaFactory(kind=AreaKind.CITY, code="CVL", geometry=square(-79, 37, 2))
    output = import_file(write(tmp_path, features), *BEAT_FLAGS, "--parent= CVL ")

    assert f"{len(features)} created, 0 updated, 0 unchanged, 0 parents created" in output
    assert Area.objects.filter(parent=city, kind=AreaKind.BEAT).count() == len(features)


def test_a_missing_constant_parent_is_created_around_its_children(shared_data, tmp_path):
    features = beats(shared_data)
    output = import_file(
        write(tmp_path, features), *BEAT_FLAGS, "--parent=CVL", "--parent-kind=city"
    )

    city = Area.objects.get(kind=AreaKind.CITY)
    assert "1 parents created" in output and "parents created: city CVL" in output
    assert city.code == "CVL" and city.geometry_derived
    assert city.children.count() == len(features)
    union = unary_union([shape(item["geometry"]) for item in features])
    assert shape(city.geometry).area == pytest.approx(union.area, rel=1e-6)


def test_parent_field_and_constant_parent_exclude_each_other(tmp_path):
    path = write(tmp_path, [feature("A", square(121, 31))])
    with pytest.raises(CommandError, match="not allowed with argument"):
        import_file(path, *DISTRICT_FLAGS, "--parent-field=city", "--parent=SH")


def test_repeated_codes_are_refused_naming_their_positions(tmp_path):
    features = [
        feature("A", square(121, 31)),
        feature("B", square(122, 31)),
        feature("07", square(123, 31)),
        feature("A", square(124, 31)),
        feature("7", square(125, 31)),
    ]
    with pytest.raises(CommandError) as caught:
        import_file(write(tmp_path, features), *DISTRICT_FLAGS)
    message = str(caught.value)
    assert "code 'A' repeated in features 1, 4: refused" in message
    assert "code '07' / '7' repeated in features 3, 5: refused" in message
    assert Area.objects.count() == 0


def test_merge_duplicates_joins_the_boundaries_of_a_repeated_code(tmp_path):
    west, east = square(121, 31), square(121.5, 31)
    features = [feature("A", west), feature("B", square(122, 31)), feature("A", east)]
    output = import_file(write(tmp_path, features), *DISTRICT_FLAGS, "--merge-duplicates")

    assert "2 created" in output and "code 'A' repeated in features 1, 3: merged" in output
    merged = shape(Area.objects.get(code="A").geometry)
    assert merged.geom_type == "MultiPolygon"
    assert merged.area == pytest.approx(shape(west).area + shape(east).area)


def test_merged_beats_make_their_districts(shared_data, tmp_path):
    features = beats(shared_data)
    path = write(tmp_path, features)
    output = import_file(path, "--kind=district", "--code-field=DISTRICT",
                         "--name-field=DISTRICT", "--merge-duplicates")  # fmt: skip

    numbers = district_numbers(features)
    assert f"{len(numbers)} created" in output
    for n in numbers:
        district = Area.objects.get(kind=AreaKind.DISTRICT, code=str(n))
        own = [shape(item["geometry"]) for item in features if item["properties"]["DISTRICT"] == n]
        assert shape(district.geometry).area == pytest.approx(unary_union(own).area, rel=1e-9)


def test_reimport_finds_an_area_whose_code_lost_its_leading_zero(tmp_path):
    AreaFactory(kind=AreaKind.DISTRICT, code="9", name="旧名", geometry=square(121, 31))
    output = import_file(write(tmp_path, [feature("09", square(121, 31), name="新名")]),
                         *DISTRICT_FLAGS)  # fmt: skip

    assert "0 created, 1 updated" in output
    assert list(Area.objects.values_list("code", "name")) == [("9", "新名")]


def test_a_missing_parent_without_a_parent_kind_is_refused(tmp_path):
    path = write(tmp_path, [feature("A", square(121, 31), city="SH")])
    with pytest.raises(CommandError, match=r"parents missing: 'SH'; a parent kind is needed"):
        import_file(path, *DISTRICT_FLAGS, "--parent-field=city")
    assert Area.objects.count() == 0


def test_under_puts_the_created_parents_below_an_existing_area(shared_data, tmp_path):
    features = beats(shared_data)
    city = AreaFactory(kind=AreaKind.CITY, code="CVL", geometry=square(-79, 37, 2))
    import_file(write(tmp_path, features), *BEAT_FLAGS, "--parent-field=DISTRICT",
                "--parent-kind=district", f"--under={city.pk}")  # fmt: skip

    districts = Area.objects.filter(kind=AreaKind.DISTRICT)
    assert districts.count() == len(district_numbers(features))
    assert all(district.parent == city for district in districts)
    assert Area.objects.filter(path__startswith=city.path, kind=AreaKind.BEAT).count() == len(
        features
    )


def test_the_english_name_comes_from_its_field(tmp_path):
    features = [feature("310115", square(121.5, 31.2), name="浦东新区", en="Pudong")]
    import_file(write(tmp_path, features), *DISTRICT_FLAGS, "--name-en-field=en")
    assert Area.objects.get(code="310115").name_en == "Pudong"


def test_format_names_what_neither_the_extension_nor_the_content_tells(tmp_path):
    path = tmp_path / "districts.txt"
    path.write_bytes(csv_bytes([feature("A", square(121, 31))], ["code", "name"]))
    with pytest.raises(CommandError, match=r"cannot tell the format of districts\.txt"):
        import_file(path, *DISTRICT_FLAGS)
    import_file(path, *DISTRICT_FLAGS, "--format=csv")
    assert Area.objects.filter(code="A").exists()


def test_auto_format_knows_geojson_and_zips_by_their_first_bytes(tmp_path):
    geojson, zipped = tmp_path / "districts.txt", tmp_path / "zones.data"
    geojson.write_bytes(geojson_bytes([feature("A", square(121, 31))]))
    zipped.write_bytes(zipped_shapefile([feature("B", square(122, 31))], ["code", "name"]))
    import_file(geojson, *DISTRICT_FLAGS)
    import_file(zipped, *DISTRICT_FLAGS)
    assert sorted(Area.objects.values_list("code", flat=True)) == ["A", "B"]
