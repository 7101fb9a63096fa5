import pytest

from geocoding.normalise import normalise_address, numbers_of, road_of


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("上海市浦东新区张杨路500号", "张杨路500号"),
        ("张杨路500号", "张杨路500号"),
        ("张杨路 ５００ 號", "张杨路500号"),
        ("张杨路五百号", "张杨路500号"),
        ("浦东新区张杨路500号附近", "张杨路500号"),
        ("上海市徐汇区漕溪北路三十二弄5幢301室", "漕溪北路32弄5栋301室"),
        ("锦绣路1001弄12#", "锦绣路1001弄12号"),
        ("宜山路700-3号", "宜山路700-3号"),
        ("长宁区仙霞路一〇八号", "仙霞路108号"),
        ("区府路100号", "区府路100号"),
        ("浦东新区", "浦东新区"),
        ("  ，。 ", ""),
    ],
)
def test_normalise_address_gives_the_key(text, key):
    assert normalise_address(text) == key


def test_road_and_numbers_of_a_key():
    assert road_of("漕溪北路32弄5栋301室") == "漕溪北路"
    assert numbers_of("漕溪北路32弄5栋301室") == "32.5.301"
