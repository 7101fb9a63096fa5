import pytest

from accounts.choices import Role

from ..areas.test_admin_map import is_tile_failure
from ..browser import chromium_page, log_in, save_screenshot
from ..factories import UserFactory
from .test_services import row

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_admin_lists_incidents_with_filters_and_shows_one_on_a_map(live_server, two_districts):
    from incidents.ingest import incidents_ingest
    from incidents.models import Incident

    incidents_ingest(
        rows=[
            row("OPEN-1", lon=120.3, lat=30.4, address="开放路1号"),
            row("OTHER-1", lon=122.3, lat=30.4, address="邻区路2号"),
        ],
        source_system="admin",
    )
    UserFactory(username="boss", role=Role.ADMINISTRATOR, is_staff=True, is_superuser=True)
    incident = Incident.objects.get(source_ref="OPEN-1")

    with chromium_page(live_server.url) as page:
        log_in(page, "boss", "pw-for-tests-1", next_page="/admin/")
        page.goto("/admin/incidents/incident/")
        assert page.locator("#result_list tbody tr").count() == 2
        page.goto(f"/admin/incidents/incident/?district__id__exact={incident.district_id}")
        rows = page.locator("#result_list tbody tr")
        assert rows.count() == 1 and "开放路1号" in rows.inner_text()

        page.goto(f"/admin/incidents/incident/{incident.pk}/change/")
        page.wait_for_selector("[data-point-map] .leaflet-overlay-pane path")
        save_screenshot(page, "admin-incident-map")
        marker = page.evaluate(
            "(() => { const p = document.querySelector('[data-point-map]').pointMarker.getLatLng();"
            " return [p.lng, p.lat]; })()"
        )
        assert marker == pytest.approx([120.3, 30.4])
        errors = [m for m in page.console_errors if not is_tile_failure(m)]
        assert errors == []
