import pytest

from accounts.choices import Role
from areas.choices import AreaKind

from ..browser import chromium_page, log_in, save_screenshot
from ..factories import AreaFactory, UserFactory, square

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def is_tile_failure(message: str) -> bool:
    # The map tile server is outside this network; maps must work without it.
    return "Failed to load resource" in message


def test_admin_shows_and_edits_area_geometry_on_a_map(live_server):
    area = AreaFactory(kind=AreaKind.DISTRICT, name="地图区", geometry=square(121.4, 31.2, 0.1))
    UserFactory(username="boss", role=Role.ADMINISTRATOR, is_staff=True, is_superuser=True)

    with chromium_page(live_server.url) as page:
        log_in(page, "boss", "pw-for-tests-1", next_page="/admin/")
        page.goto(f"/admin/areas/area/{area.pk}/change/")
        page.wait_for_selector(".geojson-map .leaflet-overlay-pane path")
        save_screenshot(page, "admin-area-map")

        assert page.locator(".geojson-map .leaflet-overlay-pane path").count() == 1
        assert page.locator(".leaflet-draw-toolbar").count() >= 1
        bounds = page.evaluate(
            "document.querySelector('[data-geojson-widget]').geojsonMap.getBounds().toBBoxString()"
        )
        west, south, east, north = (float(v) for v in bounds.split(","))
        assert west <= 121.4 and east >= 121.5 and south <= 31.2 and north >= 31.3
        errors = [m for m in page.console_errors if not is_tile_failure(m)]
        assert errors == []

        # Saving the form unchanged keeps the geometry: the widget writes back valid GeoJSON.
        page.click("input[name=_save]")
        page.wait_for_load_state("networkidle")
    area.refresh_from_db()
    assert area.geometry["type"] == "Polygon"
    assert area.geometry["coordinates"][0][0] == [121.4, 31.2]
