"""Authentication events, refusals and failed writes, recorded around every request."""

import pytest
from django.urls import reverse

from alerts.models import AlertRule
from audit.choices import AuditAction, AuditOutcome
from audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def latest(**filters) -> AuditEvent:
    return AuditEvent.objects.filter(**filters).order_by("-id").first()


def test_a_failed_login_is_recorded_with_the_username_tried_and_the_address(client, viewer):
    client.post(
        reverse("login"),
        {"username": "clerk", "password": "not-the-password"},
        REMOTE_ADDR="198.51.100.23",
    )

    event = latest(action=AuditAction.LOGIN_FAILED)
    assert event.outcome == AuditOutcome.FAILED
    assert (event.actor_id, event.actor_username, event.object_repr) == (None, "clerk", "clerk")
    assert event.ip == "198.51.100.23"
    assert "not-the-password" not in str(event.changes) + event.detail


def test_a_login_and_a_logout_are_recorded(client, viewer):
    assert client.login(username="clerk", password="pw-for-tests-1")
    client.post(reverse("logout"))

    mine = AuditEvent.objects.filter(actor_id=viewer.pk).order_by("id")
    actions = list(mine.values_list("action", flat=True))
    assert actions[-2:] == [AuditAction.LOGIN, AuditAction.LOGOUT]


def test_a_page_refused_with_403_is_recorded_as_a_denial(login, viewer):
    client = login(viewer)

    answer = client.get("/audit/", HTTP_USER_AGENT="Edge/120")

    assert answer.status_code == 403
    event = latest(action=AuditAction.DENIED)
    assert (event.outcome, event.actor_username, event.user_agent) == (
        AuditOutcome.DENIED, "clerk", "Edge/120",
    )  # fmt: skip
    assert (event.method, event.path) == ("GET", "/audit/")
    assert "403" in event.detail


def test_an_api_read_refused_with_403_is_recorded_with_the_user_drf_authenticated(
    viewer, api_client_for
):
    answer = api_client_for(viewer).get("/api/v1/audit/events/")

    assert answer.status_code == 403
    event = latest(action=AuditAction.DENIED)
    assert (event.actor_id, event.path) == (viewer.pk, "/api/v1/audit/events/")


def test_a_failed_write_is_recorded_with_method_path_and_status(
    rule, administrator, api_client_for
):
    path = f"/api/v1/alerts/rules/{rule.pk}/"
    answer = api_client_for(administrator).patch(path, {"severity": "apocalyptic"}, format="json")

    assert answer.status_code == 400
    event = latest(action=AuditAction.WRITE)
    assert (event.outcome, event.method, event.actor_username) == (
        AuditOutcome.FAILED, "PATCH", "chief",
    )  # fmt: skip
    assert event.detail == f"PATCH {path} → 400"


def test_a_write_refused_is_recorded_as_a_denial(rule, viewer, api_client_for):
    path = f"/api/v1/alerts/rules/{rule.pk}/"
    answer = api_client_for(viewer).delete(path)

    assert answer.status_code == 403
    event = latest(action=AuditAction.DENIED)
    assert (event.outcome, event.method, event.path) == (AuditOutcome.DENIED, "DELETE", path)
    assert AlertRule.objects.filter(pk=rule.pk).exists()


def test_a_read_that_finds_nothing_is_not_recorded(login, viewer):
    client = login(viewer)
    before = AuditEvent.objects.count()

    assert client.get("/no-such-page/").status_code == 404

    assert AuditEvent.objects.count() == before


def test_a_denial_the_view_recorded_itself_is_not_recorded_twice(rf, viewer):
    from django.http import HttpResponseForbidden

    from audit.middleware import AuditContextMiddleware
    from audit.services import audit_record

    def view(request):
        audit_record(action=AuditAction.DENIED, outcome=AuditOutcome.DENIED, detail="not yours")
        return HttpResponseForbidden()

    request = rf.delete("/api/v1/things/1/")
    request.user = viewer
    AuditContextMiddleware(view)(request)

    assert list(AuditEvent.objects.filter(action=AuditAction.DENIED).values_list("detail")) == [
        ("not yours",)
    ]
