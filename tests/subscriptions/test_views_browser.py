"""The saved-views control of the shell's header in Chromium, on the served demo city: a
commander saves the incident list's selection, opens it from another page, makes it the home
view the site root opens, and a colleague elsewhere never sees it."""

from urllib.parse import parse_qs, urlsplit

import pytest

from ..browser import chromium_page, log_in, save_screenshot
from ..demo_site import DEMO_PASSWORD, serve_demo_city

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.redis]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    with serve_demo_city(suffix="views", var_dir=tmp_path_factory.mktemp("views-var")) as site:
        yield site


def api_get(page, path: str, **params):
    response = page.request.get(path, params=params)
    assert response.ok, f"{path}: HTTP {response.status}"
    return response.json()


def open_menu(page):
    page.click("[data-views] > summary")
    page.wait_for_selector("[data-views-list]:not([data-loading])", state="attached")


def test_a_view_is_saved_from_the_header_and_opened_again(site):
    with chromium_page(site.url) as page:
        log_in(page, "commander", DEMO_PASSWORD)
        [district] = api_get(page, "/api/v1/areas/", kind="district")
        selection = f"area={district['id']}&window=custom&from=2026-10-01&to=2026-10-31"
        page.goto(f"/incidents/?{selection}&category=theft")
        page.wait_for_load_state("networkidle")
        open_menu(page)
        page.fill("[data-view-save] input[name=name]", "十月盗窃")
        page.check("[data-view-save] input[name=shared]")
        page.click("[data-view-save] button[type=submit]")
        page.wait_for_selector("[data-views-list] li:has-text('十月盗窃')")
        save_screenshot(page, "saved-views-menu")
        [saved] = [view for view in api_get(page, "/api/v1/views/") if view["name"] == "十月盗窃"]
        assert (saved["path"], saved["shared"], saved["area"]) == (
            "/incidents/", True, district["id"],
        )  # fmt: skip
        assert parse_qs(saved["query"]) == parse_qs(f"{selection}&category=theft")

        # From another page, the view's link opens the incident list with that selection.
        page.goto("/alerts/")
        open_menu(page)
        page.click("[data-views-list] a:has-text('十月盗窃')")
        page.wait_for_load_state("networkidle")
        opened = urlsplit(page.url)
        assert opened.path == "/incidents/"
        assert parse_qs(opened.query) == parse_qs(saved["query"])
        assert page.locator("[data-picker] select[name=area]").input_value() == str(district["id"])
        assert page.locator("[data-picker] input[name=from]").input_value() == "2026-10-01"

        # Made the home view, it is what the site root opens.
        open_menu(page)
        item = page.locator(f"[data-views-list] li[data-view-id='{saved['id']}']")
        item.locator("[data-view-home]").click()
        page.wait_for_selector(f"li[data-view-id='{saved['id']}'] [aria-pressed=true]")
        page.goto("/")
        assert urlsplit(page.url).path == "/incidents/"
        assert parse_qs(urlsplit(page.url).query) == parse_qs(saved["query"])
        assert page.console_errors == []

    # The station officer's jurisdiction is smaller than the district: the shared view is not
    # theirs to see; the city analyst sees it, and may not delete it.
    with chromium_page(site.url) as page:
        log_in(page, "officer", DEMO_PASSWORD)
        assert saved["id"] not in {view["id"] for view in api_get(page, "/api/v1/views/")}
        assert page.request.get(f"/views/{saved['id']}/").status == 404
    with chromium_page(site.url) as page:
        log_in(page, "analyst", DEMO_PASSWORD)
        page.goto("/alerts/")
        open_menu(page)
        item = page.locator(f"[data-views-list] li[data-view-id='{saved['id']}']")
        assert item.locator("[data-view-delete]").count() == 0
        assert "commander" in item.inner_text()

    # Its owner deletes it.
    with chromium_page(site.url) as page:
        log_in(page, "commander", DEMO_PASSWORD)
        page.goto("/alerts/")
        open_menu(page)
        page.locator(f"li[data-view-id='{saved['id']}'] [data-view-delete]").click()
        page.wait_for_selector(f"li[data-view-id='{saved['id']}']", state="detached")
        assert api_get(page, "/api/v1/views/") == []
        page.goto("/")
        assert urlsplit(page.url).path == "/"
