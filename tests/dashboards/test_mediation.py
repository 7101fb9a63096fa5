"""The mediation page in Chromium on the demo city: headline figures, rates and the funnel equal
``/api/v1/mediation/stats/`` for the same selection; the overdue follow-ups and the latest cases
equal the mediation API's, parties masked as the API masks them."""

import pytest

from ..browser import save_screenshot
from .conftest import api_get

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.redis]


def api_all(page, path: str, **params) -> list[dict]:
    """Every item of a cursor-paginated API list."""
    response = api_get(page, path, page_size=1000, **params)
    items = response["results"]
    while response["next"]:
        response = page.request.get(response["next"]).json()
        items += response["results"]
    return items


def stats_params(page) -> dict:
    return page.evaluate("SafeCity.config.stats")


def open_mediation(page, query: str = "") -> None:
    page.goto(f"/mediation/{query}")
    page.wait_for_selector("#funnel canvas")
    page.wait_for_selector("#types canvas")
    page.wait_for_selector("#areas:not([data-loading])")


def test_mediation_page_loads_without_console_errors(page_as):
    with page_as("analyst") as page:
        open_mediation(page, "?window=ytd")
        save_screenshot(page, "mediation")
        assert page.locator("[data-tile]").count() > 0
        assert page.locator("#areas tbody tr").count() > 0
        assert page.console_errors == []


def test_headline_figures_and_rates_equal_the_mediation_stats_api(page_as):
    with page_as("analyst") as page:
        open_mediation(page, "?window=ytd")
        expected = api_get(page, "/api/v1/mediation/stats/", **stats_params(page))
        tiles = page.evaluate(
            """() => [...document.querySelectorAll('[data-tile]')].map(t => ({
                source: t.dataset.source, measure: t.dataset.measure,
                current: parseFloat(t.querySelector('[data-current]').getAttribute('value')),
                yoy: parseFloat(t.querySelector('[data-compare=yoy]').dataset.base),
                pop: parseFloat(t.querySelector('[data-compare=pop]').dataset.base)}))"""
        )
        assert {tile["source"] for tile in tiles} == {"mediation"}
        assert expected["measures"]["screened"]["current"] > 0
        for tile in tiles:
            block = expected["measures"][tile["measure"]]
            got = {name: tile[name] for name in ("current", "yoy", "pop")}
            assert got == pytest.approx(
                {
                    "current": block["current"],
                    "yoy": block["yoy"]["base"],
                    "pop": block["pop"]["base"],
                }
            ), tile["measure"]
        rates = page.evaluate(
            """() => Object.fromEntries([...document.querySelectorAll('[data-rate]')].map(r => [
                r.dataset.rate,
                Object.fromEntries(['current', 'yoy', 'pop'].map(n => [
                    n, r.dataset[n] === '' ? null : parseFloat(r.dataset[n])]))]))"""
        )
        assert rates.keys() == expected["rates"].keys()
        for name, rate in rates.items():
            assert rate == pytest.approx(expected["rates"][name]), name


def test_funnel_equals_the_mediation_stats_api(page_as):
    with page_as("commander") as page:
        open_mediation(page)
        expected = api_get(page, "/api/v1/mediation/stats/", **stats_params(page))["funnel"]
        shown = page.evaluate(
            """() => [...document.querySelectorAll('[data-funnel] [data-stage]')].map(s => ({
                stage: s.dataset.stage, count: parseInt(s.dataset.count, 10),
                of_screened: s.dataset.ofScreened === ''
                    ? null : parseFloat(s.dataset.ofScreened)}))"""
        )
        assert shown == expected
        charted = page.evaluate(
            """() => echarts.getInstanceByDom(document.getElementById('funnel'))
                .getOption().series[0].data.map(d => d.value)"""
        )
        assert charted == [stage["count"] for stage in expected]
        assert page.console_errors == []


def test_dispute_types_chart_shows_the_apis_types(page_as):
    with page_as("analyst") as page:
        open_mediation(page, "?window=ytd")
        expected = api_get(page, "/api/v1/mediation/stats/", **stats_params(page), by="type")
        assert page.locator("#types").get_attribute("data-types").split(",") == [
            row["code"] for row in expected["rows"]
        ]
        screened = page.evaluate(
            """() => echarts.getInstanceByDom(document.getElementById('types'))
                .getOption().series[0].data"""
        )
        assert screened == [row["screened"] for row in reversed(expected["rows"])]


def test_overdue_follow_ups_equal_the_api(page_as):
    with page_as("commander") as page:
        open_mediation(page)
        expected = api_all(page, "/api/v1/mediation/follow-ups/", overdue="true")
        assert expected, "the demo city has overdue follow-ups"
        count = int(page.locator("[data-overdue-count]").get_attribute("data-overdue-count"))
        shown = page.locator("#overdue [data-follow-up]").evaluate_all(
            "rows => rows.map(r => parseInt(r.dataset.followUp, 10))"
        )
        assert count == len(expected)
        earliest = sorted(expected, key=lambda item: (item["due_at"], item["id"]))
        assert shown == [item["id"] for item in earliest[: len(shown)]]
        assert all(item["overdue"] for item in expected)


@pytest.mark.parametrize(("username", "masked"), [("commander", True), ("officer", False)])
def test_latest_cases_equal_the_api_with_parties_as_the_api_shows_them(page_as, username, masked):
    with page_as(username) as page:
        open_mediation(page)
        # The selection as case filters: the window's days and the area, as the page reads.
        filters = page.evaluate("SafeCity.config.incidents")
        cases = api_all(page, "/api/v1/mediation/cases/", **filters)
        assert cases, "the demo city has cases in the window"
        latest = sorted(cases, key=lambda case: case["screened_at"], reverse=True)
        rows = page.evaluate(
            """() => [...document.querySelectorAll('#cases [data-case]')].map(r => ({
                id: r.dataset.case, status: r.dataset.status, type: r.dataset.type,
                area: parseInt(r.dataset.area, 10),
                parties: [...r.querySelectorAll('.party')].map(p => ({
                    name: p.dataset.partyName, phone: p.dataset.partyPhone}))}))"""
        )
        assert [row["id"] for row in rows] == [case["id"] for case in latest[: len(rows)]]
        by_id = {case["id"]: case for case in cases}
        for row in rows:
            case = by_id[row["id"]]
            assert (row["status"], row["type"], row["area"]) == (
                case["status"],
                case["type"],
                case["area"],
            )
            parties = [{"name": p["name"], "phone": p.get("phone", "")} for p in case["parties"]]
            assert row["parties"] == parties
        names = [party["name"] for row in rows for party in row["parties"]]
        assert names and all(("*" in name) == masked for name in names)
        assert page.console_errors == []
