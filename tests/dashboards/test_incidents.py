"""The incident pages in Chromium: the filtered list and map equal the API's filtered set,
the CSV export holds exactly that set, the detail shows the API's timeline and times."""

import csv
import io
from datetime import datetime

import pytest

from ..browser import save_screenshot
from .conftest import api_get

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.redis]


def all_ids(page, filters: dict) -> list[str]:
    """Every incident id the API lists for the filters, following its cursor."""
    ids, data = [], api_get(page, "/api/v1/incidents/", **filters)
    while True:
        ids += [row["id"] for row in data["results"]]
        if not data["next"]:
            return ids
        data = page.request.get(data["next"]).json()


def test_incident_list_and_map_show_the_filtered_set_and_export_it(page_as):
    with page_as("analyst") as page:
        page.goto("/incidents/?window=28d&category=theft")
        page.wait_for_selector("#incident-map[data-points]")
        save_screenshot(page, "incidents")
        filters = page.evaluate("SafeCity.config.filters")
        assert filters["category"] == "theft"
        expected = all_ids(page, filters)
        assert expected, "the demo city has thefts in the last 28 days"
        shown = page.locator("[data-incident]").evaluate_all(
            "rows => rows.map(r => r.dataset.incident)"
        )
        assert shown == expected[: len(shown)]
        assert str(len(expected)) in page.locator(".split h2").first.inner_text()
        assert int(page.get_attribute("#incident-map", "data-points")) == len(expected)

        export = page.get_attribute("[data-export]", "href")
        response = page.request.get(export)
        assert response.ok
        rows = list(csv.DictReader(io.StringIO(response.text().lstrip("\ufeff"))))
        assert sorted(row["id"] for row in rows) == sorted(expected)
        assert page.console_errors == []


def test_incident_detail_shows_the_timeline_and_response_times(page_as):
    with page_as("commander") as page:
        page.goto("/incidents/?window=365d&status=closed")
        link = page.locator("[data-incident] a").first
        link.wait_for()
        public_id = page.locator("[data-incident]").first.get_attribute("data-incident")
        link.click()
        page.wait_for_selector("[data-timeline] li")
        save_screenshot(page, "incident-detail")
        detail = api_get(page, f"/api/v1/incidents/{public_id}/")
        steps = page.locator("[data-timeline] li").evaluate_all(
            "items => items.map(i => [i.dataset.to, i.querySelector('time').dateTime])"
        )
        times = {
            status: detail[field]
            for status, field in [
                ("reported", "reported_at"),
                ("dispatched", "dispatched_at"),
                ("on_scene", "on_scene_at"),
                ("closed", "closed_at"),
                ("filed", "filed_at"),
                ("solved", "solved_at"),
            ]
            if detail[field]
        }
        assert [status for status, _ in steps] == sorted(times, key=lambda s: parse(times[s]))
        for status, shown in steps:
            assert parse(shown) == parse(times[status])
        for name in ("dispatch", "travel", "response", "total"):
            shown = page.get_attribute(f"[data-time={name}]", "data-seconds")
            expected = detail[f"{name}_seconds"]
            assert shown == ("" if expected is None else str(expected))
        assert page.console_errors == []


def parse(moment: str) -> datetime:
    return datetime.fromisoformat(moment.replace("Z", "+00:00"))
