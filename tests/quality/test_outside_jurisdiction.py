"""Incidents whose point lies outside the area they were filed in: listed, handed to the
jurisdiction they lie in, or accepted."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.choices import Role
from areas.choices import AreaKind
from areas.models import Area
from audit.models import AuditEvent
from geocoding.services import address_table_import
from incidents.ingest import incidents_ingest
from incidents.models import Incident

pytestmark = pytest.mark.django_db


def listed(client) -> list[str]:
    return [
        row["public_id"]
        for row in client.get("/api/v1/quality/outside_jurisdiction/").json()["results"]
    ]


def test_an_incident_lying_outside_the_area_it_was_filed_in_is_listed(
    officer, api_client_for, make_incident, two_districts
):
    district_a, district_b = two_districts
    outside = make_incident("OUT", filed_area=district_b)
    make_incident("IN", filed_area=district_a)
    make_incident("UNFILED")
    client = api_client_for(officer)
    assert client.get("/api/v1/quality/").json()["outside_jurisdiction"] == 1
    assert listed(client) == [str(outside.public_id)]


def test_handing_it_to_the_area_it_lies_in_takes_it_out_of_the_queue_audited(
    officer, api_client_for, make_incident, two_districts
):
    district_a, district_b = two_districts
    outside = make_incident("OUT", filed_area=district_b)
    client = api_client_for(officer)
    response = client.post(
        f"/api/v1/quality/outside_jurisdiction/{outside.public_id}/refile/", {}, format="json"
    )
    assert response.status_code == 200, response.json()
    outside.refresh_from_db()
    # Filed at district level, it goes to the district its point lies in.
    assert outside.filed_area_id == outside.district_id == district_a.id
    assert listed(client) == []
    change = AuditEvent.objects.filter(action="update", object_id=str(outside.pk)).latest("id")
    assert change.changes["filed_area"] == [str(district_b), str(district_a)]


def test_accepting_it_keeps_the_filing(officer, api_client_for, make_incident, two_districts):
    outside = make_incident("OUT", filed_area=two_districts[1])
    client = api_client_for(officer)
    base = f"/api/v1/quality/outside_jurisdiction/{outside.public_id}"
    assert client.post(f"{base}/dismiss/", {"note": "跨区处置"}, format="json").status_code == 201
    assert listed(client) == []
    outside.refresh_from_db()
    assert outside.filed_area_id == two_districts[1].id


def test_a_station_record_placed_later_in_another_station_is_handed_over(
    two_districts, make_user, api_client_for
):
    """A station officer records an incident whose address the table lacks: it is filed in
    their station, unlocated. Once the table has the address, it lies in the other district's
    station: listed for a city-wide user, and handed to that station."""
    district_a, district_b = two_districts
    station_a = Area.objects.get(parent=district_a, kind=AreaKind.STATION)
    station_b = Area.objects.get(parent=district_b, kind=AreaKind.STATION)
    officer = make_user(role=Role.STATION_OFFICER, home_area=station_a)
    reported = (timezone.now() - timedelta(hours=1)).isoformat()
    row = {"source_ref": "S1", "category": "theft", "reported_at": reported}
    report = incidents_ingest(rows=[row | {"address": "张杨路500号"}], user=officer)
    assert (report.created, report.rejected) == (1, 0)
    incident = Incident.objects.get(source_ref="S1")
    assert (incident.lat, incident.area_id, incident.filed_area_id) == (
        None,
        station_a.id,
        station_a.id,
    )

    address_table_import(
        records=iter(
            [(1, {"address": "上海市浦东新区张杨路500号", "lon": 122.5, "lat": 30.5}, "")]
        ),
        header=["address", "lon", "lat"],
        source="test",
        name="test.csv",
    )
    call_command("geocode_incidents", stdout=StringIO())
    incident.refresh_from_db()
    assert incident.station_id == station_b.id

    chief = make_user(role=Role.ADMINISTRATOR, home_area=district_a.parent)
    client = api_client_for(chief)
    assert listed(client) == [str(incident.public_id)]
    response = client.post(
        f"/api/v1/quality/outside_jurisdiction/{incident.public_id}/refile/", {}, format="json"
    )
    assert response.status_code == 200, response.json()
    incident.refresh_from_db()
    assert incident.filed_area_id == station_b.id
    assert listed(client) == []


def test_handing_over_on_the_page(client, officer, make_incident, two_districts):
    district_a, district_b = two_districts
    outside = make_incident("OUT", filed_area=district_b)
    client.force_login(officer)
    page = client.get("/quality/?kind=outside_jurisdiction").content.decode()
    assert str(outside.public_id) in page and district_b.name in page
    response = client.post(
        "/quality/?kind=outside_jurisdiction",
        {"form": "refile", "refile-incident": str(outside.public_id)},
    )
    assert response.status_code == 302
    outside.refresh_from_db()
    assert outside.filed_area_id == district_a.id
