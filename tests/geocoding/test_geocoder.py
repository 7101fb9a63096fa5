import pytest

from geocoding.choices import GeocodeQuality, UnlocatedReason
from geocoding.geocoder import (
    FUZZY_THRESHOLD,
    AddressIndex,
    DatabaseGeocoder,
    geocode_addresses,
)
from geocoding.normalise import normalise_address, numbers_of
from geocoding.services import address_table_import

TABLE = [
    ("上海市浦东新区张杨路500号", 121.52, 31.23),
    ("上海市浦东新区张杨路501号", 121.521, 31.231),
    ("上海市长宁区仙霞路108号", 121.40, 31.21),
    ("上海市徐汇区漕溪北路32弄5号", 121.43, 31.19),
]


def index() -> AddressIndex:
    return AddressIndex(
        (normalise_address(a), numbers_of(normalise_address(a)), a, lon, lat)
        for a, lon, lat in TABLE
    )


def test_exact_match_on_the_normalised_key():
    found = index().locate("张杨路５００號")
    assert (found.quality, found.lon, found.lat) == (GeocodeQuality.EXACT, 121.52, 31.23)
    assert found.matched_address == "上海市浦东新区张杨路500号"


def test_fuzzy_match_forgives_a_typo_in_the_road_name():
    found = index().locate("漕溪北路32弄5号楼")  # an extra word
    assert found.quality == GeocodeQuality.FUZZY
    assert found.score >= FUZZY_THRESHOLD
    assert found.matched_address == "上海市徐汇区漕溪北路32弄5号"


def test_fuzzy_match_below_the_threshold_stays_unlocated():
    found = index().locate("南京西路500号")
    assert found.quality == GeocodeQuality.UNLOCATED
    assert found.reason == UnlocatedReason.BELOW_THRESHOLD
    assert found.lon is None and found.score < FUZZY_THRESHOLD


def test_a_different_house_number_is_never_a_fuzzy_match():
    found = index().locate("张杨路502号")
    assert (found.quality, found.reason) == (GeocodeQuality.UNLOCATED, UnlocatedReason.NO_MATCH)


def test_no_address_is_unlocated_with_its_reason():
    assert index().locate(" ").reason == UnlocatedReason.NO_ADDRESS


def records(rows):
    return iter(
        (number, {"address": a, "lon": lon, "lat": lat}, "")
        for number, (a, lon, lat) in enumerate(rows, 1)
    )


@pytest.mark.django_db
def test_database_geocoder_agrees_with_the_index():
    address_table_import(
        records=records(TABLE), header=["address", "lon", "lat"], source="t", name="t.csv"
    )
    texts = ["张杨路５００號", "漕溪北路32弄5号楼", "南京西路500号", "张杨路502号", ""]
    assert DatabaseGeocoder().locate_many(texts) == index().locate_many(texts)
    assert geocode_addresses(texts[:1])[0].quality == GeocodeQuality.EXACT
