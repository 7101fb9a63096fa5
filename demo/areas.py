"""The demo city's geography: Shanghai's real districts, generated stations and patrol zones."""

import json
import random
from pathlib import Path

import shapely
from shapely.geometry import MultiPoint, Point, shape

from areas.choices import AreaKind
from areas.geometry import polygonal_part, to_geojson, union_geojson
from areas.services import area_upsert
from demo.station_names import PLACE_POINTS, STATION_NAMES_BY_DISTRICT
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


def split_polygon(geom, parts: int, rng: random.Random, pinned: list[Point] = ()) -> list:
    """Split a boundary into ``parts`` cells around seeds inside it (a Voronoi diagram): the
    ``pinned`` points first, in order, then random ones; a cell keeps its seed's place."""
    seeds = list(pinned[:parts])
    seeds += _random_points_inside(geom, parts - len(seeds), rng)
    cells = shapely.voronoi_polygons(MultiPoint(seeds), extend_to=geom.envelope)
    pieces = []
    for seed in seeds:
        cell = next(c for c in cells.geoms if c.covers(seed))
        piece = polygonal_part(shapely.set_precision(cell.intersection(geom), 1e-6))
        if not piece.is_empty:
            pieces.append(piece)
    return pieces


def _known_points_inside(district_geom) -> dict[str, Point]:
    """The places of ``PLACE_POINTS`` lying in this district, as points."""
    points = {name: Point(lon, lat) for name, (lon, lat) in PLACE_POINTS.items()}
    return {name: point for name, point in points.items() if district_geom.contains(point)}


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
        # A station is named for a place in its own district, never one across the city.
        stems = STATION_NAMES_BY_DISTRICT[code][:]
        rng.shuffle(stems)
        # Places whose real point is known get their station first, drawn around that point.
        known = _known_points_inside(district_geom)
        stems.sort(key=lambda stem: stem[0] not in known)  # stable: the rest stay shuffled
        pinned = [known[zh] for zh, _ in stems if zh in known]
        for number, station_geom in enumerate(
            split_polygon(district_geom, _station_count(district_geom), rng, pinned), start=1
        ):
            stem_zh, stem_en = stems.pop(0) if stems else (f"第{number}", f"No.{number}")
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
