"""The 研判 page in Chromium on the demo city: the hot-spot map and legend, the emerging
categories and the Knox table equal the analysis API's answers for the same selection."""

import pytest

from ..browser import save_screenshot
from .conftest import api_get

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.redis]


def test_the_analysis_page_shows_what_the_api_answers(page_as):
    with page_as("analyst") as page:
        page.goto("/analysis/?window=ytd")
        page.wait_for_selector("#hotspot-legend li")
        page.wait_for_selector("#emerging-table tbody tr")
        page.wait_for_selector("#near-repeat-table tbody tr")
        save_screenshot(page, "analysis")
        config = page.evaluate("() => window.SafeCity.config")
        hotspots = api_get(page, "/api/v1/analysis/hotspots", **config["analysis"])
        legend = page.evaluate(
            """() => Object.fromEntries([...document.querySelectorAll('#hotspot-legend li')]
                .map(li => [li.dataset.class, parseInt(li.querySelector('data').value)]))"""
        )
        assert legend == hotspots["classes"]
        assert hotspots["events"] > 0
        drawn = page.evaluate(
            "() => document.querySelectorAll('#hotspot-map path.hotspot-cell').length"
        )
        assert drawn == len(hotspots["cells"]) > 0

        emerging = api_get(page, "/api/v1/analysis/emerging", **config["emerging"])
        shown = page.evaluate(
            """() => [...document.querySelectorAll('#emerging-table tbody tr')].map(tr => [
                tr.dataset.pattern, ...[...tr.querySelectorAll('td')].map(td =>
                    parseInt(td.dataset.hot ?? td.dataset.cold))])"""
        )
        assert shown == [
            [name, emerging["categories"][f"{name}_hot"], emerging["categories"][f"{name}_cold"]]
            for name, _, _ in shown
        ]
        assert len(shown) == 8

        knox = api_get(page, "/api/v1/analysis/near-repeat", **config["near_repeat"])
        observed = page.evaluate(
            """() => [...document.querySelectorAll('#near-repeat-table tbody tr')].map(tr =>
                [...tr.querySelectorAll('td')].map(td => parseInt(td.dataset.observed)))"""
        )
        assert observed == [[cell["observed"] for cell in row["cells"]] for row in knox["rows"]]

        for kind in ("geojson", "csv", "emerging-csv", "near-repeat-csv"):
            response = page.request.get(page.get_attribute(f"[data-export={kind}]", "href"))
            assert response.ok, kind
        geojson = page.request.get(page.get_attribute("[data-export=geojson]", "href")).json()
        assert len(geojson["features"]) == len(hotspots["cells"])
        assert page.console_errors == []


def test_the_category_picker_narrows_the_analysis(page_as):
    with page_as("analyst") as page:
        page.goto("/analysis/?window=ytd")
        page.select_option("[data-category]", "theft_burglary")
        page.click("[data-analysis-form] button[type=submit]")
        page.wait_for_selector("#hotspot-legend li")
        assert "category=theft_burglary" in page.url and "window=ytd" in page.url
        config = page.evaluate("() => window.SafeCity.config")
        assert config["analysis"]["category"] == "theft_burglary"
        assert page.console_errors == []
