"""The campaign page's forms in Chromium on the demo city, as the district commander: KPI
progress reported, a remediation inspection recorded, a sweep's tallies corrected — each once
accepted (the campaigns API then answers what was typed) and once refused, the message next to
its field and what was typed still there. A city analyst, who may change none, sees no form."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from ..browser import save_screenshot
from .conftest import api_get

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.redis]


def results(data) -> list:
    return data["results"] if isinstance(data, dict) else data


def active_campaign(page) -> dict:
    """The commander's running campaign with counter items (the demo's 百日行动)."""
    for campaign in results(api_get(page, "/api/v1/campaigns/", status="active")):
        kpis = results(api_get(page, "/api/v1/campaigns/kpis/", campaign=campaign["id"]))
        if any(item["metric"] == "counter" for item in kpis):
            return campaign
    pytest.fail("the demo city has no active campaign with counter items")


def field_errors(page, form: str, field: str) -> list[str]:
    return page.locator(
        f'form[data-form="{form}"] [data-field="{field}"] [data-errors="{field}"] li'
    ).all_inner_texts()


def submit(page, form: str) -> int:
    with page.expect_navigation() as navigation:
        page.click(f'form[data-form="{form}"] button[type=submit]')
    return navigation.value.status


def test_a_commander_reports_kpi_progress_on_a_counter_item(page_as):
    with page_as("commander") as page:
        campaign = active_campaign(page)
        items = results(api_get(page, "/api/v1/campaigns/kpis/", campaign=campaign["id"]))
        item = next(item for item in items if item["metric"] == "counter")
        before = api_get(page, f"/api/v1/campaigns/kpis/{item['id']}/reports/")
        page.goto(f"/campaigns/{campaign['id']}/")
        with page.expect_navigation():
            page.click(f'[data-report-item="{item["id"]}"]')
        assert page.input_value("#id_report-item") == str(item["id"])
        day = (date.fromisoformat(campaign["starts_on"]) + timedelta(days=10)).isoformat()
        page.fill("#id_report-reported_on", day)
        page.fill("#id_report-value", "-2")
        page.fill("#id_report-note", "第十周上报")
        assert submit(page, "report") == 400
        assert field_errors(page, "report", "value") == ["上报数量不能为负数"]
        assert page.input_value("#id_report-value") == "-2"
        assert page.input_value("#id_report-note") == "第十周上报"
        assert page.input_value("#id_report-reported_on") == day
        assert api_get(page, f"/api/v1/campaigns/kpis/{item['id']}/reports/") == before
        page.fill("#id_report-value", "7")
        assert submit(page, "report") == 200
        save_screenshot(page, "campaign-report")
        assert page.locator("[data-messages]").inner_text() == "已上报进度。"
        reports = api_get(page, f"/api/v1/campaigns/kpis/{item['id']}/reports/")
        assert len(reports) == len(before) + 1
        new = reports[-1] if reports[-1]["note"] == "第十周上报" else next(
            r for r in reports if r["note"] == "第十周上报")  # fmt: skip
        assert (new["reported_on"], Decimal(new["value"]), new["reporter"]) == (
            day, Decimal(7), "commander",
        )  # fmt: skip
        current = api_get(page, f"/api/v1/campaigns/kpis/{item['id']}/")["current"]
        shown = page.get_attribute(f'tr[data-kpi="{item["id"]}"] [data-current]', "value")
        assert Decimal(shown) == Decimal(current)
        total = sum(Decimal(r["value"]) for r in reports)
        assert Decimal(current) == total
        # The refused post's own answer (400) is the one resource the console reports.
        assert [e for e in page.console_errors if "status of 400" not in e] == []


def test_a_commander_records_a_remediation_inspection(page_as):
    with page_as("commander") as page:
        campaign = active_campaign(page)
        areas = results(
            api_get(page, "/api/v1/campaigns/remediation-areas/", campaign=campaign["id"])
        )
        page.goto(f"/campaigns/{campaign['id']}/")
        offered = page.locator("#id_inspection-area option").evaluate_all(
            "o => o.map(x => +x.value)"
        )
        assert sorted(offered) == sorted(area["id"] for area in areas)
        area = next(a for a in areas if a["id"] == offered[0])
        before = api_get(page, f"/api/v1/campaigns/remediation-areas/{area['id']}/inspections/")
        listed = date.fromisoformat(area["listed_on"])
        page.select_option("#id_inspection-area", str(area["id"]))
        page.fill("#id_inspection-inspected_on", (listed - timedelta(days=1)).isoformat())
        page.fill("#id_inspection-findings", "夜间复查，摊点占道减少")
        assert submit(page, "inspection") == 400
        assert field_errors(page, "inspection", "inspected_on") == [
            f"检查日期早于挂牌日期（{listed.isoformat()}）"
        ]
        assert page.input_value("#id_inspection-findings") == "夜间复查，摊点占道减少"
        assert page.input_value("#id_inspection-area") == str(area["id"])
        page.fill("#id_inspection-inspected_on", (listed + timedelta(days=1)).isoformat())
        assert submit(page, "inspection") == 200
        after = api_get(page, f"/api/v1/campaigns/remediation-areas/{area['id']}/inspections/")
        assert len(after) == len(before) + 1
        new = next(row for row in after if row["findings"] == "夜间复查，摊点占道减少")
        assert (new["inspected_on"], new["inspector"]) == (
            (listed + timedelta(days=1)).isoformat(), "commander",
        )  # fmt: skip


def test_a_commander_corrects_a_sweeps_tallies(page_as):
    with page_as("commander") as page:
        campaign = active_campaign(page)
        page.goto(f"/campaigns/{campaign['id']}/")
        editable = page.locator("[data-sweep]").evaluate_all("l => l.map(x => +x.dataset.sweep)")
        own = {area["id"] for area in api_get(page, "/api/v1/areas/")}
        sweeps = {
            sweep["id"]: sweep
            for sweep in results(
                api_get(page, "/api/v1/campaigns/sweeps/", campaign=campaign["id"], page_size=1000)
            )
        }
        assert editable and all(set(sweeps[pk]["areas"]) <= own for pk in editable)
        sweep = sweeps[editable[0]]
        with page.expect_navigation():
            page.click(f'[data-sweep="{sweep["id"]}"] a')
        assert int(page.input_value("#id_sweep-hazards_found")) == sweep["hazards_found"]
        assert int(page.input_value("#id_sweep-officers")) == sweep["officers"]
        found = sweep["hazards_found"]
        page.fill("#id_sweep-officers", str(sweep["officers"] + 10))
        page.fill("#id_sweep-hazards_rectified", str(found + 1))
        assert submit(page, "sweep") == 400
        assert field_errors(page, "sweep", "hazards_rectified") == ["整改隐患数不能多于发现隐患数"]
        assert page.input_value("#id_sweep-hazards_rectified") == str(found + 1)
        assert page.input_value("#id_sweep-officers") == str(sweep["officers"] + 10)
        unchanged = api_get(page, f"/api/v1/campaigns/sweeps/{sweep['id']}/")
        assert unchanged["hazards_rectified"] == sweep["hazards_rectified"]
        page.fill("#id_sweep-hazards_rectified", str(found))
        assert submit(page, "sweep") == 200
        saved = api_get(page, f"/api/v1/campaigns/sweeps/{sweep['id']}/")
        assert (saved["officers"], saved["hazards_rectified"]) == (sweep["officers"] + 10, found)


def test_a_city_analyst_is_offered_no_campaign_form(page_as):
    with page_as("analyst") as page:
        campaign = active_campaign(page)
        page.goto(f"/campaigns/{campaign['id']}/")
        assert page.locator("#kpis tr[data-kpi]").count() > 0
        assert page.locator(".entry-forms, form[data-form], [data-report-item]").count() == 0
