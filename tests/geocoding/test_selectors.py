import pytest

from accounts.choices import Role
from geocoding.services import address_table_import
from incidents.selectors import places_matching

pytestmark = pytest.mark.django_db


def load(rows):
    address_table_import(
        records=iter(
            (n, {"address": a, "lon": lon, "lat": lat}, "") for n, (a, lon, lat) in enumerate(rows)
        ),
        header=["address", "lon", "lat"],
        source="test",
        name="test.csv",
    )


def test_address_search_offers_standard_addresses_in_the_users_jurisdiction(
    two_districts, make_user
):
    district_a, _ = two_districts
    load([("上海市长宁区仙霞路108号", 120.5, 30.5), ("上海市浦东新区仙霞路109号", 122.5, 30.5)])
    officer = make_user(Role.STATION_OFFICER, home_area=district_a)
    found = places_matching(user=officer, query="仙霞路 10")
    assert [(p["kind"], p["label"], p["lon"]) for p in found] == [
        ("standard_address", "上海市长宁区仙霞路108号", 120.5)
    ]
