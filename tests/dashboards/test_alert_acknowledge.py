"""Acknowledging an alert with a note on the alerts page, in Chromium on the demo city, as the
district commander: a note too long is refused next to it and kept; a proper one is kept on the
alert (the alerts API answers it) and shown on its item."""

import pytest

from alerts.services import ACKNOWLEDGE_NOTE_MAX

from ..browser import save_screenshot
from .conftest import api_get

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.redis]


def submit(page) -> int:
    with page.expect_navigation() as navigation:
        page.click('form[data-form="acknowledge"] button[type=submit]')
    return navigation.value.status


def test_a_commander_acknowledges_an_alert_with_a_note(page_as):
    with page_as("commander") as page:
        open_alerts = api_get(page, "/api/v1/alerts/", state="open")["results"]
        assert open_alerts, "the demo city has no open alert in the commander's district"
        alert = open_alerts[0]
        page.goto(f"/alerts/?acknowledge={alert['id']}")
        assert page.locator("details#acknowledge[open]").count() == 1
        offered = page.locator("#id_acknowledge-alert option").evaluate_all(
            "o => o.map(x => +x.value)"
        )
        assert offered == [a["id"] for a in open_alerts][: len(offered)]
        assert page.input_value("#id_acknowledge-alert") == str(alert["id"])
        too_long = "已通知辖区派出所核查。" * (ACKNOWLEDGE_NOTE_MAX // 10)
        assert len(too_long) > ACKNOWLEDGE_NOTE_MAX
        page.fill("#id_acknowledge-note", too_long)
        assert submit(page) == 400
        save_screenshot(page, "alert-acknowledge-refused")
        errors = page.locator(
            'form[data-form="acknowledge"] [data-field="note"] [data-errors="note"] li'
        ).all_inner_texts()
        assert errors == [f"备注最多 {ACKNOWLEDGE_NOTE_MAX} 个字（现有 {len(too_long)} 个）"]
        assert page.input_value("#id_acknowledge-note") == too_long
        assert page.input_value("#id_acknowledge-alert") == str(alert["id"])
        assert api_get(page, f"/api/v1/alerts/{alert['id']}/")["state"] == "open"
        page.fill("#id_acknowledge-note", "已通知辖区派出所核查")
        assert submit(page) == 200
        assert page.locator("[data-messages]").inner_text() == "告警已确认。"
        saved = api_get(page, f"/api/v1/alerts/{alert['id']}/")
        assert (saved["state"], saved["acknowledged_by"], saved["acknowledged_note"]) == (
            "acknowledged", "commander", "已通知辖区派出所核查",
        )  # fmt: skip
        page.goto("/alerts/?state=acknowledged")
        page.wait_for_load_state("networkidle")
        note = page.locator(f'[data-alert-id="{alert["id"]}"] [data-ack-note]')
        assert note.inner_text().endswith("已通知辖区派出所核查")
        offered_now = page.locator("#id_acknowledge-alert option").evaluate_all(
            "o => o.map(x => +x.value)"
        )
        assert alert["id"] not in offered_now
