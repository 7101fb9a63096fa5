"""The demo city's standard address table (标准地址库): synthetic addresses, a few dozen a
station, each at a point inside its station, loaded through the same import as a real table;
and how a demo incident report writes one of them."""

import random

from shapely import prepare
from shapely.geometry import Point, shape

from areas.choices import AreaKind
from areas.models import Area
from geocoding.models import StandardAddress
from geocoding.services import AddressImportReport, address_table_import

SOURCE = "demo"
ADDRESSES_PER_STATION = 40
ROAD_NAMES = (
    "张杨路", "世纪大道", "锦绣路", "仙霞路", "漕溪北路", "宜山路", "南京西路", "淮海中路",
    "延安西路", "长宁路", "古美路", "龙华中路", "天钥桥路", "桂林路", "金沙江路", "曹杨路",
    "武宁路", "四平路", "共和新路", "沪太路", "松卫北路", "人民路", "解放路", "新华路",
)  # fmt: skip
FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def _point_in(polygon, rng: random.Random) -> Point:
    min_x, min_y, max_x, max_y = polygon.bounds
    for _ in range(1000):
        point = Point(rng.uniform(min_x, max_x), rng.uniform(min_y, max_y))
        if polygon.contains(point):
            return point
    return polygon.representative_point()


def demo_address_rows(seed: int) -> list[dict]:
    """The table's rows: per station, two roads of its own and house numbers along them."""
    rng = random.Random(seed)
    rows = []
    stations = Area.objects.filter(kind=AreaKind.STATION).select_related("parent").order_by("path")
    for number, station in enumerate(stations):
        polygon = shape(station.geometry)
        prepare(polygon)
        district = station.parent.name if station.parent else ""
        road_index = number % len(ROAD_NAMES)
        # Roads are shared by stations across the city, numbers kept apart by the station's.
        roads = [ROAD_NAMES[road_index], ROAD_NAMES[(road_index + 7) % len(ROAD_NAMES)]]
        for house in range(ADDRESSES_PER_STATION):
            road = roads[house % 2]
            house_number = number * 100 + house + 1
            text = f"上海市{district}{road}{house_number}号"
            if house % 5 == 4:
                text = f"上海市{district}{road}{house_number}弄{rng.randint(1, 20)}号"
            point = _point_in(polygon, rng)
            rows.append(
                {
                    "address": text,
                    "lon": round(point.x, 6),
                    "lat": round(point.y, 6),
                    "area_codes": station.code,
                }
            )
    return rows


def build_demo_addresses(*, seed: int) -> AddressImportReport:
    """Load (or reload, changing only what changed) the demo city's address table."""
    rows = demo_address_rows(seed)
    return address_table_import(
        records=((number, row, "") for number, row in enumerate(rows, 1)),
        header=["address", "lon", "lat", "area_codes"],
        source=SOURCE,
        name="demo",
    )


def addresses_by_station() -> dict[str, list[str]]:
    """The demo table's address texts, by the code of the station they lie in."""
    found: dict[str, list[str]] = {}
    for address, code in StandardAddress.objects.filter(source=SOURCE).values_list(
        "address", "area_codes"
    ):
        found.setdefault(code, []).append(address)
    return found


def as_reported(rng: random.Random, address: str) -> str:
    """A standard address as a caller gives it: without the city or district, sometimes with
    full-width digits, spaces or 號."""
    text = address.removeprefix("上海市")
    if "区" in text[:5]:
        text = text[text.index("区") + 1 :]
    roll = rng.random()
    if roll < 0.3:
        return text.translate(FULL_WIDTH)
    if roll < 0.5:
        return text.replace("号", " 號")
    return text
