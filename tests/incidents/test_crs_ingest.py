"""Incident rows and device events may give their point in GCJ-02 or BD-09; it is stored, and
placed, in WGS84."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.choices import Role
from incidents.ingest.rows import RowError, parse_row
from incidents.models import DeviceEvent, Incident
from safecity.core.crs import gcj02_to_wgs84
from tests.conftest import PEARL_TOWER_BD09, PEARL_TOWER_GCJ02

pytestmark = pytest.mark.django_db

CATEGORIES = {"theft_burglary": (1, "/1/")}


@pytest.fixture
def administrator(make_user, city):
    return make_user(role=Role.ADMINISTRATOR, home_area=city)


def row(ref, point, **extra):
    return {
        "source_ref": ref,
        "category": "theft_burglary",
        "reported_at": (timezone.now() - timedelta(hours=1)).isoformat(),
        "lon": point[0],
        "lat": point[1],
        **extra,
    }


def test_a_gcj02_row_is_parsed_to_wgs84():
    parsed = parse_row(row("C1", PEARL_TOWER_GCJ02, crs="gcj02"), categories=CATEGORIES)
    assert (parsed["lon"], parsed["lat"]) == gcj02_to_wgs84(*PEARL_TOWER_GCJ02)
    assert "crs" not in parsed


def test_a_row_with_an_unknown_system_is_refused():
    with pytest.raises(RowError) as caught:
        parse_row(row("C1", PEARL_TOWER_GCJ02, crs="epsg3857"), categories=CATEGORIES)
    assert [problem.field for problem in caught.value.problems] == ["crs"]


@pytest.mark.parametrize(
    ("system", "point"), [("gcj02", PEARL_TOWER_GCJ02), ("bd09", PEARL_TOWER_BD09)]
)
def test_a_posted_incident_lands_in_the_area_its_converted_point_lies_in(
    system, point, administrator, api_client_for, split_at_pearl_tower
):
    west, _east = split_at_pearl_tower
    response = api_client_for(administrator).post(
        "/api/v1/incidents/", row("C1", point, crs=system), format="json"
    )
    assert response.status_code == 201, response.json()
    incident = Incident.objects.get()
    assert incident.district_id == west.id
    assert (incident.lon, incident.lat) == pytest.approx((121.49527, 31.24170), abs=1e-5)


def test_a_point_without_crs_is_read_as_wgs84(administrator, api_client_for, split_at_pearl_tower):
    api_client_for(administrator).post(
        "/api/v1/incidents/", row("C1", PEARL_TOWER_GCJ02), format="json"
    )
    assert Incident.objects.get().district_id == split_at_pearl_tower[1].id


def test_bulk_rows_each_say_their_system(administrator, api_client_for, split_at_pearl_tower):
    west, east = split_at_pearl_tower
    rows = [
        row("B1", PEARL_TOWER_GCJ02, crs="gcj02"),
        row("B2", PEARL_TOWER_BD09, crs="bd09"),
        row("B3", PEARL_TOWER_GCJ02),
    ]
    response = api_client_for(administrator).post("/api/v1/incidents/bulk/", rows, format="json")
    assert response.status_code in (200, 201), response.json()
    placed = dict(Incident.objects.values_list("source_ref", "district_id"))
    assert placed == {"B1": west.id, "B2": west.id, "B3": east.id}


def test_a_bd09_device_event_is_stored_and_placed_in_wgs84(
    make_user, city, api_client_for, split_at_pearl_tower
):
    gateway = make_user(role=Role.ADMINISTRATOR, home_area=city, username="camera-gateway")
    event = {
        "device_id": "CAM-001",
        "event_id": "e-1",
        "event_type": "drowning_person_at_water",
        "occurred_at": timezone.now().isoformat(),
        "lon": PEARL_TOWER_BD09[0],
        "lat": PEARL_TOWER_BD09[1],
        "crs": "bd09",
        "confidence": 0.9,
    }
    response = api_client_for(gateway).post("/api/v1/events/", event, format="json")
    assert response.status_code == 201, response.json()
    stored = DeviceEvent.objects.get()
    assert (stored.lon, stored.lat) == pytest.approx((121.49527, 31.24170), abs=1e-5)
    assert Incident.objects.get().district_id == split_at_pearl_tower[0].id
