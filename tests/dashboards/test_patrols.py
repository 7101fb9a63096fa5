"""The patrols page in Chromium on the demo city: compliance and coverage equal the patrols
API, unit markers come from the live snapshot and move when a unit reports."""

from datetime import UTC, datetime

import pytest

from ..browser import save_screenshot
from .conftest import api_get

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.redis]

MARKERS = """() => Object.fromEntries(Object.entries(document.getElementById('map').unitMarkers)
    .map(([code, m]) => [code, [m.getLatLng().lng, m.getLatLng().lat]]))"""


def results(data) -> list:
    return data["results"] if isinstance(data, dict) else data


def dig(block: dict, key: str):
    for part in key.split("."):
        block = block[part]
    return block


def csrf_headers(page) -> dict:
    token = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    return {"X-CSRFToken": token}


def wait_for_snapshot(page) -> None:
    page.wait_for_selector("#map[data-snapshot]")


@pytest.mark.parametrize("username", ["analyst", "commander"])
def test_compliance_table_equals_the_compliance_api_by_area(page_as, username):
    with page_as(username) as page:
        page.goto("/patrols/?window=ytd")
        wait_for_snapshot(page)
        page.wait_for_selector("#coverage:not([data-loading])")
        save_screenshot(page, "patrols" if username == "analyst" else f"patrols-{username}")
        shown = page.evaluate(
            """() => Object.fromEntries([...document.querySelectorAll('#compliance tr[data-area]')]
                .map(r => [r.dataset.area, Object.fromEntries([...r.querySelectorAll('[data-key]')]
                    .map(c => [c.dataset.key,
                               c.dataset.value === '' ? null : parseFloat(c.dataset.value)]))]))"""
        )
        params = page.evaluate("SafeCity.config.stats")
        data = api_get(page, "/api/v1/patrols/compliance/", **params, by="children")
        assert data["arrive"]["incidents"] > 0
        expected = {"": data} | {str(child["id"]): child for child in data["children"]}
        assert sorted(shown) == sorted(expected)
        for area, cells in shown.items():
            assert cells, area
            for key, value in cells.items():
                assert value == pytest.approx(dig(expected[area], key)), (area, key)
        assert page.console_errors == []


def test_coverage_table_equals_the_coverage_api_per_zone(page_as):
    with page_as("commander") as page:
        page.goto("/patrols/")
        page.wait_for_selector("#coverage:not([data-loading])")
        shown = page.evaluate(
            """() => Object.fromEntries([...document.querySelectorAll('#coverage tr[data-zone]')]
                .map(r => [r.dataset.zone, [...r.querySelectorAll('[data-value]')]
                    .map(c => c.dataset.value === '' ? null : parseFloat(c.dataset.value))]))"""
        )
        params = {k: v for k, v in page.evaluate("SafeCity.config.coverage").items() if v}
        data = api_get(page, "/api/v1/patrols/coverage/", **params)
        assert data["zones"]
        expected = {
            str(zone["id"]): [
                zone[name]
                for name in (
                    "unit_minutes",
                    "incidents",
                    "alignment",
                    "hotspot_minutes_share",
                    "hotspot_cells_share",
                )
            ]
            for zone in data["zones"]
        }
        assert sorted(shown) == sorted(expected)
        for zone, figures in shown.items():
            assert figures == pytest.approx(expected[zone]), zone
        assert page.console_errors == []


def test_unit_markers_are_the_units_last_positions_from_the_snapshot(page_as):
    with page_as("analyst") as page:
        page.goto("/patrols/")
        wait_for_snapshot(page)
        markers = page.evaluate(MARKERS)
        units = results(api_get(page, "/api/v1/patrols/units/", page_size=1000))
        expected = {
            unit["code"]: [unit["last_lon"], unit["last_lat"]]
            for unit in units
            if unit["last_seen_at"] is not None
        }
        assert expected
        assert sorted(markers) == sorted(expected)
        for code, position in markers.items():
            assert position == pytest.approx(expected[code]), code
        # Each marker is drawn on the map.
        assert page.locator("#map .unit-marker [data-unit]").count() == len(expected)
        assert page.console_errors == []


def test_a_ping_posted_to_the_api_moves_the_units_marker(page_as):
    with page_as("commander") as page:
        page.goto("/patrols/")
        wait_for_snapshot(page)
        page.wait_for_selector("#live-status[data-state=open]")
        code, (lon, lat) = sorted(page.evaluate(MARKERS).items())[0]
        moved = [round(lon + 0.004, 6), round(lat - 0.003, 6)]
        response = page.request.post(
            "/api/v1/patrols/positions/",
            data=[
                {
                    "unit": code,
                    "at": datetime.now(UTC).isoformat(),
                    "lon": moved[0],
                    "lat": moved[1],
                }
            ],
            headers=csrf_headers(page),
        )
        assert response.ok, response.text()
        assert response.json()["stored"] == 1
        page.wait_for_function(
            """([code, lon, lat]) => {
                const p = document.getElementById('map').unitMarkers[code].getLatLng();
                return Math.abs(p.lng - lon) < 1e-9 && Math.abs(p.lat - lat) < 1e-9; }""",
            arg=[code, *moved],
        )
        unit = next(
            u
            for u in results(api_get(page, "/api/v1/patrols/units/", page_size=1000))
            if u["code"] == code
        )
        row = page.locator(f'#units tr[data-unit="{code}"] [data-last-seen]')
        seen = row.get_attribute("data-last-seen")
        assert datetime.fromisoformat(seen) == datetime.fromisoformat(unit["last_seen_at"])
        assert page.console_errors == []
