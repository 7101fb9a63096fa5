"""Alert rules raise alerts with their cause; alerts are handled over REST, in scope."""

from datetime import timedelta
from unittest import mock

import pytest
from django.utils import timezone

from accounts.choices import Role
from alerts import services
from alerts.choices import AlertState, RuleKind, Severity
from alerts.models import Alert, AlertRule
from areas.choices import AreaKind
from incidents.ingest import incidents_ingest
from incidents.models import Incident
from incidents.services import device_event_receive
from safecity.core import live

from ..factories import AreaFactory, square

pytestmark = pytest.mark.django_db


def row(ref: str, *, category="theft_burglary", lon=120.5, lat=30.5, hours_ago=1.0, **extra):
    return {
        "source_ref": ref,
        "category": category,
        "reported_at": (timezone.now() - timedelta(hours=hours_ago)).isoformat(),
        "lon": lon,
        "lat": lat,
        **extra,
    }


def rule(**values) -> AlertRule:
    defaults = {"name": "r", "kind": RuleKind.INSTANT, "severity": Severity.CRITICAL}
    return AlertRule.objects.create(**(defaults | values))


@pytest.fixture
def fatal_rule(db):
    return rule(name="致死交通事故", categories=["traffic_accident_fatal"])


def test_an_instant_rule_raises_an_alert_linked_to_the_new_incident(two_districts, fatal_rule):
    incidents_ingest(rows=[row("F1", category="traffic_accident_fatal")], source_system="t")
    alert = Alert.objects.get()
    incident = Incident.objects.get(source_ref="F1")
    assert (alert.rule, alert.incident, alert.severity) == (fatal_rule, incident, "critical")
    assert alert.area_id == incident.area_id and alert.area_path == incident.area_path
    assert alert.title.startswith(incident.category.name)
    assert alert.title_en.startswith(incident.category.name_en)


def test_incidents_of_other_categories_raise_nothing(two_districts, fatal_rule):
    incidents_ingest(rows=[row("T1"), row("T2", category="fight")], source_system="t")
    assert not Alert.objects.exists()


def test_a_rule_for_one_district_ignores_the_other(two_districts):
    _, district_b = two_districts
    rule(area=district_b, categories=["traffic_accident"])
    incidents_ingest(rows=[row("A1", category="traffic_accident_fatal")], source_system="t")
    assert not Alert.objects.exists()
    incidents_ingest(
        rows=[row("B1", category="traffic_accident_fatal", lon=122.5)], source_system="t"
    )
    assert Alert.objects.get().area_path.startswith(district_b.path)


def test_a_back_filled_incident_raises_no_alert(two_districts, fatal_rule, settings):
    settings.ALERTS_INSTANT_MAX_AGE_HOURS = 24
    rows = [
        row("OLD", category="traffic_accident_fatal", hours_ago=25),
        row("NEW", category="traffic_accident_fatal", hours_ago=23),
    ]
    incidents_ingest(rows=rows, source_system="t")
    assert Incident.objects.count() == 2
    assert Alert.objects.get().incident.source_ref == "NEW"


def test_a_priority_rule_fires_on_urgent_incidents_only(two_districts):
    rule(max_priority=1)
    incidents_ingest(rows=[row("P3", priority=3), row("P1", priority=1)], source_system="t")
    assert Alert.objects.get().incident.source_ref == "P1"


def test_an_atomic_ingest_that_saves_nothing_raises_nothing(two_districts, fatal_rule):
    rows = [row("G1", category="traffic_accident_fatal"), row("BAD", lat=95)]
    report = incidents_ingest(rows=rows, source_system="t", atomic=True)
    assert report.rejected == 1
    assert not Alert.objects.exists() and not Incident.objects.exists()


def test_a_device_event_rule_raises_once_within_its_cooldown(two_districts):
    rule(name="防溺水", event_types=["drowning_person_at_water"], cooldown_minutes=10)
    for number in (1, 2):
        device_event_receive(
            data={
                "device_id": "CAM-7",
                "event_id": f"E{number}",
                "event_type": "drowning_person_at_water",
                "occurred_at": timezone.now(),
                "lon": 120.5,
                "lat": 30.5,
                "confidence": 0.9,
            }
        )
    alert = Alert.objects.get()
    assert alert.device_event.event_id == "E1" and "CAM-7" in alert.title


@pytest.fixture
def zones(two_districts):
    district_a, _ = two_districts
    station = district_a.children.get()
    return [
        AreaFactory(kind=AreaKind.PATROL_ZONE, parent=station, geometry=square(120, 30, 0.5)),
        AreaFactory(kind=AreaKind.PATROL_ZONE, parent=station, geometry=square(120.5, 30, 0.5)),
    ]


def test_a_burst_of_thefts_in_one_patrol_zone_raises_a_spike_alert(zones):
    rule(
        kind=RuleKind.SPIKE,
        categories=["theft"],
        per_area_kind="patrol_zone",
        window_hours=6,
        baseline_weeks=4,
        z_threshold=3,
        min_count=3,
    )
    now = timezone.now()
    rows = [row(f"N{n}", lon=120.2, lat=30.2, hours_ago=0.5 + n * 0.3) for n in range(9)]
    # The baseline: one theft in the same hours of each of the four weeks before, both zones.
    for week in range(1, 5):
        rows.append(row(f"W{week}", lon=120.2, lat=30.2, hours_ago=week * 24 * 7 + 1))
        rows.append(row(f"V{week}", lon=120.7, lat=30.2, hours_ago=week * 24 * 7 + 1))
    rows.append(row("Z1", lon=120.7, lat=30.2))  # the other zone: one, as usual
    incidents_ingest(rows=rows, source_system="t")
    assert services.alerts_check(kind=RuleKind.SPIKE, now=now) == 1
    alert = Alert.objects.get(kind=RuleKind.SPIKE)
    assert alert.area == zones[0]
    assert "9" in alert.title
    assert services.alerts_check(kind=RuleKind.SPIKE, now=now) == 0  # cooldown


def test_a_small_count_is_no_spike_however_quiet_the_baseline(zones):
    rule(kind=RuleKind.SPIKE, categories=["theft"], per_area_kind="patrol_zone", min_count=3)
    incidents_ingest(rows=[row("N1", lon=120.2, lat=30.2)], source_system="t")
    assert services.alerts_check(kind=RuleKind.SPIKE) == 0


def test_incidents_past_their_response_standard_raise_breach_alerts(two_districts):
    rule(kind=RuleKind.RESPONSE_BREACH, dispatch_seconds=60, on_scene_seconds=180)
    reported = timezone.now() - timedelta(minutes=10)
    incidents_ingest(
        rows=[
            row("WAIT", hours_ago=10 / 60),
            row("ROAD", hours_ago=10 / 60, dispatched_at=(reported + timedelta(seconds=30))),
            row("DONE", hours_ago=10 / 60, on_scene_at=(reported + timedelta(seconds=150))),
            row("NEW", hours_ago=0.5 / 60),
        ],
        source_system="t",
    )
    assert services.alerts_check(kind=RuleKind.RESPONSE_BREACH) == 2
    breached = set(Alert.objects.values_list("incident__source_ref", "dedup_key"))
    assert {ref for ref, _ in breached} == {"WAIT", "ROAD"}
    assert services.alerts_check(kind=RuleKind.RESPONSE_BREACH) == 0


def test_an_alert_is_kept_when_the_channel_layer_is_down(
    two_districts, fatal_rule, django_capture_on_commit_callbacks
):
    broken = mock.Mock()
    broken.group_send = mock.AsyncMock(side_effect=ConnectionError("redis is down"))
    with (
        mock.patch("safecity.core.live.get_channel_layer", return_value=broken),
        django_capture_on_commit_callbacks(execute=True),
    ):
        report = incidents_ingest(
            rows=[row("F1", category="traffic_accident_fatal")], source_system="t"
        )
    assert report.created == 1
    assert Alert.objects.count() == 1
    assert broken.group_send.called


def test_an_alert_goes_to_its_area_and_every_ancestor():
    assert live.groups_for_path(services.FEED, "/1/5/9/") == [
        "alerts.all",
        "alerts.area.1",
        "alerts.area.5",
        "alerts.area.9",
    ]
    assert live.groups_for_path(services.FEED, "") == ["alerts.all"]


# --- REST --------------------------------------------------------------------------------


@pytest.fixture
def two_alerts(two_districts, fatal_rule):
    incidents_ingest(
        rows=[
            row("A1", category="traffic_accident_fatal"),
            row("B1", category="traffic_accident_fatal", lon=122.5),
        ],
        source_system="t",
    )
    return {a.incident.source_ref: a for a in Alert.objects.select_related("incident")}


def test_alert_list_is_scoped_to_the_users_district(
    two_alerts, two_districts, make_user, api_client_for
):
    commander = make_user(role=Role.DISTRICT_COMMANDER, home_area=two_districts[0])
    answer = api_client_for(commander).get("/api/v1/alerts/").json()
    assert [a["id"] for a in answer["results"]] == [two_alerts["A1"].id]
    missing = api_client_for(commander).get(f"/api/v1/alerts/{two_alerts['B1'].id}/")
    assert missing.status_code == 404


def test_acknowledge_then_resolve_and_not_twice(two_alerts, make_user, api_client_for, city):
    analyst = make_user(role=Role.CITY_ANALYST, home_area=city)
    client = api_client_for(analyst)
    alert_id = two_alerts["A1"].id
    acknowledged = client.post(f"/api/v1/alerts/{alert_id}/acknowledge/").json()
    assert acknowledged["state"] == AlertState.ACKNOWLEDGED
    assert acknowledged["acknowledged_by"] == analyst.username
    resolved = client.post(f"/api/v1/alerts/{alert_id}/resolve/").json()
    assert resolved["state"] == AlertState.RESOLVED and resolved["resolved_at"]
    again = client.post(f"/api/v1/alerts/{alert_id}/resolve/")
    assert again.status_code == 409 and "already resolved" in again.json()["detail"]


def test_alert_filters_by_state_and_severity(two_alerts, make_user, api_client_for, city):
    client = api_client_for(make_user(role=Role.CITY_ANALYST, home_area=city))
    client.post(f"/api/v1/alerts/{two_alerts['A1'].id}/resolve/")
    open_ids = [a["id"] for a in client.get("/api/v1/alerts/?state=open").json()["results"]]
    assert open_ids == [two_alerts["B1"].id]
    assert client.get("/api/v1/alerts/?severity=info").json()["results"] == []


def test_only_administrators_change_rules(two_districts, make_user, api_client_for, city):
    body = {"name": "盗窃", "kind": "instant", "severity": "warning", "categories": ["theft"]}
    for role, home in ((Role.DISTRICT_COMMANDER, two_districts[0]), (Role.CITY_ANALYST, city)):
        refused = api_client_for(make_user(role=role, home_area=home)).post(
            "/api/v1/alerts/rules/", body, format="json"
        )
        assert refused.status_code == 403
    admin = make_user(role=Role.ADMINISTRATOR, home_area=city)
    created = api_client_for(admin).post("/api/v1/alerts/rules/", body, format="json")
    assert created.status_code == 201 and AlertRule.objects.get().categories == ["theft"]
    bad = api_client_for(admin).post(
        "/api/v1/alerts/rules/", body | {"categories": ["no_such"]}, format="json"
    )
    assert bad.status_code == 400 and "no_such" in str(bad.json()["categories"])
