"""Subscribing over the API and on the inbox page: a report kind for an area in one's
jurisdiction, or alerts; the inbox lists what came and its unread count shows in the shell."""

import pytest

from accounts.choices import Role
from alerts.choices import RuleKind, Severity
from alerts.models import AlertRule
from reports.signals import report_published
from subscriptions.models import InboxItem, Subscription

from .conftest import stand_in_report

pytestmark = pytest.mark.django_db

LIST = "/api/v1/subscriptions/"


def test_a_report_subscription_needs_an_area_in_scope(commanders, two_districts, api_client_for):
    district_a, district_b = two_districts
    client = api_client_for(commanders[0])
    body = {"topic": "report", "report_kind": "weekly", "area": district_a.pk}
    mine = client.post(LIST, body, format="json")
    assert mine.status_code == 201, mine.json()
    assert (mine.json()["area"], mine.json()["email"]) == (district_a.pk, True)
    theirs = client.post(LIST, {"topic": "report", "report_kind": "weekly", "area": district_b.pk})
    assert theirs.status_code == 400 and "area" in theirs.json()
    no_area = client.post(LIST, {"topic": "report", "report_kind": "monthly"})
    assert no_area.status_code == 400 and "area" in no_area.json()
    again = client.post(LIST, {"topic": "report", "report_kind": "weekly", "area": district_a.pk})
    assert again.status_code == 400
    assert Subscription.objects.count() == 1


def test_alert_subscriptions_name_a_rule_in_scope_or_a_kind(
    commanders, two_districts, api_client_for
):
    district_a, district_b = two_districts
    ours = AlertRule.objects.create(
        name="甲", kind=RuleKind.SPIKE, severity=Severity.WARNING, area=district_a
    )
    theirs = AlertRule.objects.create(
        name="乙", kind=RuleKind.SPIKE, severity=Severity.WARNING, area=district_b
    )
    client = api_client_for(commanders[0])
    assert client.post(LIST, {"topic": "alert", "alert_rule": ours.pk}).status_code == 201
    assert client.post(LIST, {"topic": "alert", "alert_rule": theirs.pk}).status_code == 400
    assert client.post(LIST, {"topic": "alert", "alert_kind": "spike"}).status_code == 201
    both = client.post(LIST, {"topic": "alert", "alert_kind": "spike", "alert_rule": ours.pk})
    assert both.status_code == 400
    listed = client.get(LIST).json()["results"]
    assert {(s["alert_rule"], s["alert_kind"]) for s in listed} == {(ours.pk, ""), (None, "spike")}


def test_subscriptions_and_inbox_are_their_users_own(commanders, two_districts, api_client_for):
    district_a, _ = two_districts
    commander_a, commander_b = commanders
    a = api_client_for(commander_a)
    made = a.post(LIST, {"topic": "report", "report_kind": "weekly", "area": district_a.pk}).json()
    report_published.send(sender=None, report=stand_in_report(district_a))
    [item] = a.get("/api/v1/inbox/").json()["results"]
    b = api_client_for(commander_b)
    assert b.get(f"{LIST}{made['id']}/").status_code == 404
    assert b.delete(f"{LIST}{made['id']}/").status_code == 404
    assert b.get(f"/api/v1/inbox/{item['id']}/").status_code == 404
    assert b.post(f"/api/v1/inbox/{item['id']}/read/").status_code == 404
    assert a.post(f"/api/v1/inbox/{item['id']}/read/").json()["read"] is True
    assert a.get("/api/v1/inbox/", {"unread": "true"}).json()["results"] == []
    assert a.delete(f"{LIST}{made['id']}/").status_code == 204
    assert not Subscription.objects.exists()


def test_an_api_client_role_keeps_no_subscriptions(two_districts, make_user, api_client_for):
    district_a, _ = two_districts
    client = api_client_for(make_user(Role.API_CLIENT, district_a))
    assert client.get(LIST).status_code == 403
    assert client.get("/api/v1/views/").status_code == 403


def test_the_inbox_page_subscribes_lists_and_marks_read(commanders, two_districts, client):
    district_a, _ = two_districts
    commander_a, _ = commanders
    client.force_login(commander_a)
    answer = client.post(
        "/inbox/",
        {
            "form": "subscribe",
            "subscribe-what": "weekly",
            "subscribe-area": district_a.pk,
            "subscribe-email": "on",
        },
    )
    assert answer.status_code == 302
    assert Subscription.objects.get(user=commander_a).report_kind == "weekly"
    report = stand_in_report(district_a)
    report_published.send(sender=None, report=report)
    page = client.get("/inbox/").content.decode()
    assert report.title in page
    # The shell's header counts the unread item, on every page.
    overview = client.get(f"/?area={district_a.pk}").content.decode()
    assert "data-inbox-unread>1</span>" in overview
    assert client.post("/inbox/", {"form": "read"}).status_code == 302
    assert InboxItem.objects.get().read_at is not None
    assert "data-inbox-unread>0</span>" in client.get("/inbox/").content.decode()


def test_the_inbox_page_refuses_a_district_outside_scope(commanders, two_districts, client):
    _, district_b = two_districts
    client.force_login(commanders[0])
    answer = client.post(
        "/inbox/",
        {"form": "subscribe", "subscribe-what": "weekly", "subscribe-area": district_b.pk},
    )
    assert answer.status_code == 400
    assert not Subscription.objects.exists()


def test_the_inbox_and_the_header_speak_english(commanders, client):
    client.force_login(commanders[0])
    page = client.get("/inbox/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "<h1>Inbox" in page
    assert "Save this view" in page and "0 unread" in page
    assert "收件箱" not in page


def test_subscribing_and_unsubscribing_are_in_the_audit_trail(
    commanders, two_districts, api_client_for
):
    from audit.models import AuditEvent

    district_a, _ = two_districts
    client = api_client_for(commanders[0])
    body = {"topic": "report", "report_kind": "weekly", "area": district_a.pk, "email": True}
    made = client.post(LIST, body, format="json").json()
    client.delete(f"{LIST}{made['id']}/")
    events = AuditEvent.objects.filter(object_type="subscriptions.subscription").order_by("id")
    assert [(e.action, e.object_id) for e in events] == [
        ("create", str(made["id"])),
        ("delete", str(made["id"])),
    ]
    assert events[0].actor_username == commanders[0].username
    assert events[0].changes["area"][1] == district_a.pk
