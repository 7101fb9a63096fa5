import pytest

from accounts.choices import Role
from areas.choices import AreaKind
from areas.models import Area

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


def test_admin_imports_an_uploaded_shapefile_from_the_area_list(live_server, tmp_path):
    from .area_files import feature, zipped_shapefile

    UserFactory(username="boss", role=Role.ADMINISTRATOR, is_staff=True, is_superuser=True)
    features = [feature("A", square(121, 31)), feature("B", square(121.2, 31))]
    upload = tmp_path / "districts.zip"
    upload.write_bytes(zipped_shapefile(features, ["code", "name"]))

    with chromium_page(live_server.url) as page:
        log_in(page, "boss", "pw-for-tests-1", next_page="/admin/areas/area/")
        page.click("a[href='/admin/areas/area/import/']")
        page.set_input_files("input[name=file]", str(upload))
        page.select_option("select[name=kind]", AreaKind.DISTRICT)
        page.fill("input[name=code_field]", "code")
        page.fill("input[name=name_field]", "name")
        save_screenshot(page, "admin-area-import")
        page.click("#area-import-form input[type=submit]")
        page.wait_for_selector(".messagelist .success")
        message = page.locator(".messagelist .success").text_content()
        errors = [m for m in page.console_errors if not is_tile_failure(m)]

    # The admin shows a message with its first letter capitalized.
    assert f"districts.zip: {len(features)} created" in message.lower()
    assert sorted(Area.objects.values_list("code", flat=True)) == ["A", "B"]
    assert errors == []
