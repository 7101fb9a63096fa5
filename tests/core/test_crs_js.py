"""Maps draw WGS84 data on tiles in another system (MAP_TILES_CRS) through static/js/crs.js:
its transforms agree with safecity/core/crs.py, its Leaflet projection puts a WGS84 point where
the tiles have it and turns a click back into WGS84, and the pages tell it the tiles' system."""

import json
import random
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

from accounts.choices import Role
from safecity.core import crs

pytestmark = pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")

CRS_JS = Path(settings.BASE_DIR) / "static" / "js" / "crs.js"
LEAFLET_JS = Path(__import__("leaflet").__file__).parent / "static" / "leaflet" / "leaflet.js"
# Just enough of a browser for Leaflet to load; only its projections are used.
BROWSER_STUBS = """
global.window = {devicePixelRatio: 1, navigator: {userAgent: ""}};
global.navigator = {userAgent: "node", platform: ""};
global.document = {documentElement: {style: {}}, createElement: () => ({style: {}})};
"""


def run_node(script: str, data) -> object:
    program = f"""{BROWSER_STUBS}
const L = global.L = require({json.dumps(str(LEAFLET_JS))});
const C = require({json.dumps(str(CRS_JS))});
const data = JSON.parse(require("fs").readFileSync(0, "utf8"));
{script}
"""
    done = subprocess.run(
        ["node", "-e", program], input=json.dumps(data), capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout)


def test_the_maps_transforms_agree_with_the_servers():
    rng = random.Random(25)
    points = [(rng.uniform(73, 135), rng.uniform(4, 53)) for _ in range(300)]
    points += [(-0.1276, 51.5072), (139.7671, 35.6812)]
    answers = run_node(
        """
        const out = data.map(([lon, lat]) => ({
          gcj02: C.fromWgs84(lon, lat, "gcj02"), bd09: C.fromWgs84(lon, lat, "bd09"),
          back_gcj02: C.toWgs84(lon, lat, "gcj02"), back_bd09: C.toWgs84(lon, lat, "bd09"),
        }));
        console.log(JSON.stringify(out));
        """,
        points,
    )
    for (lon, lat), answer in zip(points, answers, strict=True):
        for system in ("gcj02", "bd09"):
            assert answer[system] == pytest.approx(crs.from_wgs84(lon, lat, system), abs=1e-9)
            back = crs.to_wgs84(lon, lat, system)
            assert answer[f"back_{system}"] == pytest.approx(back, abs=1e-9)


@pytest.mark.parametrize("system", ["gcj02", "bd09"])
def test_a_wgs84_point_is_drawn_where_the_tiles_have_it_and_a_click_comes_back_wgs84(system):
    wgs84 = (121.49527, 31.24170)  # the Oriental Pearl Tower
    on_tiles = crs.from_wgs84(*wgs84, system)
    answer = run_node(
        """
        const shifted = C.leafletCrs(data.system), plain = L.CRS.EPSG3857;
        const pixel = shifted.latLngToPoint(L.latLng(data.wgs84[1], data.wgs84[0]), 15);
        const tilesPixel = plain.latLngToPoint(L.latLng(data.on_tiles[1], data.on_tiles[0]), 15);
        const clicked = shifted.pointToLatLng(tilesPixel, 15);
        console.log(JSON.stringify({
          pixel: [pixel.x, pixel.y], tiles_pixel: [tilesPixel.x, tilesPixel.y],
          clicked: [clicked.lng, clicked.lat], same: C.leafletCrs("wgs84") === plain,
        }));
        """,
        {"system": system, "wgs84": wgs84, "on_tiles": on_tiles},
    )
    assert answer["pixel"] == pytest.approx(answer["tiles_pixel"], abs=1e-3)
    assert answer["clicked"] == pytest.approx(wgs84, abs=1e-8)
    assert answer["same"]


@pytest.mark.django_db
def test_pages_tell_their_maps_the_tiles_system(settings, client, make_user, city):
    settings.MAP_TILES_CRS = "gcj02"
    client.force_login(make_user(role=Role.CITY_ANALYST, home_area=city))
    response = client.get("/incidents/")
    assert response.status_code == 200
    assert response.context["page_config"]["tiles"]["crs"] == "gcj02"
