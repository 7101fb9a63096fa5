import pytest
from django.core.exceptions import ValidationError

from areas.choices import AreaKind
from areas.models import Area

from ..factories import AreaFactory, square

pytestmark = pytest.mark.django_db


def test_path_is_the_chain_of_ids(city):
    district = AreaFactory(kind=AreaKind.DISTRICT, parent=city)
    station = AreaFactory(kind=AreaKind.STATION, parent=district)
    assert station.path == f"/{city.pk}/{district.pk}/{station.pk}/"
    assert station.depth == 2
    assert station.ancestor_ids() == [city.pk, district.pk]


def test_subtree_is_one_prefix_query(two_districts, django_assert_num_queries):
    district_a, _ = two_districts
    with django_assert_num_queries(1):
        names = list(Area.objects.subtree(district_a).values_list("id", flat=True))
    assert len(names) == 2
    assert district_a.pk in names


def test_moving_an_area_moves_its_subtree(two_districts):
    district_a, district_b = two_districts
    station = district_a.children.get()
    beat = AreaFactory(kind=AreaKind.BEAT, parent=station)
    station.parent = district_b
    station.save()
    beat.refresh_from_db()
    assert beat.path == f"{district_b.path}{station.pk}/{beat.pk}/"
    assert beat.depth == 3
    assert beat.is_within(district_b) and not beat.is_within(district_a)


def test_parent_must_be_of_a_higher_level(two_districts):
    district_a, _ = two_districts
    station = district_a.children.get()
    child = Area(kind=AreaKind.DISTRICT, code="X", name="x", parent=station, geometry=square(1, 1))
    with pytest.raises(ValidationError, match="上级"):
        child.full_clean()


def test_invalid_geometry_message_names_the_area():
    area = Area(
        kind=AreaKind.DISTRICT,
        code="BAD",
        name="坏区",
        geometry={"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]},
    )
    with pytest.raises(ValidationError) as caught:
        area.full_clean()
    assert "BAD: invalid geometry: Self-intersection" in str(caught.value.message_dict["geometry"])


def test_code_is_unique_within_a_parent(city):
    AreaFactory(kind=AreaKind.DISTRICT, parent=city, code="D1")
    duplicate = Area(
        kind=AreaKind.DISTRICT, parent=city, code="D1", name="x", geometry=square(1, 1)
    )
    with pytest.raises(ValidationError):
        duplicate.full_clean()
    AreaFactory(kind=AreaKind.DISTRICT, parent=None, code="D1")
    root_duplicate = Area(kind=AreaKind.DISTRICT, code="D1", name="y", geometry=square(1, 1))
    with pytest.raises(ValidationError):
        root_duplicate.full_clean()


def test_a_station_over_its_sibling_is_refused_naming_it(two_districts):
    district_a, _ = two_districts
    sibling = district_a.children.get()
    copy = Area(
        kind=AreaKind.STATION, code="COPY", name="复制所", parent=district_a,
        geometry=square(120.5, 30.5, 1),
    )  # fmt: skip
    with pytest.raises(ValidationError) as refused:
        copy.full_clean()
    assert f"{sibling.name} 25.0%" in str(refused.value.message_dict["geometry"])


def test_a_small_overlap_with_a_sibling_is_kept_and_noted(two_districts, settings):
    settings.AREA_OVERLAP_TOLERANCE = 0.05
    district_a, _ = two_districts
    sibling = district_a.children.get()
    # A 1 x 1 station reaching 0.02 over its sibling's eastern edge: 2% of it.
    neighbour = Area(
        kind=AreaKind.STATION, code="NEXT", name="邻所", parent=district_a,
        geometry=square(120.98, 30, 1),
    )  # fmt: skip
    neighbour.full_clean()
    assert len(neighbour.overlap_notes) == 1
    assert sibling.name in neighbour.overlap_notes[0] and "2.0%" in neighbour.overlap_notes[0]
    touching = Area(
        kind=AreaKind.STATION, code="EDGE", name="邻接所", parent=district_a,
        geometry=square(121, 30, 0.5),
    )  # fmt: skip
    touching.full_clean()
    assert touching.overlap_notes == []


def test_an_area_never_overlaps_itself(two_districts):
    station = two_districts[0].children.get()
    station.full_clean()


def test_the_admin_saves_a_slightly_overlapping_station_with_a_warning(two_districts, client):
    import json

    from accounts.choices import Role

    from ..factories import UserFactory

    district_a, _ = two_districts
    sibling = district_a.children.get()
    boss = UserFactory(role=Role.ADMINISTRATOR, is_staff=True, is_superuser=True)
    client.force_login(boss)
    answer = client.post(
        "/admin/areas/area/add/",
        {"kind": "station", "code": "NEXT", "name": "邻所", "name_en": "",
         "parent": district_a.pk, "geometry": json.dumps(square(120.98, 30, 1)),
         "properties": "{}", "_save": "Save"},
        follow=True,
    )  # fmt: skip
    assert Area.objects.filter(code="NEXT").exists()
    shown = [str(message) for message in answer.context["messages"]]
    assert any(sibling.name in message and "2.0%" in message for message in shown), shown
