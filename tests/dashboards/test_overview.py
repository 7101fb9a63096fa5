"""The overview in Chromium on the demo city: tiles equal the statistics API, drill-down."""

import pytest

from ..browser import save_screenshot
from .conftest import api_get

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.redis]


def tile_figures(page) -> dict:
    return page.evaluate(
        """() => Object.fromEntries([...document.querySelectorAll('[data-tile]')].map(t => [
            t.dataset.tile,
            {source: t.dataset.source, measure: t.dataset.measure,
             categories: t.dataset.categories ? t.dataset.categories.split(',') : [],
             current: parseFloat(t.querySelector('[data-current]').getAttribute('value')),
             yoy: parseFloat(t.querySelector('[data-compare=yoy]').dataset.base),
             pop: parseFloat(t.querySelector('[data-compare=pop]').dataset.base)}]))"""
    )


def api_figures(page, tile: dict, params: dict) -> dict:
    """The tile's numbers as the API gives them: summed over its categories."""
    if tile["source"] == "mediation":
        data = api_get(page, "/api/v1/mediation/stats/", **params)
        block = data["measures"][tile["measure"]]
        return {
            "current": block["current"],
            "yoy": block["yoy"]["base"],
            "pop": block["pop"]["base"],
        }
    totals = {"current": 0, "yoy": 0, "pop": 0}
    for code in tile["categories"] or [None]:
        query = dict(params, measure=tile["measure"])
        if code:
            query["category"] = code
        block = api_get(page, "/api/v1/stats/summary", **query)["measures"][tile["measure"]]
        totals["current"] += block["current"]
        totals["yoy"] += block["yoy"]["base"]
        totals["pop"] += block["pop"]["base"]
    return totals


def test_overview_tiles_show_what_the_stats_api_answers(page_as):
    with page_as("analyst") as page:
        page.goto("/?window=ytd")
        page.wait_for_selector("#trend canvas")
        page.wait_for_selector("#ranking li")
        save_screenshot(page, "overview")
        params = page.evaluate("SafeCity.config.stats")
        tiles = tile_figures(page)
        assert len(tiles) >= 6
        assert tiles["alarm_calls"]["current"] > 0
        for key, tile in tiles.items():
            expected = api_figures(page, tile, params)
            got = {name: tile[name] for name in ("current", "yoy", "pop")}
            assert got == pytest.approx(expected), key
        assert page.console_errors == []


def test_clicking_a_district_in_the_ranking_drills_down(page_as):
    with page_as("analyst") as page:
        page.goto("/")
        first = page.locator("#ranking li a").first
        first.wait_for()
        name, area = first.inner_text(), first.get_attribute("data-area")
        first.click()
        page.wait_for_load_state("networkidle")
        assert f"area={area}" in page.url
        assert name in page.locator("h1").inner_text()
        assert page.locator("select[name=area]").input_value() == area
        # The district's own stations now fill the ranking.
        page.wait_for_selector("#ranking li")
        stations = api_get(
            page, "/api/v1/stats/breakdown", **page.evaluate("SafeCity.config.stats"), by="area"
        )
        shown = page.locator("#ranking li a").all_inner_texts()
        assert shown == [row["name"] for row in stations["rows"]]
        assert page.console_errors == []


def test_clicking_a_district_on_the_map_drills_down(page_as):
    with page_as("analyst") as page:
        page.goto("/")
        page.wait_for_selector("#map path.leaflet-interactive")
        district = api_get(page, "/api/v1/areas/", kind="district")[0]
        # Click the district's polygon where Leaflet drew it.
        clicked = page.evaluate(
            """(id) => { const map = document.getElementById('map').leafletMap;
                let hit = null;
                map.eachLayer(l => {
                    if (l.feature && l.feature.properties.id === id && l.fire) hit = l;
                });
                if (!hit) return false;
                hit.fire('click'); return true; }""",
            district["id"],
        )
        assert clicked
        page.wait_for_url(f"**area={district['id']}**")
        assert district["name"] in page.locator("h1").inner_text()
