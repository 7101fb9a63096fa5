"""The alerts page in Chromium on the demo city: the first list equals the alerts API, an alert
raised by a new incident arrives live with its toast, acknowledging in the page moves the alert
and the badge."""

import uuid
from datetime import timedelta
from urllib.parse import urlencode

import pytest
from django.utils import timezone

from ..browser import log_in, save_screenshot
from .conftest import DEMO_PASSWORD, api_get

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.redis]

# A category the demo's default instant rule 致死交通事故 alerts on (demo/alerts.py).
FATAL_ACCIDENT = "traffic_accident_fatal"


def shown_alerts(page) -> list[dict]:
    return page.locator("#alerts [data-alert-id]").evaluate_all(
        "items => items.map(i => ({id: parseInt(i.dataset.alertId, 10), state: i.dataset.state}))"
    )


def open_alerts(page, query: str = "") -> None:
    """The alerts page with its socket open (the shell has had the backlog)."""
    page.goto(f"/alerts/{query}")
    page.wait_for_function(
        "() => SafeCity.alertSocket && SafeCity.alertSocket.readyState === WebSocket.OPEN"
    )


def csrf_headers(page) -> dict:
    token = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    return {"X-CSRFToken": token}


def report_fatal_accident(page) -> dict:
    """A fatal traffic accident reported through the API by the demo station officer (only
    officers record incidents; the station lies in the commander's district), where one of the
    officer's incidents happened."""
    origin = "/".join(page.url.split("/")[:3])
    context = page.context.browser.new_context(base_url=origin)
    try:
        officer = context.new_page()
        log_in(officer, "officer", DEMO_PASSWORD)
        incidents = api_get(officer, "/api/v1/incidents/", page_size=50)["results"]
        place = next(incident for incident in incidents if incident["lon"] is not None)
        response = officer.request.post(
            "/api/v1/incidents/",
            data={
                "source_ref": f"page-test-{uuid.uuid4()}",
                "category": FATAL_ACCIDENT,
                "reported_at": (timezone.now() - timedelta(minutes=1)).isoformat(),
                "lon": place["lon"],
                "lat": place["lat"],
                "address": "测试路1号",
                "summary": "两车相撞，一人死亡",
            },
            headers=csrf_headers(officer),
        )
        assert response.status == 201, response.text()
        return response.json()
    finally:
        context.close()


def open_count(page) -> int:
    """Open alerts in the user's scope, as the API lists them."""
    response = api_get(page, "/api/v1/alerts/", state="open", page_size=1000)
    count = len(response["results"])
    while response["next"]:
        response = page.request.get(response["next"]).json()
        count += len(response["results"])
    return count


def test_alerts_page_loads_without_console_errors(page_as):
    with page_as("commander") as page:
        open_alerts(page)
        report_fatal_accident(page)
        page.wait_for_selector("#alerts .fresh")
        save_screenshot(page, "alerts")
        assert page.locator("#alerts [data-alert-id]").count() > 0
        assert page.console_errors == []


@pytest.mark.parametrize("query", [{}, {"state": "open"}, {"severity": "critical"}])
def test_first_list_equals_the_latest_alerts_of_the_api(page_as, query):
    with page_as("commander") as page:
        # A critical alert in the commander's district, so that every list has one.
        report_fatal_accident(page)
        open_alerts(page, "?" + urlencode(query))
        limit = int(page.locator("#alerts").get_attribute("data-limit"))
        expected = api_get(page, "/api/v1/alerts/", page_size=limit, **query)["results"]
        assert expected
        shown = shown_alerts(page)
        assert shown == [{"id": alert["id"], "state": alert["state"]} for alert in expected]
        assert page.console_errors == []


def test_state_filter_lists_only_alerts_in_that_state(page_as):
    with page_as("commander") as page:
        open_alerts(page)
        incident = report_fatal_accident(page)
        alert = next(
            alert
            for alert in api_get(page, "/api/v1/alerts/", state="open")["results"]
            if alert["incident"] == incident["id"]
        )
        page.request.post(f"/api/v1/alerts/{alert['id']}/acknowledge/", headers=csrf_headers(page))
        open_alerts(page, "?state=acknowledged")
        shown = shown_alerts(page)
        assert {"id": alert["id"], "state": "acknowledged"} in shown
        assert {item["state"] for item in shown} == {"acknowledged"}
        assert page.locator("input[type=radio][name=state][value=acknowledged]").is_checked()


def test_an_incidents_alert_appears_live_with_a_toast(page_as):
    with page_as("commander") as page:
        open_alerts(page, "?state=open")
        incident = report_fatal_accident(page)
        item = page.wait_for_selector(
            f'#alerts [data-alert-id]:has(a.title[href="/incidents/{incident["id"]}/"])',
            timeout=2000,
        )
        alert_id = int(item.get_attribute("data-alert-id"))
        page.wait_for_selector(f'.toast[data-alert-id="{alert_id}"]', timeout=2000)
        alert = api_get(page, f"/api/v1/alerts/{alert_id}/")
        assert (alert["incident"], alert["state"]) == (incident["id"], "open")
        assert item.get_attribute("data-state") == "open"
        assert page.console_errors == []


def test_acknowledging_in_the_page_moves_the_alert_and_the_badge(page_as):
    with page_as("commander") as page:
        open_alerts(page)
        incident = report_fatal_accident(page)
        item = page.wait_for_selector(
            f'#alerts [data-alert-id]:has(a.title[href="/incidents/{incident["id"]}/"])'
        )
        alert_id = item.get_attribute("data-alert-id")
        page.wait_for_function(
            "(n) => document.querySelector('[data-alert-count]').textContent === String(n)",
            arg=open_count(page),
        )
        item.query_selector("button[data-action=acknowledge]").click()
        page.wait_for_selector(f'#alerts [data-alert-id="{alert_id}"][data-state=acknowledged]')
        alert = api_get(page, f"/api/v1/alerts/{alert_id}/")
        assert (alert["state"], alert["acknowledged_by"]) == ("acknowledged", "commander")
        # The badge counts the open alerts in scope: one fewer, as the API now lists them.
        page.wait_for_function(
            "(n) => document.querySelector('[data-alert-count]').textContent === String(n)",
            arg=open_count(page),
        )
        assert page.console_errors == []
