"""Acknowledging an alert with a note: on the alerts page (Django's test client: a redirect with
a message, or 400 with the message next to the field and the note kept) and through the API;
another district's alert is a 404, a role that may not handle alerts a 403."""

import pytest
from django.urls import reverse

from accounts.choices import Role
from alerts.choices import AlertState
from alerts.models import Alert
from alerts.services import ACKNOWLEDGE_NOTE_MAX
from incidents.ingest import incidents_ingest

from .test_services import row, rule

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_alerts(two_districts):
    """A fatal accident in each district, each raising an alert: {incident reference: alert}."""
    rule(name="致死交通事故", categories=["traffic_accident_fatal"])
    incidents_ingest(
        rows=[
            row("A1", category="traffic_accident_fatal"),
            row("B1", category="traffic_accident_fatal", lon=122.5),
        ],
        source_system="t",
    )
    return {a.incident.source_ref: a for a in Alert.objects.select_related("incident")}


@pytest.fixture
def commander(two_districts, make_user):
    return make_user(role=Role.DISTRICT_COMMANDER, home_area=two_districts[0])


@pytest.fixture
def commander_client(client, commander):
    client.force_login(commander)
    return client


def acknowledge(client, alert_id, note: str):
    body = {"form": "acknowledge", "acknowledge-alert": alert_id, "acknowledge-note": note}
    return client.post(reverse("dash-alerts"), body)


def test_an_alert_acknowledged_with_a_note_keeps_it_and_the_page_shows_it(
    commander_client, commander, two_alerts
):
    alert = two_alerts["A1"]
    page = commander_client.get(reverse("dash-alerts"), {"acknowledge": alert.pk})
    form = page.context["forms"]["acknowledge"]
    assert form.initial == {"alert": alert.pk}
    assert [value for value, _ in form.fields["alert"].widget.choices] == [alert.pk]
    response = acknowledge(commander_client, alert.pk, "已通知交警支队到场")
    assert response.status_code == 302 and response["Location"] == reverse("dash-alerts")
    alert.refresh_from_db()
    assert (alert.state, alert.acknowledged_by, alert.acknowledged_note) == (
        AlertState.ACKNOWLEDGED,
        commander,
        "已通知交警支队到场",
    )
    html = commander_client.get(response["Location"]).content.decode()
    assert "告警已确认。" in html and "已通知交警支队到场" in html


def test_a_note_too_long_answers_400_next_to_the_note_with_the_note_kept(
    commander_client, two_alerts
):
    alert = two_alerts["A1"]
    note = "现场" * (ACKNOWLEDGE_NOTE_MAX // 2 + 1)
    response = acknowledge(commander_client, alert.pk, note)
    assert response.status_code == 400
    errors = response.context["forms"]["acknowledge"].errors["note"]
    assert errors == [f"备注最多 {ACKNOWLEDGE_NOTE_MAX} 个字（现有 {len(note)} 个）"]
    assert note in response.content.decode()
    assert Alert.objects.get(pk=alert.pk).state == AlertState.OPEN


def test_an_alert_acknowledged_meanwhile_is_refused_next_to_the_alert(commander_client, two_alerts):
    alert = two_alerts["A1"]
    assert acknowledge(commander_client, alert.pk, "第一次").status_code == 302
    again = acknowledge(commander_client, alert.pk, "第二次")
    assert again.status_code == 400
    assert again.context["forms"]["acknowledge"].errors["alert"] == ["该告警已确认"]
    assert Alert.objects.get(pk=alert.pk).acknowledged_note == "第一次"


def test_another_districts_alert_is_404_and_a_viewer_gets_403(
    commander_client, two_alerts, two_districts, make_user, client
):
    other = two_alerts["B1"]
    assert acknowledge(commander_client, other.pk, "x").status_code == 404
    assert Alert.objects.get(pk=other.pk).state == AlertState.OPEN
    client.force_login(make_user(role=Role.VIEWER, home_area=two_districts[0]))
    page = client.get(reverse("dash-alerts"))
    assert page.status_code == 200 and "acknowledge" not in page.context["forms"]
    assert acknowledge(client, two_alerts["A1"].pk, "x").status_code == 403


def test_the_api_acknowledges_with_a_note_and_refuses_one_too_long(
    commander, two_alerts, api_client_for
):
    client = api_client_for(commander)
    url = f"/api/v1/alerts/{two_alerts['A1'].pk}/acknowledge/"
    too_long = client.post(url, {"note": "x" * (ACKNOWLEDGE_NOTE_MAX + 1)}, format="json")
    assert too_long.status_code == 400 and list(too_long.json()) == ["note"]
    answer = client.post(url, {"note": "  已派警  "}, format="json")
    assert answer.status_code == 200
    assert (answer.json()["state"], answer.json()["acknowledged_note"]) == (
        "acknowledged",
        "已派警",
    )
    assert Alert.objects.get(pk=two_alerts["A1"].pk).acknowledged_note == "已派警"
