"""Comparisons on the server-rendered pages: "—" with the reason on hover where the data is
missing, the top movers on the overview, today so far labelled, and a published CompStat
snapshot headed by the week it covers. Expected figures come from the statistics API."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.stats import test_api, test_comparisons, test_compstat

pytestmark = pytest.mark.django_db

city_areas = test_api.city_areas
analyst = test_api.analyst
get = test_api.get
movers_data = test_comparisons.movers_data


@pytest.fixture
def browser(client, analyst):
    client.force_login(analyst)
    return client


def page(browser, path: str, **params) -> str:
    response = browser.get(path, params)
    assert response.status_code == 200
    return response.content.decode()


def attributes(html: str, name: str) -> list[str]:
    return re.findall(rf'{name}="([^"]*)"', html)


def test_a_published_snapshot_is_headed_by_the_week_it_covers(city_areas, browser):
    test_compstat.ingest(test_compstat.SPECS)
    test_compstat.rollups_recompute_dirty()
    test_compstat.compstat_publish(week_ending=test_compstat.WEEK_ENDING)
    snapshot = test_compstat.CompstatSnapshot.objects.get(
        week_ending=test_compstat.WEEK_ENDING, area_key=test_compstat.EVERYWHERE
    )
    html = page(browser, "/compstat/", area=city_areas["city"].id, snapshot=snapshot.pk)
    heading = re.search(r"<h1>(.*?)</h1>", html, re.S).group(1)
    assert f"截至 {test_compstat.WEEK_ENDING.isoformat()}" in heading
    assert timezone.localdate().isoformat() not in heading


def test_compstat_cells_without_data_show_a_dash_with_the_reason(city_areas, browser, get):
    test_compstat.ingest(test_compstat.SPECS)
    test_compstat.rollups_recompute_dirty()
    first = min(spec.day for spec in test_compstat.SPECS)
    day = (first + timedelta(days=40)).isoformat()
    tables = get("compstat", date=day, area=city_areas["city"].id)["tables"]
    flagged = [
        cell for table in tables for row in table["rows"] for cell in row.values()
        if isinstance(cell, dict) and "reason" in cell
    ]  # fmt: skip
    assert flagged  # a year before the first data has none
    html = page(browser, "/compstat/", date=day, area=city_areas["city"].id)
    cells = re.findall(r'<td class="num no-data" data-flag="(\w+)" title="([^"]+)">—</td>', html)
    assert [flag for flag, _ in cells] == [cell["flag"] for cell in flagged]
    assert all(reason for _, reason in cells)


def test_tiles_of_a_window_in_the_future_show_a_dash_with_the_reason(city_areas, browser):
    later = (timezone.localdate() + timedelta(days=30)).isoformat()
    html = page(browser, "/", window="7d", date=later, area=city_areas["city"].id)
    dashes = re.findall(r'<span class="no-data" data-flag="(\w+)" title="([^"]+)">—</span>', html)
    tiles = len(attributes(html, "data-tile"))
    assert tiles and len(dashes) == 2 * tiles
    assert {flag for flag, _ in dashes} == {"no_data"}
    assert all(title for _, title in dashes)
    assert "‼" not in html


def test_the_overview_names_the_top_movers_the_api_gives(movers_data, browser, get, city_areas):
    params = {"window": "month", "date": "2024-05-15", "area": city_areas["city"].id}
    movers = get("movers", **params)
    html = page(browser, "/", **params)
    shown = attributes(html, "data-mover")
    expected = [
        str(mover["code"] if by == "categories" else mover["id"])
        for by in ("categories", "areas")
        for direction in ("rises", "falls")
        for mover in movers[by][direction]
    ]
    assert expected and shown == expected


def test_the_picker_labels_a_window_counting_today_so_far(city_areas, browser):
    html = page(browser, "/", window="7d", partial="today", area=city_areas["city"].id)
    label = re.search(r"<span data-today-so-far>(.*?)</span>", html, re.S)
    assert label and "今日截至" in label.group(1)
    assert 'name="partial" value="today" checked' in html
