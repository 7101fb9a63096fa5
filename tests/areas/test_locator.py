import json

import pytest
from shapely.geometry import shape

from areas.choices import AreaKind
from areas.locator import get_locator, locate_point
from areas.services import areas_import_features

from ..factories import AreaFactory, square

pytestmark = pytest.mark.django_db


@pytest.fixture
def beats_features(shared_data):
    return json.loads((shared_data / "charlottesville" / "beats.geojson").read_text())["features"]


@pytest.fixture
def charlottesville(beats_features):
    areas_import_features(
        features=beats_features,
        kind=AreaKind.BEAT,
        code_field="BEAT_NO",
        name_field="NAME",
        parent_field="DISTRICT",
        parent_kind=AreaKind.DISTRICT,
    )


def test_point_inside_belmont_gets_belmont_and_its_district(charlottesville, beats_features):
    belmont = next(f for f in beats_features if f["properties"]["NAME"] == "Belmont")
    inside = shape(belmont["geometry"]).representative_point()
    located = locate_point(inside.x, inside.y)
    beat = located.by_kind[AreaKind.BEAT]
    assert located.leaf == beat
    from areas.models import Area

    area = Area.objects.get(pk=beat.id)
    assert area.name == "Belmont"
    assert located.by_kind[AreaKind.DISTRICT].id == area.parent_id


def test_point_outside_every_beat_gets_no_area(charlottesville):
    located = locate_point(-77.0, 38.9)  # Washington, DC
    assert located.by_kind == {}
    assert located.leaf is None


def test_smallest_containing_area_wins_at_each_level(db):
    big = AreaFactory(kind=AreaKind.DISTRICT, geometry=square(120, 30, 2))
    AreaFactory(kind=AreaKind.DISTRICT, geometry=square(120.5, 30.5, 0.5))
    small = AreaFactory(kind=AreaKind.DISTRICT, geometry=square(120.6, 30.6, 0.1))
    assert locate_point(120.65, 30.65).by_kind[AreaKind.DISTRICT].id == small.id
    assert locate_point(121.9, 31.9).by_kind[AreaKind.DISTRICT].id == big.id


def test_locator_follows_area_changes(db):
    area = AreaFactory(kind=AreaKind.DISTRICT, geometry=square(120, 30, 1))
    assert locate_point(121.5, 30.5).by_kind == {}
    area.geometry = square(120, 30, 2)
    area.save()
    assert locate_point(121.5, 30.5).by_kind[AreaKind.DISTRICT].id == area.id


def test_locate_many_keeps_unlocatable_points(db):
    AreaFactory(kind=AreaKind.DISTRICT, geometry=square(120, 30, 1))
    results = get_locator().locate_many([(120.5, 30.5), None, (0, 0), (float("nan"), 1)])
    assert len(results) == 4
    assert [bool(r.by_kind) for r in results] == [True, False, False, False]
