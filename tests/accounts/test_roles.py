"""Roles decide what a user may change, in the API and in the services behind it."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from accounts.choices import Role
from alerts.choices import AlertState
from alerts.models import Alert
from campaigns.choices import Direction, Metric
from campaigns.models import Campaign, KpiItem
from incidents.ingest import incidents_ingest
from incidents.models import Incident
from incidents.services import incident_transition

pytestmark = pytest.mark.django_db


def row(ref, lon=120.5, lat=30.5):
    return {
        "source_ref": ref,
        "category": "theft_burglary",
        "reported_at": (timezone.now() - timedelta(hours=1)).isoformat(),
        "lon": lon,
        "lat": lat,
    }


@pytest.fixture
def people(two_districts, city, make_user):
    district_a, _ = two_districts
    station_a = district_a.children.get()
    return {
        "admin": make_user(role=Role.ADMINISTRATOR, home_area=city),
        "analyst": make_user(role=Role.CITY_ANALYST, home_area=city),
        "commander": make_user(role=Role.DISTRICT_COMMANDER, home_area=district_a),
        "officer": make_user(role=Role.STATION_OFFICER, home_area=station_a),
        "viewer": make_user(role=Role.VIEWER, home_area=district_a),
        "client": make_user(role=Role.API_CLIENT, home_area=district_a),
    }


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("admin", 201),
        ("officer", 201),
        ("analyst", 403),
        ("commander", 403),
        ("viewer", 403),
        ("client", 403),
    ],
)
def test_only_officers_and_administrators_create_incidents(who, expected, people, api_client_for):
    response = api_client_for(people[who]).post("/api/v1/incidents/", row("R1"), format="json")
    assert response.status_code == expected, response.content
    assert Incident.objects.count() == (1 if expected == 201 else 0)


def test_an_officer_cannot_place_an_incident_outside_their_station(people, api_client_for):
    # District A spans 120–122 and its station 120–121: 121.5 is the district's, not the station's.
    response = api_client_for(people["officer"]).post(
        "/api/v1/incidents/", row("R1", lon=121.5), format="json"
    )
    assert response.status_code == 400
    assert "jurisdiction" in response.content.decode()
    assert not Incident.objects.exists()


def test_services_refuse_a_role_without_the_permission(people):
    incidents_ingest(rows=[row("R1")], source_system="test")
    incident = Incident.objects.get()
    with pytest.raises(PermissionDenied):
        incident_transition(incident=incident, to_status="dispatched", user=people["viewer"])
    with pytest.raises(PermissionDenied):
        incidents_ingest(rows=[row("R2")], user=people["commander"])
    assert Incident.objects.get().status == "reported"
    # The platform itself (user None) and a permitted role go through.
    incident_transition(incident=incident, to_status="dispatched", user=people["officer"])
    assert Incident.objects.get().status == "dispatched"


def test_an_api_client_reads_statistics_only(people, api_client_for):
    client = api_client_for(people["client"])
    assert client.get("/api/v1/stats/summary").status_code == 200
    for path in ("/api/v1/incidents/", "/api/v1/areas/", "/api/v1/alerts/", "/api/v1/campaigns/"):
        assert client.get(path).status_code == 403, path


def test_a_viewer_reads_but_changes_nothing(people, api_client_for):
    client = api_client_for(people["viewer"])
    assert client.get("/api/v1/incidents/").status_code == 200
    assert client.get("/api/v1/mediation/cases/").status_code == 200
    response = client.post("/api/v1/mediation/cases/", {"summary": "x"}, format="json")
    assert response.status_code == 403


def test_campaigns_are_defined_by_administrators_and_kpis_managed_by_commanders(
    people, api_client_for, two_districts
):
    district_a, district_b = two_districts
    body = {
        "name": "砺剑2026-1号",
        "code": "LJ-2026-1",
        "kind": "special",
        "starts_on": "2026-01-01",
        "ends_on": "2026-12-31",
        "organizer": district_a.parent_id,
        "scope_areas": [district_a.pk, district_b.pk],
    }
    assert api_client_for(people["analyst"]).post("/api/v1/campaigns/", body).status_code == 403
    created = api_client_for(people["admin"]).post("/api/v1/campaigns/", body, format="json")
    assert created.status_code == 201, created.content
    campaign = Campaign.objects.get()
    item = {
        "campaign": campaign.pk,
        "label": "抓获嫌疑人",
        "metric": Metric.COUNTER,
        "unit": district_a.pk,
        "target": "10",
        "direction": Direction.AT_LEAST,
        "deadline": "2026-12-31",
    }
    commander = api_client_for(people["commander"])
    assert commander.post("/api/v1/campaigns/kpis/", item, format="json").status_code == 201
    other = {**item, "unit": district_b.pk}
    assert commander.post("/api/v1/campaigns/kpis/", other, format="json").status_code in (400, 403)
    assert KpiItem.objects.count() == 1
    kpi = KpiItem.objects.get()
    report = {"value": "2", "reported_on": str(date(2026, 3, 1))}
    url = f"/api/v1/campaigns/kpis/{kpi.pk}/reports/"
    assert commander.post(url, report, format="json").status_code == 201
    viewer = api_client_for(people["viewer"])
    assert viewer.post(url, report, format="json").status_code == 403


def test_analysts_acknowledge_alerts_viewers_do_not(people, api_client_for, two_districts):
    alert = Alert.objects.create(
        title="测试", severity="critical", area=two_districts[0], area_path=two_districts[0].path
    )
    url = f"/api/v1/alerts/{alert.pk}/acknowledge/"
    assert api_client_for(people["viewer"]).post(url).status_code == 403
    assert api_client_for(people["analyst"]).post(url).status_code == 200
    assert Alert.objects.get().state == AlertState.ACKNOWLEDGED


def test_pages_follow_what_the_role_may_read(people, client):
    client.force_login(people["client"])
    assert client.get("/incidents/").status_code == 403
    compstat = client.get("/compstat/")
    assert compstat.status_code == 200
    nav = [item[0] for item in compstat.context["nav"]]
    # The pages read as statistics: CompStat, the briefings and the analysis.
    assert nav == ["compstat", "reports", "analysis"]
    client.force_login(people["analyst"])
    assert client.get("/audit/").status_code == 403
    assert "audit" not in [item[0] for item in client.get("/").context["nav"]]
    client.force_login(people["admin"])
    assert "audit" in [item[0] for item in client.get("/").context["nav"]]


def test_an_inspection_is_refused_by_the_service_outside_the_inspectors_jurisdiction(
    people, two_districts
):
    from campaigns.models import RemediationArea
    from campaigns.services import inspection_create

    from ..factories import square

    _, district_b = two_districts
    campaign = Campaign.objects.create(
        name="夏季行动", code="S1", kind="seasonal", starts_on=date(2026, 6, 1),
        ends_on=date(2026, 12, 31), organizer=district_b.parent,
    )  # fmt: skip
    area = RemediationArea.objects.create(
        campaign=campaign, name="夜市", unit=district_b, geometry=square(122.2, 30.2),
        responsible_person="王", problem="盗窃多发", target="发案下降",
        listed_on=date(2026, 6, 1), due_on=date(2026, 9, 30),
    )  # fmt: skip
    with pytest.raises(PermissionDenied):
        inspection_create(
            area=area, inspector=people["commander"], inspected_on=date(2026, 7, 1), findings="好"
        )
    assert not area.inspections.exists()


# --- accounts.policy.may_act: the one check of REST views and socket actions ------------------
def test_may_act_asks_the_role_and_the_token_scope(make_user, two_districts):
    from accounts.models import ApiToken
    from accounts.policy import may_act

    officer = make_user(role=Role.STATION_OFFICER, home_area=two_districts[0].children.get())
    analyst = make_user(role=Role.CITY_ANALYST)
    reader = ApiToken(user=officer, scopes=["patrols:read"])
    writer = ApiToken(user=officer, scopes=["patrols:write"])
    add_position = ["patrols.add_position"]

    assert may_act(officer, None, "patrols", write=True, permissions=add_position)
    assert may_act(officer, writer, "patrols", write=True, permissions=add_position)
    refused = may_act(officer, reader, "patrols", write=True, permissions=add_position)
    assert not refused and refused.detail == "this token lacks the scope patrols:write"
    refused = may_act(analyst, None, "patrols", write=True, permissions=add_position)
    assert not refused and "patrols.add_position" in refused.detail
    assert not may_act(officer, None, "patrols", write=True, permissions=None)
    assert may_act(officer, reader, "patrols", write=False)
    assert not may_act(officer, writer, "patrols", write=False)
    assert not may_act(officer, None, "audit", write=False)
