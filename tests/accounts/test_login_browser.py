"""The second factor in a real browser: enrol by QR code, then log in with a code."""

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import lockout
from accounts.choices import Role

from ..browser import chromium_page, save_screenshot
from ..factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_administrator_enrols_and_then_logs_in_with_a_code(live_server, settings):
    settings.OTP_REQUIRED_FOR_STAFF = True
    UserFactory(username="chief", role=Role.ADMINISTRATOR, is_staff=True, is_superuser=True)
    lockout.clear("chief")
    with chromium_page(live_server.url, locale="en-US") as page:
        page.goto("/accounts/login/?next=/admin/")
        page.fill("#id_username", "chief")
        page.fill("#id_password", "pw-for-tests-1")
        page.click("form.login-form button[type=submit]")
        page.wait_for_url("**/accounts/otp/setup/**")
        qr = page.locator("img.otp-qr")
        assert qr.evaluate("image => image.complete && image.naturalWidth > 0")
        secret = page.locator(".otp-secret").inner_text().replace(" ", "")
        device = TOTPDevice.objects.get(user__username="chief", confirmed=False)
        assert len(secret) >= 32
        save_screenshot(page, "accounts-otp-setup")
        page.fill("#id_token", f"{totp(device.bin_key):06d}")
        page.click("form.login-form button[type=submit]")
        page.wait_for_url("**/admin/")
        assert page.locator("#site-name").count() == 1
        assert page.console_errors == []

    with chromium_page(live_server.url) as page:
        page.goto("/accounts/login/?next=/admin/")
        page.fill("#id_username", "chief")
        page.fill("#id_password", "pw-for-tests-1")
        page.click("form.login-form button[type=submit]")
        page.wait_for_url("**/accounts/otp/?next=**")
        # The next 30-second step: a code once used is never accepted again.
        page.fill("#id_token", f"{totp(TOTPDevice.objects.get().bin_key, drift=1):06d}")
        page.click("form.login-form button[type=submit]")
        page.wait_for_url("**/admin/")
        assert page.console_errors == []
