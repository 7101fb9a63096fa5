"""The demo city's geography: Shanghai's real districts, generated stations and patrol zones."""

import json
import random
from pathlib import Path

import shapely
from shapely.geometry import MultiPoint, Point, shape

from areas.choices import AreaKind
from areas.geometry import polygonal_part, to_geojson, union_geojson
from areas.services import area_upsert
from safecity.core.crs import Crs, geometry_to_wgs84

DISTRICTS_FILE = Path(__file__).parent / "data" / "shanghai_districts.geojson"
# DataV.GeoAtlas draws in GCJ-02 (data/SOURCE.md); areas are kept in WGS84.
DISTRICTS_CRS = Crs.GCJ02
CITY_CODE = "310000"

DISTRICT_NAMES_EN = {
    "310101": "Huangpu", "310104": "Xuhui", "310105": "Changning", "310106": "Jing'an",
    "310107": "Putuo", "310109": "Hongkou", "310110": "Yangpu", "310112": "Minhang",
    "310113": "Baoshan", "310114": "Jiading", "310115": "Pudong New Area", "310116": "Jinshan",
    "310117": "Songjiang", "310118": "Qingpu", "310120": "Fengxian", "310151": "Chongming",
}  # fmt: skip

STATION_STEMS = [
    ("人民路", "Renmin Road"), ("新华", "Xinhua"), ("江湾", "Jiangwan"), ("长风", "Changfeng"),
    ("龙华", "Longhua"), ("虹桥", "Hongqiao"), ("外滩", "Bund"), ("豫园", "Yuyuan"),
    ("南京东路", "East Nanjing Road"), ("打浦桥", "Dapuqiao"), ("五里桥", "Wuliqiao"),
    ("天平路", "Tianping Road"), ("枫林", "Fenglin"), ("田林", "Tianlin"), ("康健", "Kangjian"),
    ("华泾", "Huajing"), ("北新泾", "Beixinjing"), ("仙霞", "Xianxia"), ("天山", "Tianshan"),
    ("曹家渡", "Caojiadu"), ("石门二路", "Shimen Road No.2"), ("彭浦", "Pengpu"),
    ("真如", "Zhenru"), ("桃浦", "Taopu"), ("曲阳", "Quyang"), ("四川北路", "North Sichuan Road"),
    ("五角场", "Wujiaochang"), ("控江", "Kongjiang"), ("殷行", "Yinhang"), ("莘庄", "Xinzhuang"),
    ("七宝", "Qibao"), ("古美", "Gumei"), ("吴淞", "Wusong"), ("大场", "Dachang"),
    ("罗店", "Luodian"), ("安亭", "Anting"), ("南翔", "Nanxiang"), ("陆家嘴", "Lujiazui"),
    ("张江", "Zhangjiang"), ("川沙", "Chuansha"), ("惠南", "Huinan"), ("花木", "Huamu"),
    ("金山卫", "Jinshanwei"), ("朱泾", "Zhujing"), ("泗泾", "Sijing"), ("九亭", "Jiuting"),
    ("佘山", "Sheshan"), ("朱家角", "Zhujiajiao"), ("徐泾", "Xujing"), ("南桥", "Nanqiao"),
    ("奉城", "Fengcheng"), ("城桥", "Chengqiao"), ("堡镇", "Baozhen"), ("金桥", "Jinqiao"),
    ("高桥", "Gaoqiao"), ("周浦", "Zhoupu"), ("航头", "Hangtou"), ("泥城", "Nicheng"),
    ("书院", "Shuyuan"), ("江桥", "Jiangqiao"), ("马桥", "Maqiao"), ("华漕", "Huacao"),
    ("梅陇", "Meilong"), ("浦江", "Pujiang"), ("颛桥", "Zhuanqiao"), ("吴泾", "Wujing"),
    ("庙行", "Miaohang"), ("顾村", "Gucun"), ("杨行", "Yanghang"), ("月浦", "Yuepu"),
    ("菊园", "Juyuan"), ("马陆", "Malu"), ("外冈", "Waigang"), ("华亭", "Huating"),
    ("洋泾", "Yangjing"), ("塘桥", "Tangqiao"), ("三林", "Sanlin"), ("北蔡", "Beicai"),
    ("康桥", "Kangqiao"), ("曹路", "Caolu"), ("唐镇", "Tangzhen"), ("合庆", "Heqing"),
    ("祝桥", "Zhuqiao"), ("新场", "Xinchang"), ("大团", "Datuan"), ("老港", "Laogang"),
    ("万祥", "Wanxiang"), ("宣桥", "Xuanqiao"), ("亭林", "Tinglin"), ("枫泾", "Fengjing"),
    ("张堰", "Zhangyan"), ("车墩", "Chedun"), ("新桥", "Xinqiao"), ("洞泾", "Dongjing"),
    ("白鹤", "Baihe"), ("华新", "Huaxin"), ("赵巷", "Zhaoxiang"), ("金泽", "Jinze"),
    ("庄行", "Zhuanghang"), ("柘林", "Zhelin"), ("海湾", "Haiwan"), ("陈家镇", "Chenjiazhen"),
    ("新河", "Xinhe"), ("长兴", "Changxing"), ("横沙", "Hengsha"), ("竖新", "Shuxin"),
]  # fmt: skip

SQ_KM_PER_SQ_DEGREE = 111.32 * 94.8  # at Shanghai's latitude
PATROL_ZONES_PER_STATION = 2


def _random_points_inside(geom, count: int, rng: random.Random) -> list[Point]:
    shapely.prepare(geom)
    min_x, min_y, max_x, max_y = geom.bounds
    points: list[Point] = []
    while len(points) < count:
        candidate = Point(rng.uniform(min_x, max_x), rng.uniform(min_y, max_y))
        if geom.contains(candidate):
            points.append(candidate)
    return points


def split_polygon(geom, parts: int, rng: random.Random) -> list:
    """Split a boundary into ``parts`` cells around random seeds inside it (a Voronoi diagram)."""
    seeds = _random_points_inside(geom, parts, rng)
    cells = shapely.voronoi_polygons(MultiPoint(seeds), extend_to=geom.envelope)
    pieces = []
    for seed in seeds:
        cell = next(c for c in cells.geoms if c.covers(seed))
        piece = polygonal_part(shapely.set_precision(cell.intersection(geom), 1e-6))
        if not piece.is_empty:
            pieces.append(piece)
    return pieces


def _station_count(district_geom) -> int:
    square_km = district_geom.area * SQ_KM_PER_SQ_DEGREE
    return max(3, min(9, 2 + round(square_km / 150)))


def build_demo_areas(*, seed: int) -> dict:
    """Create or refresh the demo city; returns counts per kind."""
    rng = random.Random(seed)
    features = json.loads(DISTRICTS_FILE.read_text(encoding="utf-8"))["features"]
    district_shapes = {
        str(f["properties"]["adcode"]): shape(geometry_to_wgs84(f["geometry"], DISTRICTS_CRS))
        for f in features
    }
    city, _ = area_upsert(
        kind=AreaKind.CITY,
        code=CITY_CODE,
        name="上海市",
        name_en="Shanghai",
        geometry=union_geojson(district_shapes.values()),
        geometry_derived=True,
        properties={"demo_seed": seed},
    )
    stems = STATION_STEMS[:]
    rng.shuffle(stems)
    counts = {AreaKind.DISTRICT: 0, AreaKind.STATION: 0, AreaKind.PATROL_ZONE: 0}
    for feature in features:
        props = feature["properties"]
        code = str(props["adcode"])
        district_geom = district_shapes[code]
        district, _ = area_upsert(
            kind=AreaKind.DISTRICT,
            code=code,
            name=props["name"],
            name_en=DISTRICT_NAMES_EN.get(code, ""),
            parent=city,
            geometry=to_geojson(district_geom),
            properties={"center": props.get("center")},
        )
        counts[AreaKind.DISTRICT] += 1
        for number, station_geom in enumerate(
            split_polygon(district_geom, _station_count(district_geom), rng), start=1
        ):
            stem_zh, stem_en = stems.pop() if stems else (f"第{number}", f"No.{number}")
            station, _ = area_upsert(
                kind=AreaKind.STATION,
                code=f"S{number:02d}",
                name=f"{stem_zh}派出所",
                name_en=f"{stem_en} Police Station",
                parent=district,
                geometry=to_geojson(station_geom),
            )
            counts[AreaKind.STATION] += 1
            zones = split_polygon(station_geom, PATROL_ZONES_PER_STATION, rng)
            for zone_no, zone_geom in enumerate(zones, start=1):
                area_upsert(
                    kind=AreaKind.PATROL_ZONE,
                    code=f"Z{zone_no}",
                    name=f"{stem_zh}第{zone_no}防区",
                    name_en=f"{stem_en} Zone {zone_no}",
                    parent=station,
                    geometry=to_geojson(zone_geom),
                )
                counts[AreaKind.PATROL_ZONE] += 1
    return {"city": 1} | {str(kind): count for kind, count in counts.items()}
