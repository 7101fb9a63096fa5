"""The audit trail of the records themselves: incident writes, sensitive reads, exports."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.choices import Role
from audit.models import AuditEvent
from incidents.models import Incident
from mediation.models import DisputeType
from mediation.services import case_create

pytestmark = pytest.mark.django_db
BROWSER = "Mozilla/5.0 (SafeCity test)"


def row(ref, **extra):
    return {
        "source_ref": ref,
        "category": "theft_burglary",
        "reported_at": (timezone.now() - timedelta(hours=1)).isoformat(),
        "lon": 120.5,
        "lat": 30.5,
        **extra,
    }


@pytest.fixture
def officer(two_districts, make_user):
    return make_user(role=Role.STATION_OFFICER, home_area=two_districts[0].children.get())


@pytest.fixture
def api(officer):
    client = APIClient(HTTP_USER_AGENT=BROWSER, REMOTE_ADDR="10.1.2.3")
    client.force_authenticate(officer)
    return client


def test_creating_updating_and_moving_an_incident_is_recorded_with_before_and_after(api, officer):
    created = api.post("/api/v1/incidents/", row("A1", money_involved="100"), format="json")
    assert created.status_code == 201
    public_id = created.json()["id"]
    api.patch(f"/api/v1/incidents/{public_id}/", {"money_involved": "250"}, format="json")
    api.post(f"/api/v1/incidents/{public_id}/transition/", {"to": "dispatched"}, format="json")
    incident = Incident.objects.get()
    events = list(AuditEvent.objects.filter(object_type="incidents.incident").order_by("id"))
    assert [e.action for e in events] == ["create", "update", "transition"]
    assert all(e.object_id == str(incident.pk) for e in events)
    assert all(e.actor_username == officer.username for e in events)
    assert all(e.ip == "10.1.2.3" and e.user_agent == BROWSER for e in events)
    assert events[1].changes["money_involved"] == ["100.00", "250.00"]
    assert events[2].changes["status"] == ["reported", "dispatched"]
    assert events[2].changes["dispatched_at"][0] is None


def test_a_bulk_ingest_is_one_event_listing_what_it_created(api):
    rows = [row(f"B{n}") for n in range(150)]
    assert api.post("/api/v1/incidents/bulk/", rows, format="json").json()["created"] == 150
    event = AuditEvent.objects.get(action="bulk_ingest")
    assert "created 150" in event.detail
    assert sorted(event.changes["created"]) == sorted(f"api:B{n}" for n in range(150))


def test_a_refused_write_is_recorded_as_denied(two_districts, make_user):
    viewer = make_user(role=Role.VIEWER, home_area=two_districts[0])
    client = APIClient(REMOTE_ADDR="10.9.9.9")
    client.force_authenticate(viewer)
    assert client.post("/api/v1/incidents/", row("X"), format="json").status_code == 403
    event = AuditEvent.objects.get(outcome="denied")
    assert event.actor_username == viewer.username and event.path == "/api/v1/incidents/"
    assert not Incident.objects.exists()


def test_reading_an_incident_and_exporting_incidents_are_recorded(api, officer):
    public_id = api.post("/api/v1/incidents/", row("A1"), format="json").json()["id"]
    assert api.get(f"/api/v1/incidents/{public_id}/").status_code == 200
    export = api.get("/api/v1/incidents/?format=csv")
    assert export.status_code == 200 and b"".join(export.streaming_content)
    view = AuditEvent.objects.get(action="view")
    assert view.object_id == str(Incident.objects.get().pk)
    exported = AuditEvent.objects.get(action="export")
    assert "format=csv" in exported.detail and exported.actor_username == officer.username
    assert (exported.object_type, exported.changes["rows"]) == ("incidents.incident", 1)


def test_the_incident_page_is_a_recorded_read(client, officer, api):
    public_id = api.post("/api/v1/incidents/", row("A1"), format="json").json()["id"]
    client.force_login(officer)
    assert client.get(f"/incidents/{public_id}/").status_code == 200
    assert AuditEvent.objects.filter(action="view", path=f"/incidents/{public_id}/").count() == 1


def test_unmasked_parties_are_a_recorded_read_masked_ones_are_not(
    api, officer, two_districts, make_user
):
    case = case_create(
        user=None,
        area=officer.home_area,
        type=DisputeType.objects.first(),
        summary="邻里纠纷",
        parties=[{"name": "张三", "phone": "13812345678", "role": "申请人"}],
    )
    detail = api.get(f"/api/v1/mediation/cases/{case.public_id}/").json()
    assert detail["parties"][0]["name"] == "张三"
    event = AuditEvent.objects.get(action="view_personal_data")
    assert event.changes["cases"] == [str(case.public_id)]
    viewer = make_user(role=Role.VIEWER, home_area=two_districts[0])
    masked = APIClient()
    masked.force_authenticate(viewer)
    assert (
        masked.get(f"/api/v1/mediation/cases/{case.public_id}/").json()["parties"][0]["name"]
        == "张*"
    )
    assert AuditEvent.objects.filter(action="view_personal_data").count() == 1
    table = api.get("/api/v1/mediation/cases/?format=csv")
    assert table.status_code == 200
    assert AuditEvent.objects.filter(action="export").count() == 1
