"""Bulk reads are sensitive reads: every export and every large list read is one event,
recorded by the audit middleware whatever the route."""

import pytest
from rest_framework.test import APIClient

from accounts.choices import Role
from audit.choices import AuditAction
from audit.models import AuditEvent

pytestmark = pytest.mark.django_db
AREAS = "/api/v1/areas/"


@pytest.fixture
def analyst(two_districts, make_user):
    user = make_user(role=Role.CITY_ANALYST, home_area=two_districts[0].parent)
    client = APIClient(REMOTE_ADDR="10.7.7.7")
    client.force_authenticate(user)
    client.user = user
    return client


def test_a_geojson_answer_is_an_export_with_its_rows_actor_and_address(analyst):
    answer = analyst.get(AREAS, {"format": "geojson", "kind": "station"})

    assert answer.status_code == 200
    event = AuditEvent.objects.get(action=AuditAction.EXPORT)
    assert (event.actor_username, event.ip, event.path) == (
        analyst.user.username,
        "10.7.7.7",
        AREAS,
    )
    assert event.object_type == "areas.area"
    assert event.changes == {
        "format": "geojson",
        "rows": len(answer.json()["features"]),
        "page_size": None,
        "filters": {"kind": "station"},
    }
    assert "kind=station" in event.detail


def test_a_list_of_more_rows_than_the_threshold_is_a_bulk_read(analyst, settings):
    settings.AUDIT_BULK_READ_ROWS = 4

    rows = len(analyst.get(AREAS).json())  # the areas are not paginated

    assert rows == 5
    event = AuditEvent.objects.get(action=AuditAction.BULK_READ)
    assert (event.changes["rows"], event.changes["format"]) == (5, "json")


def test_a_page_asked_larger_than_the_threshold_is_a_bulk_read_however_many_rows_came(
    analyst, settings
):
    settings.AUDIT_BULK_READ_ROWS = 100

    analyst.get(AREAS, {"page_size": "101"})

    event = AuditEvent.objects.get(action=AuditAction.BULK_READ)
    assert (event.changes["rows"], event.changes["page_size"]) == (5, 101)


def test_a_list_within_the_threshold_is_not_recorded(analyst):
    assert analyst.get(AREAS, {"page_size": "500"}).status_code == 200

    assert not AuditEvent.objects.filter(action__in=["export", "bulk_read"]).exists()


def test_a_refused_export_is_a_denial_not_an_export(two_districts, make_user):
    client = APIClient()
    client.force_authenticate(make_user(role=Role.VIEWER, home_area=two_districts[0]))

    assert client.get("/api/v1/audit/events/", {"format": "json"}).status_code == 403

    assert not AuditEvent.objects.filter(action="export").exists()
