"""With GCJ-02 tiles (MAP_TILES_CRS=gcj02) the entry map draws a WGS84 point where the tiles
have it, and a click on it is entered in WGS84."""

import pytest

from safecity.core.crs import wgs84_to_gcj02

from ..browser import chromium_page, log_in
from ..demo_site import DEMO_PASSWORD, serve_demo_city
from .test_incident_entry import click_map_at, jurisdiction, point_typed, script_errors

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.redis]


@pytest.fixture(scope="module")
def gcj02_site(tmp_path_factory):
    with serve_demo_city(
        suffix="gcj02",
        var_dir=tmp_path_factory.mktemp("gcj02-var"),
        extra_env={"MAP_TILES_CRS": "gcj02"},
    ) as site:
        yield site


def test_on_gcj02_tiles_the_entry_map_shifts_points_and_enters_clicks_in_wgs84(gcj02_site):
    with chromium_page(gcj02_site.url) as page:
        log_in(page, "officer", DEMO_PASSWORD)
        page.goto("/incidents/new/")
        _area_id, area = jurisdiction(page)
        inside = area.representative_point()
        on_tiles = wgs84_to_gcj02(inside.x, inside.y)
        element = page.locator("[data-point-picker=incident] [data-picker-map]")
        element.locator("xpath=self::*[not(@data-loading)]").wait_for()
        shifted, plain = element.evaluate(
            "(el, p) => { const z = 16, crs = el.leafletMap.options.crs;"
            " const a = crs.latLngToPoint(L.latLng(p[0][1], p[0][0]), z);"
            " const b = L.CRS.EPSG3857.latLngToPoint(L.latLng(p[1][1], p[1][0]), z);"
            " return [[a.x, a.y], [b.x, b.y]]; }",
            [[inside.x, inside.y], list(on_tiles)],
        )
        # Drawn where the GCJ-02 tiles have the place, not hundreds of metres off.
        assert shifted == pytest.approx(plain, abs=0.01)

        (clicked_lon, clicked_lat), (pixel_lon, pixel_lat) = click_map_at(
            page, "incident", inside.x, inside.y
        )
        lon, lat = point_typed(page)
        assert abs(lon - inside.x) <= 2 * pixel_lon and abs(lat - inside.y) <= 2 * pixel_lat
        # The point written is the pixel clicked, read back through the shifted projection.
        assert abs(lon - clicked_lon) <= pixel_lon and abs(lat - clicked_lat) <= pixel_lat
        assert not script_errors(page)
