"""Areas in their official order: ``sort_order`` from the code, lists in tree order."""

import importlib

import pytest
from django.apps import apps as django_apps

from accounts.choices import Role
from areas.choices import AreaKind
from areas.models import Area
from areas.ordering import code_sort_order
from areas.selectors import in_official_order
from areas.services import area_upsert
from safecity.core.pages.selection import picker_areas

from ..factories import AreaFactory, square

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("code", "expected"),
    [("310101", 310101), ("S02", 2), ("Z-1-3", 13), ("0042", 42), ("ABC", None), ("", None)],
)
def test_sort_order_is_the_digits_of_the_code(code, expected):
    assert code_sort_order(code) == expected


def test_saving_an_area_sets_its_order_from_its_code(city):
    district = AreaFactory(kind=AreaKind.DISTRICT, parent=city, code="310115")
    assert district.sort_order == 310115


def test_an_order_given_by_hand_is_kept(city):
    district = AreaFactory(kind=AreaKind.DISTRICT, parent=city, code="310115", sort_order=1)
    district.refresh_from_db()
    assert district.sort_order == 1


def test_import_sets_the_order_from_the_code(city):
    area, _ = area_upsert(
        kind=AreaKind.DISTRICT, code="310104", name="徐汇区", geometry=square(121, 31), parent=city
    )
    assert area.sort_order == 310104


def _districts_out_of_order(city) -> list[Area]:
    """Districts created in an order other than their codes', each with two stations whose
    codes also run against the order they were made in."""
    codes = ["310115", "310101", "310104"]
    districts = []
    for number, code in enumerate(codes):
        district = AreaFactory(
            kind=AreaKind.DISTRICT, parent=city, code=code, geometry=square(120 + number, 30, 1)
        )
        for station_code in ("S10", "S02"):
            AreaFactory(kind=AreaKind.STATION, parent=district, code=station_code)
        districts.append(district)
    return districts


def test_lists_of_several_parents_come_in_tree_and_official_order(city):
    _districts_out_of_order(city)
    stations = in_official_order(Area.objects.filter(kind=AreaKind.STATION))
    expected = sorted(
        stations, key=lambda s: (int(s.parent.code), code_sort_order(s.code))
    )  # independently: by the district's code, then the station's number
    assert [s.pk for s in stations] == [s.pk for s in expected]
    assert [s.code for s in stations[:2]] == ["S02", "S10"]


def test_siblings_are_listed_in_official_order_by_default(city):
    _districts_out_of_order(city)
    codes = list(city.children.values_list("code", flat=True))
    assert codes == sorted(codes, key=int)


def test_the_picker_lists_districts_in_official_order(city, make_user):
    _districts_out_of_order(city)
    analyst = make_user(role=Role.CITY_ANALYST)
    areas = picker_areas(analyst)
    assert areas[0] == city
    district_codes = [area.code for area in areas if area.kind == AreaKind.DISTRICT]
    assert district_codes == sorted(district_codes, key=int)
    # Each district is followed by its own stations.
    for index, area in enumerate(areas):
        if area.kind == AreaKind.STATION:
            owner = next(a for a in reversed(areas[:index]) if a.kind == AreaKind.DISTRICT)
            assert area.parent_id == owner.pk


def test_the_area_api_lists_in_official_order(city, make_user, api_client_for):
    _districts_out_of_order(city)
    rows = api_client_for(make_user(role=Role.CITY_ANALYST)).get("/api/v1/areas/").json()
    districts = [row["code"] for row in rows if row["kind"] == AreaKind.DISTRICT]
    assert districts == sorted(districts, key=int)
    assert all(row["sort_order"] == code_sort_order(row["code"]) for row in rows)


def test_the_migration_backfills_the_order_from_the_code(city):
    district = AreaFactory(kind=AreaKind.DISTRICT, parent=city, code="310120")
    Area.objects.filter(pk=district.pk).update(sort_order=None)
    migration = importlib.import_module("areas.migrations.0002_area_sort_order")
    migration.backfill_sort_order(django_apps, None)
    district.refresh_from_db()
    assert district.sort_order == 310120


def test_a_forms_area_select_offers_the_tree_in_official_order(city, make_user):
    from mediation.forms import CaseForm

    _districts_out_of_order(city)
    form = CaseForm(user=make_user(role=Role.CITY_ANALYST, home_area=city))
    offered = [int(str(value)) for value, _label in form.fields["area"].choices if value]
    expected = [area.pk for area in in_official_order(Area.objects.all())]
    assert offered == expected
    codes = [Area.objects.get(pk=pk).code for pk in offered]
    districts = [code for code in codes if len(code) == 6]
    assert districts == sorted(districts, key=int)
