import csv
import io
from datetime import timedelta

import orjson
import pytest
from django.utils import timezone

from accounts.choices import Role
from incidents.models import DeviceEvent, Incident

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(two_districts, make_user):
    """An officer who records incidents, posted to district A."""
    return make_user(role=Role.STATION_OFFICER, home_area=two_districts[0])


@pytest.fixture
def analyst(make_user, city):
    return make_user(role=Role.CITY_ANALYST, home_area=city)


@pytest.fixture
def gateway(make_user, city):
    """The account a camera platform posts its events with."""
    return make_user(role=Role.ADMINISTRATOR, home_area=city, username="camera-gateway")


def row(ref, lon=120.5, lat=30.5, **extra):
    reported = timezone.now() - timedelta(hours=2)
    return {
        "source_ref": ref,
        "category": "theft_burglary",
        "reported_at": reported.isoformat(),
        "lon": lon,
        "lat": lat,
        "address": "测试路1号",
        **extra,
    }


def test_post_one_incident_places_it(officer, api_client_for, two_districts):
    response = api_client_for(officer).post("/api/v1/incidents/", row("A1"), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    district_a = two_districts[0]
    station_a = district_a.children.get()
    assert body["district"] == district_a.pk and body["station"] == station_a.pk
    assert body["status"] == "reported"
    assert body["h3_r9"] and body["h3_r7"]


def test_posting_the_same_reference_again_is_idempotent(officer, api_client_for):
    client = api_client_for(officer)
    first = client.post("/api/v1/incidents/", row("A1"), format="json").json()
    second = client.post("/api/v1/incidents/", row("A1", summary="更正"), format="json").json()
    assert first["id"] == second["id"]
    assert Incident.objects.count() == 1
    assert Incident.objects.get().summary == "更正"


def test_bad_incident_is_refused_naming_the_fields(officer, api_client_for):
    bad = row("A1", lat=95, category="nope")
    response = api_client_for(officer).post("/api/v1/incidents/", bad, format="json")
    assert response.status_code == 400
    fields = {error["field"] for error in response.json()["errors"]}
    assert fields == {"lat", "category"}


def test_incident_outside_the_users_jurisdiction_is_refused(officer, api_client_for):
    response = api_client_for(officer).post(
        "/api/v1/incidents/", row("B1", lon=122.5), format="json"
    )
    assert response.status_code == 400
    assert "outside your jurisdiction" in response.json()["errors"][0]["message"]


def test_lifecycle_and_response_times(officer, api_client_for):
    client = api_client_for(officer)
    incident = client.post("/api/v1/incidents/", row("A1"), format="json").json()
    url = f"/api/v1/incidents/{incident['id']}/transition/"
    reported = Incident.objects.get().reported_at
    for status, minutes in (("dispatched", 1), ("on_scene", 4), ("closed", 30)):
        at = (reported + timedelta(minutes=minutes)).isoformat()
        response = client.post(url, {"to": status, "at": at}, format="json")
        assert response.status_code == 200, response.json()
    detail = client.get(f"/api/v1/incidents/{incident['id']}/").json()
    assert detail["dispatch_seconds"] == 60
    assert detail["travel_seconds"] == 180
    assert detail["response_seconds"] == 240
    assert detail["total_seconds"] == 1800
    assert [c["to_status"] for c in detail["status_changes"]] == [
        "dispatched",
        "on_scene",
        "closed",
    ]


def test_closing_twice_is_a_conflict(officer, api_client_for):
    client = api_client_for(officer)
    incident = client.post("/api/v1/incidents/", row("A1"), format="json").json()
    url = f"/api/v1/incidents/{incident['id']}/transition/"
    assert client.post(url, {"to": "closed"}, format="json").status_code == 200
    response = client.post(url, {"to": "closed"}, format="json")
    assert response.status_code == 409
    assert "already closed" in response.json()["detail"]


def test_solving_an_unfiled_case_is_a_conflict(officer, api_client_for):
    client = api_client_for(officer)
    incident = client.post("/api/v1/incidents/", row("A1"), format="json").json()
    response = client.post(
        f"/api/v1/incidents/{incident['id']}/transition/", {"to": "solved"}, format="json"
    )
    assert response.status_code == 409
    assert "filed before it is solved" in response.json()["detail"]


def test_bulk_json_array_reports_every_row(officer, api_client_for):
    client = api_client_for(officer)
    client.post("/api/v1/incidents/", row("R0"), format="json")
    rows = [row("R0"), row("R1"), row("R2", lat=95), row("R3", reported_at=""), row("R4")]
    rows[0]["summary"] = "changed"
    response = client.post("/api/v1/incidents/bulk/", rows, format="json")
    body = response.json()
    assert (body["created"], body["updated"], body["unchanged"], body["rejected"]) == (2, 1, 0, 2)
    assert [(e["row"], e["field"]) for e in body["errors"]] == [(3, "lat"), (4, "reported_at")]


def test_bulk_json_lines_with_an_unreadable_line(officer, api_client_for):
    lines = b"\n".join([orjson.dumps(row("L1")), b"{broken", orjson.dumps(row("L2"))])
    response = api_client_for(officer).generic(
        "POST", "/api/v1/incidents/bulk/", lines, content_type="application/x-ndjson"
    )
    body = response.json()
    assert body["created"] == 2 and body["rejected"] == 1
    assert body["errors"][0]["row"] == 2 and body["errors"][0]["field"] == "row"


def test_bulk_atomic_saves_nothing_when_a_row_is_bad(officer, api_client_for):
    rows = [row("T1"), row("T2", lat=95)]
    response = api_client_for(officer).post(
        "/api/v1/incidents/bulk/?atomic=true", rows, format="json"
    )
    assert response.json()["rejected"] == 1
    assert Incident.objects.count() == 0


@pytest.fixture
def mixed_incidents(analyst, gateway, api_client_for, two_districts):
    """Incidents in both districts and one without a place, ingested by the city's gateway;
    returns an analyst's client."""
    rows = [
        row("M1"),
        row("M2", category="fraud_telecom_romance", summary="网络交友诈骗"),
        row("M3", lon=122.5, category="fight"),
        row("M4", lon=None, lat=None),
    ]
    ingest = api_client_for(gateway).post("/api/v1/incidents/bulk/", rows, format="json")
    assert ingest.json()["created"] == 4
    return api_client_for(analyst)


def test_list_is_scoped_to_the_users_jurisdiction(mixed_incidents, officer, api_client_for):
    refs = {
        r["source_ref"] for r in api_client_for(officer).get("/api/v1/incidents/").json()["results"]
    }
    assert refs == {"M1", "M2"}
    other = Incident.objects.get(source_ref="M3").public_id
    assert api_client_for(officer).get(f"/api/v1/incidents/{other}/").status_code == 404


def test_filters(mixed_incidents, two_districts):
    def refs(query):
        response = mixed_incidents.get(f"/api/v1/incidents/?{query}")
        assert response.status_code == 200, response.content
        return {r["source_ref"] for r in response.json()["results"]}

    assert refs("category=fraud") == {"M2"}
    assert refs("category=criminal") == {"M1", "M2", "M4"}
    assert refs(f"area={two_districts[1].pk}") == {"M3"}
    assert refs("bbox=122,30,123,31") == {"M3"}
    assert refs("q=交友") == {"M2"}
    assert refs("status=reported") == {"M1", "M2", "M3", "M4"}


def test_csv_export_streams_the_filtered_set(mixed_incidents):
    response = mixed_incidents.get("/api/v1/incidents/?format=csv&category=theft")
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert {r["source_ref"] for r in rows} == {"M1", "M4"}


def test_geojson_is_capped_and_says_so(mixed_incidents, settings):
    settings.INCIDENT_GEOJSON_CAP = 2
    body = mixed_incidents.get("/api/v1/incidents/?format=geojson").json()
    assert len(body["features"]) == 2
    assert body["cap"] == 2 and body["truncated"] is True


def test_bad_filter_is_a_400(mixed_incidents):
    assert mixed_incidents.get("/api/v1/incidents/?bbox=1,2,3").status_code == 400


def test_device_event_opens_an_incident(gateway, api_client_for, two_districts):
    event = {
        "device_id": "CAM-001",
        "event_id": "e-1",
        "event_type": "drowning_person_at_water",
        "occurred_at": timezone.now().isoformat(),
        "lon": 120.5,
        "lat": 30.5,
        "confidence": 0.9,
        "media_url": "https://media.example/e-1.jpg",
    }
    client = api_client_for(gateway)
    response = client.post("/api/v1/events/", event, format="json")
    assert response.status_code == 201, response.json()
    incident = Incident.objects.get()
    assert incident.category.code == "drowning_risk"
    assert incident.source == "device" and incident.priority == 1
    assert response.json()["incident"] == str(incident.public_id)
    again = client.post("/api/v1/events/", event, format="json")
    assert again.status_code == 200
    assert DeviceEvent.objects.count() == 1 and Incident.objects.count() == 1


def test_low_confidence_event_is_stored_without_an_incident(gateway, api_client_for):
    event = {
        "device_id": "CAM-001",
        "event_id": "e-2",
        "event_type": "drowning_person_at_water",
        "occurred_at": timezone.now().isoformat(),
        "confidence": 0.1,
    }
    assert api_client_for(gateway).post("/api/v1/events/", event, format="json").status_code == 201
    assert DeviceEvent.objects.count() == 1 and Incident.objects.count() == 0


def test_areas_changing_reassigns_incidents(
    mixed_incidents, two_districts, django_capture_on_commit_callbacks, eager_celery, settings
):
    from areas.services import areas_import_features

    # The new district is drawn over its siblings: allowed here, as it is the point.
    settings.AREA_OVERLAP_TOLERANCE = 1.0

    district_b = two_districts[1]
    moved = Incident.objects.get(source_ref="M1")
    assert moved.district_id == two_districts[0].pk
    # A new district under the city now covers M1's point more tightly.
    feature = {
        "type": "Feature",
        "properties": {"code": "NEW", "name": "新区"},
        "geometry": {
            "type": "Polygon",
            "coordinates": [
                [[120.4, 30.4], [120.6, 30.4], [120.6, 30.6], [120.4, 30.6], [120.4, 30.4]]
            ],
        },
    }
    with django_capture_on_commit_callbacks(execute=True):
        areas_import_features(
            features=[feature],
            kind="district",
            code_field="code",
            name_field="name",
            under=district_b.parent,
        )
    moved.refresh_from_db()
    assert moved.district.code == "NEW"
