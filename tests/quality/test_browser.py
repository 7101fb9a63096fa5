"""The /quality/ page in Chromium: an officer corrects an impossible timeline through the page's
form; the item leaves the queue and the correction is in the audit log."""

import pytest
from django.utils import timezone

from audit.models import AuditEvent

from ..browser import chromium_page, log_in, save_screenshot
from ..factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-for-tests-1"


def page_errors(page) -> list[str]:
    """Console errors but the live server's missing WebSocket (WSGI serves no sockets) and the
    browser's note of the map tiles it cannot fetch offline."""
    return [
        error
        for error in page.console_errors
        if "WebSocket" not in error and "net::ERR" not in error and "/ws/" not in error
    ]


def test_an_officer_corrects_a_timeline_on_the_page(live_server, two_districts, wrong_timeline):
    from accounts.choices import Role

    UserFactory(username="officer-q", role=Role.STATION_OFFICER, home_area=two_districts[0])
    item = wrong_timeline("T1")
    kept = wrong_timeline("T2")
    # Arrival five minutes after the call, so dispatch must come before it: two minutes in.
    dispatched = timezone.localtime(item.reported_at) + (item.on_scene_at - item.reported_at) / 2

    with chromium_page(live_server.url) as page:
        log_in(page, "officer-q", PASSWORD, next_page="/quality/?kind=timeline")
        article = page.locator(f'article[data-incident="{item.public_id}"]')
        assert article.count() == 1
        count = page.locator('[data-kind="timeline"] .count')
        assert count.inner_text() == "2"
        article.locator('[name="times-dispatched_at"]').fill(
            dispatched.strftime("%Y-%m-%d %H:%M:%S")
        )
        article.locator('form[data-form="times"] button[type=submit]').click()
        page.wait_for_load_state("networkidle")
        save_screenshot(page, "quality-timeline-fixed")

        assert page.locator(f'article[data-incident="{item.public_id}"]').count() == 0
        assert page.locator(f'article[data-incident="{kept.public_id}"]').count() == 1
        assert page.locator('[data-kind="timeline"] .count').inner_text() == "1"
        assert page_errors(page) == []

    item.refresh_from_db()
    assert item.dispatched_at == dispatched.replace(microsecond=0)
    change = AuditEvent.objects.filter(action="update", object_id=str(item.pk)).latest("id")
    assert change.actor_username == "officer-q"
    assert set(change.changes) >= {"dispatched_at"}
