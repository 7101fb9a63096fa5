"""The CompStat page in Chromium: live tables and published snapshots equal the API's."""

import pytest

from ..browser import save_screenshot
from .conftest import api_get

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.redis]


def shown_tables(page) -> list[dict]:
    return page.evaluate(
        """() => [...document.querySelectorAll('[data-compstat-table]')].map(t => ({
            area: t.dataset.area,
            rows: [...t.querySelectorAll('tbody tr')].map(r => ({
                category: r.dataset.category,
                cells: [...r.querySelectorAll('[data-this-year]')].map(c => [
                    c.dataset.window, parseFloat(c.dataset.thisYear),
                    parseFloat(c.nextElementSibling.dataset.lastYear)]).sort(),
            })),
        }))"""
    )


def expected_tables(tables: list[dict]) -> list[dict]:
    return [
        {
            "area": str(table["area"]["id"] or ""),
            "rows": [
                {
                    "category": row["category"] or "",
                    "cells": sorted(
                        [window, row[window]["this_year"], row[window]["last_year"]]
                        for window in table["columns"]
                    ),
                }
                for row in table["rows"]
            ],
        }
        for table in tables
    ]


def test_compstat_tables_per_station_equal_the_api(page_as):
    with page_as("commander") as page:
        page.goto("/compstat/?level=station")
        page.wait_for_selector("[data-compstat-table]")
        save_screenshot(page, "compstat")
        export = page.get_attribute("[data-export=csv]", "href")
        query = dict(part.split("=", 1) for part in export.split("?", 1)[1].split("&"))
        query.pop("format")
        api = api_get(page, "/api/v1/stats/compstat", **query)
        assert len(api["tables"]) > 1
        assert shown_tables(page) == expected_tables(api["tables"])
        for kind in ("csv", "xlsx"):
            response = page.request.get(page.get_attribute(f"[data-export={kind}]", "href"))
            assert response.ok and len(response.body()) > 100
        assert page.console_errors == []


def test_published_snapshot_is_shown_as_published(page_as):
    with page_as("analyst") as page:
        page.goto("/compstat/")
        options = page.locator("[data-snapshots] option[value]:not([value=''])")
        assert options.count() >= 1, "the demo publishes its last weeks"
        snapshot_id = options.first.get_attribute("value")
        page.select_option("[data-snapshots]", snapshot_id)
        page.click("[data-compstat-form] button[type=submit]")
        page.wait_for_selector("[data-compstat-table]")
        snapshot = api_get(page, f"/api/v1/stats/snapshots/{snapshot_id}/")
        assert shown_tables(page) == expected_tables([snapshot["table"]])
        assert page.get_attribute("[data-export=csv]", "href").startswith(
            f"/api/v1/stats/snapshots/{snapshot_id}/"
        )
