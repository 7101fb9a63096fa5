"""HTML in names (issue 21, finding 9): an area, unit or dispute type named like an image tag is
shown as text in every map tooltip, popup and chart tooltip — no element is made of it, and
the browser never asks for its image."""

from contextlib import contextmanager

import pytest

from ..browser import chromium_page, log_in
from ..demo_site import DEMO_PASSWORD
from .conftest import sql

pytestmark = [pytest.mark.browser]

# Short enough for every name column (a dispute type's holds 50 characters).
HOSTILE = "<img src=/static/x.png?xss=1 onerror=alert(1)>"
IMAGE = 'img[src*="xss=1"]'


@contextmanager
def renamed(site, table: str, row_id: int, *columns: str):
    """The row's name columns set to HOSTILE, restored afterwards (the site is shared)."""
    names = ", ".join(columns)
    before = sql(site, f"SELECT {names} FROM {table} WHERE id = %s", [row_id])[0]
    assignments = ", ".join(f"{column} = %s" for column in columns)
    sql(
        site, f"UPDATE {table} SET {assignments} WHERE id = %s", [HOSTILE] * len(columns) + [row_id]
    )
    try:
        yield
    finally:
        sql(site, f"UPDATE {table} SET {assignments} WHERE id = %s", [*before, row_id])


@pytest.fixture
def hostile_names(site):
    """A district, a patrol zone, a patrol unit with a position and a dispute type, each named
    HOSTILE (Chinese and English) while the test runs."""
    district = sql(site, "SELECT id FROM areas_area WHERE kind = 'district' ORDER BY id LIMIT 1")
    zone = sql(site, "SELECT id FROM areas_area WHERE kind = 'patrol_zone' ORDER BY id LIMIT 1")
    unit = sql(
        site,
        "SELECT u.id, u.code FROM patrols_patrolunit u WHERE EXISTS "
        "(SELECT 1 FROM patrols_position p WHERE p.unit_id = u.id) ORDER BY u.id LIMIT 1",
    )
    dispute_type = sql(
        site,
        "SELECT type_id FROM mediation_disputecase GROUP BY type_id ORDER BY count(*) DESC LIMIT 1",
    )
    with (
        renamed(site, "areas_area", district[0][0], "name", "name_en"),
        renamed(site, "areas_area", zone[0][0], "name", "name_en"),
        renamed(site, "patrols_patrolunit", unit[0][0], "name"),
        renamed(site, "mediation_disputetype", dispute_type[0][0], "name", "name_en"),
    ):
        yield {"district": district[0][0], "zone": zone[0][0], "unit": unit[0][1]}


@contextmanager
def analyst_page(site):
    with chromium_page(site.url) as page:
        page.image_requests = []
        page.on(
            "request",
            lambda request: (
                page.image_requests.append(request.url) if "xss=1" in request.url else None
            ),
        )
        log_in(page, "analyst", DEMO_PASSWORD)
        yield page


OPEN_AREA_TOOLTIP = """(id) => {
    const map = document.getElementById('map').leafletMap;
    let hit = null;
    map.eachLayer(l => {
        if (l.feature && l.feature.properties.id === id && l.getTooltip()) hit = l;
    });
    if (!hit) return null;
    hit.openTooltip();
    return hit.getTooltip().getElement().textContent;
}"""


def assert_harmless(page, text: str | None) -> None:
    assert text is not None, "no tooltip found"
    assert "<img" in text, text
    assert page.locator(IMAGE).count() == 0


def test_area_names_in_overview_map_tooltips_are_text(site, hostile_names):
    with analyst_page(site) as page:
        page.goto("/")
        page.wait_for_selector("#map path.leaflet-interactive")
        text = page.evaluate(OPEN_AREA_TOOLTIP, hostile_names["district"])
        assert_harmless(page, text)
        page.wait_for_load_state("networkidle")
        assert page.image_requests == []


def test_zone_and_unit_names_in_patrol_tooltips_are_text(site, hostile_names):
    with analyst_page(site) as page:
        page.goto("/patrols/")
        page.wait_for_selector("#map[data-snapshot][data-zones]")
        page.wait_for_selector("#coverage:not([data-loading])")
        assert_harmless(page, page.evaluate(OPEN_AREA_TOOLTIP, hostile_names["zone"]))
        unit_text = page.evaluate(
            """(code) => { const m = document.getElementById('map').unitMarkers[code];
                if (!m) return null; m.openTooltip();
                return m.getTooltip().getElement().textContent; }""",
            hostile_names["unit"],
        )
        assert_harmless(page, unit_text)
        page.wait_for_load_state("networkidle")
        assert page.image_requests == []


def test_dispute_type_names_in_mediation_chart_tooltips_are_text(site, hostile_names):
    with analyst_page(site) as page:
        page.goto("/mediation/?window=ytd")
        page.wait_for_selector("#types:not([data-loading]) canvas")
        shown = page.evaluate(
            """() => {
                const chart = document.getElementById('types').chart;
                const names = chart.getOption().yAxis[0].data;
                const index = names.findIndex(n => n.includes('<img'));
                if (index < 0) return false;
                chart.dispatchAction({type: 'showTip', seriesIndex: 0, dataIndex: index});
                return true;
            }"""
        )
        assert shown, "the renamed type is not on the chart"
        tip = page.wait_for_function(
            """() => [...document.querySelectorAll('#types div')].find(d =>
                d.style.position === 'absolute' && d.style.display !== 'none'
                && d.textContent.trim().length > 0)"""
        )
        text = tip.evaluate("d => d.textContent")
        assert_harmless(page, text)
        page.wait_for_load_state("networkidle")
        assert page.image_requests == []
