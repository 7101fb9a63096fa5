"""The shell in Chromium: every page of the navigation loads clean, the language switch
changes the labels, and a district commander cannot open another district's pages."""

import re

import pytest

from ..browser import save_screenshot
from .conftest import api_get

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.redis]

CJK = re.compile(r"[\u4e00-\u9fff]")


def test_every_page_in_the_navigation_loads_without_console_errors(page_as):
    with page_as("commander") as page:
        page.goto("/")
        links = page.locator("nav.main-nav a").evaluate_all(
            "links => links.map(a => [a.dataset.nav, a.getAttribute('href')])"
        )
        assert [key for key, _ in links] == [
            "overview", "incidents", "compstat", "reports", "analysis", "campaigns", "patrols",
            "mediation", "alerts",
        ]  # fmt: skip
        for key, href in links:
            response = page.goto(href)
            assert response.status == 200, href
            page.wait_for_load_state("networkidle")
            assert page.locator(f"nav a[data-nav={key}][aria-current=page]").count() == 1
            assert page.locator("main h1").count() == 1
            save_screenshot(page, f"page-{key}")
            assert page.console_errors == [], (href, page.console_errors)


def test_language_switch_changes_the_labels(page_as):
    with page_as("analyst") as page:
        page.goto("/incidents/")
        chinese = page.locator("nav.main-nav a").all_inner_texts()
        assert all(CJK.search(label) for label in chinese if label != "CompStat")
        page.click("form.lang-switch button[value=en]")
        page.wait_for_load_state("networkidle")
        assert page.url.endswith("/incidents/")
        assert page.get_attribute("html", "lang") == "en"
        english = page.locator("nav.main-nav a").all_inner_texts()
        assert english != chinese
        assert not any(CJK.search(label) for label in english)
        assert not CJK.search(page.locator("main h1").inner_text().split("·")[0])
        # And back.
        page.click("form.lang-switch button[value=zh-hans]")
        page.wait_for_load_state("networkidle")
        assert page.locator("nav.main-nav a").all_inner_texts() == chinese


def test_district_commander_cannot_reach_another_districts_pages(page_as):
    with page_as("analyst") as page:
        districts = api_get(page, "/api/v1/areas/", kind="district")
        others = {
            district["id"]: api_get(
                page, "/api/v1/incidents/", area=district["id"], since="2000-01-01T00:00:00Z"
            )["results"][:1]
            for district in districts
        }
    with page_as("commander") as page:
        own = api_get(page, "/api/v1/areas/", kind="district")
        assert len(own) == 1
        own_id = own[0]["id"]
        picker = page.locator("select[name=area] option").evaluate_all(
            "options => options.map(o => parseInt(o.value))"
        )
        assert own_id in picker
        visible = {area["id"] for area in api_get(page, "/api/v1/areas/")}
        assert set(picker) <= visible
        other_id = next(key for key in others if key != own_id)
        for path in ("/", "/incidents/", "/compstat/", "/patrols/", "/mediation/", "/alerts/"):
            response = page.goto(f"{path}?area={other_id}")
            assert response.status == 404, path
        incident = others[other_id][0]
        assert page.goto(f"/incidents/{incident['id']}/").status == 404
        # Their own district answers.
        assert page.goto(f"/?area={own_id}").status == 200
