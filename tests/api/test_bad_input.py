"""What schemathesis found, one answer each: invalid input is a 400 naming the field, an
unknown address a JSON 404, and errors and metadata stay JSON whatever format was asked for."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.choices import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(make_user, city, api_client_for):
    return api_client_for(make_user(role=Role.ADMINISTRATOR, home_area=city))


def incident_row(**extra):
    return {
        "source_ref": "R1",
        "category": "theft_burglary",
        "reported_at": (timezone.now() - timedelta(hours=1)).isoformat(),
        **extra,
    }


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("category", ["theft_burglary"]),
        ("source", {"x": 1}),
        ("summary", "a\x00b"),
        ("arrested", 2**40),
        ("source_system", "x" * 49),
        ("reported_at", "1314-09-18T03:50:43+08:00"),
    ],
)
def test_incident_with_an_unstorable_value_is_refused_naming_the_field(admin_client, field, value):
    row = incident_row(**{field: value})
    response = admin_client.post("/api/v1/incidents/", row, format="json")
    assert response.status_code == 400
    assert field in {error["field"] for error in response.json()["errors"]}


def test_position_filter_with_a_bad_time_is_refused(admin_client):
    response = admin_client.get("/api/v1/patrols/positions/", {"until": "null"})
    assert response.status_code == 400
    assert "until" in response.json()


def test_time_filter_with_an_offset_postgresql_refuses_is_read_in_utc(admin_client):
    response = admin_client.get("/api/v1/alerts/", {"since": "2024-01-01T00:00:00-20:03"})
    assert response.status_code == 200


def test_statistics_of_a_day_outside_the_platforms_span_are_refused(admin_client):
    response = admin_client.get("/api/v1/stats/summary", {"date": "0001-01-01"})
    assert response.status_code == 400
    assert "date" in response.json()


def test_device_event_payload_with_a_nul_character_is_refused(admin_client):
    event = {
        "device_id": "cam-1",
        "event_id": "e-1",
        "event_type": "unknown",
        "occurred_at": timezone.now().isoformat(),
        "payload": {"note": "a\x00b"},
    }
    response = admin_client.post("/api/v1/events/", event, format="json")
    assert response.status_code == 400
    assert "payload" in response.json()


def test_unknown_api_address_is_a_json_404(admin_client):
    response = admin_client.get("/api/v1/mediation/cases/not-a-uuid/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert "detail" in response.json()


def test_options_of_a_table_export_answers_json(admin_client):
    response = admin_client.options("/api/v1/stats/summary?format=csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"


def test_error_of_a_csv_export_is_json(admin_client):
    response = admin_client.get("/api/v1/incidents/", {"format": "csv", "until": "null"})
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert "until" in response.json()
