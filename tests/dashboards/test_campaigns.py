"""The campaign pages in Chromium on the demo city: the list and the detail show what the
campaigns API answers for the same user; another district's campaign is a 404."""

from collections import Counter

import pytest

from ..browser import save_screenshot
from .conftest import api_get

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.redis]


def results(data) -> list:
    """The rows of a list endpoint's answer (paged or not)."""
    return data["results"] if isinstance(data, dict) else data


def number(text):
    return None if text in (None, "") else float(text)


def csrf_headers(page) -> dict:
    token = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    return {"X-CSRFToken": token}


def campaign_with_kpis(page) -> int:
    """A campaign of the user's whose KPI list (as the API gives it) is not empty."""
    for campaign in results(api_get(page, "/api/v1/campaigns/")):
        kpis = results(api_get(page, "/api/v1/campaigns/kpis/", campaign=campaign["id"]))
        if kpis:
            return campaign["id"]
    pytest.fail("the demo city has no campaign with KPI items")


def test_campaign_list_shows_each_campaign_with_its_kpi_statuses_as_the_api(page_as):
    with page_as("analyst") as page:
        page.goto("/campaigns/")
        save_screenshot(page, "campaigns")
        rows = page.evaluate(
            """() => [...document.querySelectorAll('#campaigns tr[data-campaign]')].map(r => ({
                id: +r.dataset.campaign, status: r.dataset.status,
                starts: r.querySelector('[data-starts]').getAttribute('datetime'),
                ends: r.querySelector('[data-ends]').getAttribute('datetime'),
                total: +r.querySelector('[data-kpi-total]').dataset.kpiTotal,
                kpis: Object.fromEntries([...r.querySelectorAll('[data-kpi-status]')]
                    .map(s => [s.dataset.kpiStatus, +s.dataset.count]))}))"""
        )
        campaigns = {c["id"]: c for c in results(api_get(page, "/api/v1/campaigns/"))}
        assert campaigns
        assert sorted(row["id"] for row in rows) == sorted(campaigns)
        for row in rows:
            campaign = campaigns[row["id"]]
            assert (row["status"], row["starts"], row["ends"]) == (
                campaign["status"],
                campaign["starts_on"],
                campaign["ends_on"],
            )
            items = results(api_get(page, "/api/v1/campaigns/kpis/", campaign=row["id"]))
            assert row["total"] == len(items)
            assert row["kpis"] == dict(Counter(item["status"] for item in items))
        assert page.console_errors == []


@pytest.mark.parametrize("username", ["analyst", "commander"])
def test_kpi_table_shows_the_items_progress_and_status_as_the_kpi_api(page_as, username):
    with page_as(username) as page:
        campaign = campaign_with_kpis(page)
        page.goto(f"/campaigns/{campaign}/")
        page.wait_for_selector("#results [data-result]")
        save_screenshot(page, "campaign" if username == "analyst" else f"campaign-{username}")
        shown = page.evaluate(
            """() => [...document.querySelectorAll('#kpis tr[data-kpi]')].map(r => ({
                id: +r.dataset.kpi, status: r.dataset.status,
                unit: +r.closest('tbody').dataset.unit,
                target: r.querySelector('[data-target]').getAttribute('value'),
                current: r.querySelector('[data-current]').getAttribute('value'),
                percent: r.querySelector('[data-percent]').getAttribute('value'),
                bar: r.querySelector('.progress').className}))"""
        )
        items = results(api_get(page, "/api/v1/campaigns/kpis/", campaign=campaign))
        assert len(shown) == len(items) > 0
        expected = {
            item["id"]: {
                "status": item["status"],
                "unit": item["unit"],
                "target": float(item["target"]),
                "current": number(item["current"]),
                "percent": number(item["percent_of_target"]),
            }
            for item in items
        }
        for row in shown:
            assert f"status-{row['status']}" in row["bar"]
            got = {
                "status": row["status"],
                "unit": row["unit"],
                "target": float(row["target"]),
                "current": number(row["current"]),
                "percent": number(row["percent"]),
            }
            assert got == expected[row["id"]], row["id"]
        # Grouped by responsible unit: each unit's items in one block.
        units = [row["unit"] for row in shown]
        assert units == sorted(units, key=units.index)
        assert page.console_errors == []


def test_results_and_last_years_comparison_equal_the_campaign_summary(page_as):
    with page_as("analyst") as page:
        campaign = campaign_with_kpis(page)
        page.goto(f"/campaigns/{campaign}/")
        page.wait_for_selector("#results [data-result]")
        page.wait_for_selector("#yoy tfoot tr")
        summary = api_get(page, f"/api/v1/campaigns/{campaign}/summary/")
        figures = page.evaluate(
            """() => Object.fromEntries([...document.querySelectorAll('#results [data-result]')]
                .map(r => [r.dataset.result, parseFloat(r.querySelector('data').value)]))"""
        )
        assert figures["sweeps.count"] == summary["sweeps"]["count"]
        for key, value in figures.items():
            group, name = key.split(".", 1)
            assert value == pytest.approx(summary[group][name]), key
        rows = page.evaluate(
            """() => [...document.querySelectorAll('#yoy tbody tr, #yoy tfoot tr')].map(r => [
                +r.querySelector('[data-current]').dataset.current,
                +r.querySelector('[data-base]').dataset.base])"""
        )
        incidents = summary["incidents"]
        expected = [[row["current"], row["yoy"]["base"]] for row in incidents["rows"]]
        expected.append([incidents["total"]["current"], incidents["total"]["yoy"]["base"]])
        assert rows == expected
        assert page.console_errors == []


def test_remediation_areas_are_mapped_with_their_incidents_and_inspections(page_as):
    with page_as("analyst") as page:
        campaign = next(
            c["id"]
            for c in results(api_get(page, "/api/v1/campaigns/"))
            if results(api_get(page, "/api/v1/campaigns/remediation-areas/", campaign=c["id"]))
        )
        page.goto(f"/campaigns/{campaign}/")
        areas = results(api_get(page, "/api/v1/campaigns/remediation-areas/", campaign=campaign))
        page.wait_for_function(
            "n => document.querySelectorAll('#remediations td[data-current]').length === n",
            arg=len(areas),
        )
        shown = page.evaluate(
            """() => Object.fromEntries([...document.querySelectorAll('#remediations tr')]
                .filter(r => r.dataset.remediation).map(r => [r.dataset.remediation, {
                    status: r.dataset.status,
                    current: +r.querySelector('[data-current]').dataset.current}]))"""
        )
        expected = {}
        for area in areas:
            stats = api_get(page, f"/api/v1/campaigns/remediation-areas/{area['id']}/stats/")
            expected[str(area["id"])] = {"status": area["status"], "current": stats["current"]}
        assert shown == expected
        mapped = page.evaluate(
            "() => Object.keys(document.getElementById('map').remediationLayers).sort()"
        )
        assert mapped == sorted(expected)
        # Clicking an area lists its inspections, as the inspections API gives them.
        first = areas[0]["id"]
        page.click(f'#remediations tr[data-remediation="{first}"] a')
        page.wait_for_selector(f'#inspections[data-area="{first}"]:not([data-loading])')
        listed = page.evaluate(
            """() => [...document.querySelectorAll('#inspections [data-inspection]')]
                .map(i => +i.dataset.inspection)"""
        )
        inspections = api_get(page, f"/api/v1/campaigns/remediation-areas/{first}/inspections/")
        assert listed == [row["id"] for row in inspections]
        assert page.console_errors == []


def test_district_commander_gets_404_for_another_districts_campaign(page_as):
    with page_as("commander") as page:
        own = {area["id"] for area in api_get(page, "/api/v1/areas/", kind="district")}
    with page_as("admin") as page:
        districts = api_get(page, "/api/v1/areas/", kind="district")
        other = next(area for area in districts if area["id"] not in own)
        created = page.request.post(
            "/api/v1/campaigns/",
            data={
                "name": f"{other['name']}专项整治",
                "code": f"page-test-{other['id']}",
                "kind": "special",
                "starts_on": "2024-03-01",
                "ends_on": "2024-05-31",
                "organizer": other["id"],
                "scope_areas": [other["id"]],
            },
            headers=csrf_headers(page),
        )
        assert created.status == 201, created.text()
        campaign = created.json()["id"]
    try:
        with page_as("commander") as page:
            response = page.goto(f"/campaigns/{campaign}/")
            assert response.status == 404
            assert page.request.get(f"/api/v1/campaigns/{campaign}/").status == 404
            page.goto("/campaigns/")
            listed = page.eval_on_selector_all(
                "#campaigns tr[data-campaign]", "rows => rows.map(r => +r.dataset.campaign)"
            )
            assert listed and campaign not in listed
    finally:
        with page_as("admin") as page:
            deleted = page.request.delete(
                f"/api/v1/campaigns/{campaign}/", headers=csrf_headers(page)
            )
            assert deleted.status == 204
