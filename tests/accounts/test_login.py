"""Login hardening: lockout, idle timeout, the TOTP second factor, password rules, CSP."""

import time
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db.models import F
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import lockout
from accounts.choices import Role
from accounts.middleware import LAST_SEEN_KEY

pytestmark = pytest.mark.django_db
PASSWORD = "pw-for-tests-1"


@pytest.fixture
def analyst(make_user, city):
    user = make_user(role=Role.CITY_ANALYST, home_area=city, username="lockout-analyst")
    lockout.clear(user.username)
    yield user
    lockout.clear(user.username)


def log_in(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_five_failures_lock_the_username_for_ten_minutes(client, analyst):
    for _ in range(5):
        response = log_in(client, analyst.username, "wrong-password")
        assert response.status_code == 200 and "_auth_user_id" not in client.session
    response = log_in(client, analyst.username, PASSWORD)
    assert "_auth_user_id" not in client.session
    assert "10 分钟" in response.content.decode()
    # Ten minutes later the right password works again.
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - timedelta(seconds=601))
    response = log_in(client, analyst.username, PASSWORD)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(analyst.pk)


def test_a_good_login_before_the_limit_clears_nothing_but_works(client, analyst):
    for _ in range(4):
        log_in(client, analyst.username, "wrong-password")
    assert log_in(client, analyst.username, PASSWORD).status_code == 302


def test_a_session_idle_for_thirty_minutes_is_logged_out(client, analyst):
    client.force_login(analyst)
    assert client.get(reverse("dash-incidents")).status_code == 200
    session = client.session
    session[LAST_SEEN_KEY] = time.time() - 30 * 60 - 5
    session.save()
    response = client.get(reverse("dash-incidents"))
    assert response.status_code == 302 and "idle=1" in response["Location"]
    assert "_auth_user_id" not in client.session
    assert client.get("/api/v1/incidents/").status_code == 401


def test_activity_keeps_the_session(client, analyst):
    client.force_login(analyst)
    session = client.session
    session[LAST_SEEN_KEY] = time.time() - 29 * 60
    session.save()
    assert client.get(reverse("dash-incidents")).status_code == 200
    assert client.session[LAST_SEEN_KEY] > time.time() - 60


def test_passwords_must_be_long_and_uncommon(analyst):
    for weak in ("short-1", "password1234", "12345678901234"):
        with pytest.raises(ValidationError):
            validate_password(weak, analyst)
    validate_password("Xq7!pelican-harbour", analyst)


@pytest.fixture
def staff(make_user, city, settings):
    settings.OTP_REQUIRED_FOR_STAFF = True
    # django-otp also slows retries down after a wrong code; these tests retry at once.
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    user = make_user(role=Role.ADMINISTRATOR, home_area=city, is_staff=True, username="otp-admin")
    lockout.clear(user.username)
    yield user
    lockout.clear(user.username)


def test_staff_enrol_a_totp_device_before_anything_else(client, staff):
    assert log_in(client, staff.username, PASSWORD).status_code == 302
    response = client.get(reverse("dash-overview"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("otp-setup"))
    assert client.get("/api/v1/incidents/").status_code == 403
    page = client.get(response["Location"])
    assert page.status_code == 200 and b"data:image/svg+xml" in page.content
    device = TOTPDevice.objects.get(user=staff, confirmed=False)
    wrong = client.post(reverse("otp-setup"), {"token": "000000", "next": "/incidents/"})
    assert wrong.status_code == 200 and not TOTPDevice.objects.get().confirmed
    code = f"{totp(device.bin_key):06d}"
    done = client.post(reverse("otp-setup"), {"token": code, "next": "/incidents/"})
    assert done.status_code == 302 and done["Location"] == "/incidents/"
    assert TOTPDevice.objects.get().confirmed
    assert client.get(reverse("dash-overview")).status_code == 200
    assert client.get("/api/v1/incidents/").status_code == 200


def test_staff_with_a_device_pass_the_code_at_each_login(client, staff):
    device = TOTPDevice.objects.create(user=staff, name="phone", confirmed=True)
    log_in(client, staff.username, PASSWORD)
    response = client.get("/admin/")
    assert response["Location"].startswith(reverse("otp-verify"))
    assert client.post(reverse("otp-verify"), {"token": "123456"}).status_code == 200
    code = f"{totp(device.bin_key):06d}"
    response = client.post(reverse("otp-verify"), {"token": code, "next": "/admin/"})
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_repeated_wrong_codes_lock_the_account(client, staff):
    TOTPDevice.objects.create(user=staff, name="phone", confirmed=True)
    log_in(client, staff.username, PASSWORD)
    for _ in range(5):
        response = client.post(reverse("otp-verify"), {"token": "000000"})
    assert response.status_code == 302 and "locked=1" in response["Location"]
    assert "_auth_user_id" not in client.session
    assert lockout.is_locked(staff.username, "127.0.0.1")


def test_people_who_are_not_staff_need_no_second_factor(client, analyst, settings):
    settings.OTP_REQUIRED_FOR_STAFF = True
    log_in(client, analyst.username, PASSWORD)
    assert client.get(reverse("dash-overview")).status_code == 200


def test_pages_carry_a_strict_content_security_policy(client, analyst):
    client.force_login(analyst)
    policy = client.get(reverse("dash-overview"))["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["script-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"


def test_session_writes_without_the_csrf_token_are_refused(analyst):
    from rest_framework.test import APIClient

    client = APIClient(enforce_csrf_checks=True)
    client.force_login(analyst)
    response = client.post("/api/v1/alerts/1/acknowledge/")
    assert response.status_code == 403 and "CSRF" in response.json()["detail"]
