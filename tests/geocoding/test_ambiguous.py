from geocoding.choices import GeocodeQuality, UnlocatedReason
from geocoding.geocoder import AddressIndex
from geocoding.normalise import district_of, normalise_address, numbers_of

TABLE = [("上海市浦东新区京古路100号", 121.6, 31.2), ("上海市宝山区山京路100号", 121.4, 31.4)]


def index() -> AddressIndex:
    keys = [normalise_address(address) for address, _, _ in TABLE]
    return AddressIndex(
        (key, numbers_of(key), address, lon, lat)
        for key, (address, lon, lat) in zip(keys, TABLE, strict=True)
    )


def test_equally_near_addresses_are_told_apart_by_the_district_named():
    found = index().locate("浦东新区京小路100号")
    assert (found.quality, found.lon) == (GeocodeQuality.FUZZY, 121.6)


def test_equally_near_addresses_with_no_district_to_decide_stay_unlocated():
    found = index().locate("京小路100号")
    assert (found.quality, found.reason) == (GeocodeQuality.UNLOCATED, UnlocatedReason.AMBIGUOUS)


def test_district_of_an_address_text():
    assert district_of("上海市浦东新区张杨路500号") == "浦东新区"
    assert district_of("张杨路500号") == ""
