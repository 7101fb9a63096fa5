"""Patrol units, GPS pings, response standards, dispatch suggestions, breach alerts."""

from datetime import timedelta

import pytest
from django.utils import timezone
from shapely.geometry import Point, shape

from accounts.choices import Role
from alerts.choices import RuleKind, Severity
from alerts.models import Alert, AlertRule
from alerts.services import alerts_check
from incidents.ingest import incidents_ingest
from incidents.models import Incident
from patrols import services
from patrols.models import PatrolUnit, Position, ResponseStandard
from safecity.core.formatting import duration_text
from tests.conftest import PEARL_TOWER_BD09, PEARL_TOWER_GCJ02

pytestmark = pytest.mark.django_db


@pytest.fixture
def units(two_districts):
    district_a, district_b = two_districts
    seen = timezone.now() - timedelta(minutes=5)
    made = {}
    for code, home, lon, lat in [
        ("A-1", district_a, 120.50, 30.50),
        ("A-2", district_a, 120.90, 30.90),
        ("A-3", district_a, 120.52, 30.52),
        ("B-1", district_b, 122.50, 30.50),
    ]:
        made[code] = PatrolUnit.objects.create(
            code=code, name=f"巡逻{code}", kind="patrol_car", home_zone=home,
            status="on_patrol", last_lon=lon, last_lat=lat, last_seen_at=seen,
        )  # fmt: skip
    return made


@pytest.fixture
def commander(two_districts, make_user):
    return make_user(role=Role.DISTRICT_COMMANDER, home_area=two_districts[0])


def ping(unit: str, minutes_ago: float, lon=120.5, lat=30.5, **extra) -> dict:
    at = timezone.now() - timedelta(minutes=minutes_ago)
    return {"unit": unit, "at": at.isoformat(), "lon": lon, "lat": lat, **extra}


def test_a_batch_of_pings_keeps_the_good_ones_and_names_each_bad_one(
    units, commander, api_client_for
):
    batch = [
        ping("A-1", 3, lon=120.51),
        ping("A-1", 1, lon=120.53, speed_kmh=32),
        ping("NOPE", 1),
        ping("A-1", -60),
        ping("A-2", 1, lat=95),
        ping("B-1", 1),  # another district's unit: not this commander's to report
        "not a ping",
    ]
    answer = api_client_for(commander).post("/api/v1/patrols/positions/", batch, format="json")
    assert answer.status_code == 200
    report = answer.json()
    assert (report["stored"], report["rejected"]) == (2, 5)
    assert [(e["index"], e["field"]) for e in report["errors"]] == [
        (2, "unit"), (3, "at"), (4, "lon"), (5, "unit"), (6, "ping"),
    ]  # fmt: skip
    assert "future" in report["errors"][1]["message"]
    unit = PatrolUnit.objects.get(code="A-1")
    assert unit.last_lon == 120.53  # the latest of the batch


def test_a_repeated_ping_is_stored_once_and_an_older_one_does_not_move_the_unit(units):
    first = ping("A-1", 1, lon=120.6)
    assert services.positions_ingest(pings=[first])["stored"] == 1
    again = services.positions_ingest(pings=[first, ping("A-1", 30, lon=120.1)])
    assert (again["stored"], again["duplicates"]) == (1, 1)
    assert Position.objects.count() == 2
    assert PatrolUnit.objects.get(code="A-1").last_lon == 120.6


def test_old_pings_are_pruned_after_the_retention(units, settings):
    settings.PATROL_POSITION_RETENTION_DAYS = 30
    services.positions_ingest(pings=[ping("A-1", 60 * 24 * 31), ping("A-1", 60 * 24 * 29)])
    assert services.positions_prune() == 1
    assert Position.objects.count() == 1


def test_suggestions_are_the_nearest_available_units_in_order(units, commander, api_client_for):
    incidents_ingest(
        rows=[{"source_ref": "S1", "category": "fight", "lon": 120.51, "lat": 30.51,
               "reported_at": timezone.now().isoformat()}],
        source_system="t",
    )  # fmt: skip
    units["A-3"].status = "responding"  # the nearest of all, but busy
    units["A-3"].save()
    incident = Incident.objects.get()
    answer = api_client_for(commander).get(
        f"/api/v1/incidents/{incident.public_id}/suggested-units/"
    )
    suggested = answer.json()["units"]
    assert [u["unit"] for u in suggested] == ["A-1", "A-2"]  # B-1 is out of scope
    distances = [u["distance_m"] for u in suggested]
    assert distances == sorted(distances)
    expected = services.distance_m(120.5, 30.5, 120.51, 30.51)
    assert suggested[0]["distance_m"] == round(expected)
    assert suggested[0]["eta_seconds"] == round(expected / (30 * 1000 / 3600))


def test_a_stale_position_is_not_suggested(units, settings):
    settings.PATROL_POSITION_FRESH_MINUTES = 10
    PatrolUnit.objects.filter(code="A-1").update(
        last_seen_at=timezone.now() - timedelta(minutes=30)
    )
    incident = Incident(lon=120.5, lat=30.5)
    codes = [
        u["unit"]
        for u in services.suggested_units(incident=incident, units=PatrolUnit.objects.all())
    ]
    assert "A-1" not in codes and codes[0] == "A-3"


def test_standards_are_inherited_down_the_tree(two_districts, city, settings):
    district_a, district_b = two_districts
    station = district_a.children.get()
    ResponseStandard.objects.create(area=city, dispatch_seconds=90, arrive_seconds=300)
    ResponseStandard.objects.create(area=district_a, dispatch_seconds=60, arrive_seconds=180)
    assert services.standard_for(station.path) == (60, 180)
    assert services.standard_for(district_b.path) == (90, 300)
    assert services.standard_for("") == settings.RESPONSE_STANDARD_DEFAULT


def test_a_response_breach_uses_the_areas_standard_and_alerts(two_districts):
    district_a, district_b = two_districts
    ResponseStandard.objects.create(area=district_a, dispatch_seconds=60, arrive_seconds=180)
    ResponseStandard.objects.create(area=district_b, dispatch_seconds=600, arrive_seconds=900)
    AlertRule.objects.create(
        name="响应超时", kind=RuleKind.RESPONSE_BREACH, severity=Severity.WARNING
    )
    reported = (timezone.now() - timedelta(minutes=4)).isoformat()
    incidents_ingest(
        rows=[
            {"source_ref": "A", "category": "fight", "lon": 120.5, "lat": 30.5,
             "reported_at": reported},
            {"source_ref": "B", "category": "fight", "lon": 122.5, "lat": 30.5,
             "reported_at": reported},
        ],
        source_system="t",
    )  # fmt: skip
    assert alerts_check(kind=RuleKind.RESPONSE_BREACH) == 1
    alert = Alert.objects.get()
    assert alert.incident.source_ref == "A"
    # The area's standard, 60 s to dispatch and 180 s to arrive, in words.
    assert f"{duration_text(60, english=False)}内派警" in alert.body
    assert f"{duration_text(180, english=False)}内到场" in alert.body


def test_units_are_scoped_and_only_administrators_create_them(
    units, commander, api_client_for, two_districts, make_user, city
):
    listed = api_client_for(commander).get("/api/v1/patrols/units/").json()["results"]
    assert sorted(u["code"] for u in listed) == ["A-1", "A-2", "A-3"]
    body = {"code": "A-9", "name": "巡逻A-9", "kind": "ptu", "home_zone": two_districts[0].id}
    analyst = make_user(role=Role.CITY_ANALYST, home_area=city)
    for user in (commander, analyst):
        refused = api_client_for(user).post("/api/v1/patrols/units/", body, format="json")
        assert refused.status_code == 403
    admin = make_user(role=Role.ADMINISTRATOR, home_area=city)
    created = api_client_for(admin).post("/api/v1/patrols/units/", body, format="json")
    assert created.status_code == 201 and created.json()["status"] == "off_duty"


def test_a_standard_with_arrival_before_dispatch_is_refused(
    two_districts, make_user, city, api_client_for
):
    admin = make_user(role=Role.ADMINISTRATOR, home_area=city)
    answer = api_client_for(admin).post(
        "/api/v1/patrols/standards/",
        {"area": two_districts[0].id, "dispatch_seconds": 300, "arrive_seconds": 60},
        format="json",
    )
    assert answer.status_code == 400 and "arrive_seconds" in answer.json()


def test_a_ping_repeated_within_a_batch_counts_as_a_duplicate(units):
    first = ping("A-1", 2, lon=120.6)
    report = services.positions_ingest(pings=[first, first, ping("A-1", 1)])
    assert (report["stored"], report["duplicates"], report["rejected"]) == (2, 1, 0)
    assert Position.objects.count() == 2


def test_a_unit_follows_its_zone_when_the_zone_moves(units, two_districts, make_user):
    from areas.models import Area

    district_a, district_b = two_districts
    zone = Area.objects.get(parent=district_a)
    unit = units["A-1"]
    unit.home_zone = zone
    unit.save()
    zone.parent = district_b
    zone.save()
    unit.refresh_from_db()
    zone.refresh_from_db()
    assert unit.home_path == zone.path and zone.path.startswith(district_b.path)
    commander_b = make_user(role=Role.DISTRICT_COMMANDER, home_area=district_b)
    assert unit in PatrolUnit.objects.for_user(commander_b)


@pytest.mark.parametrize(
    ("system", "point"), [("gcj02", PEARL_TOWER_GCJ02), ("bd09", PEARL_TOWER_BD09)]
)
def test_a_ping_in_a_chinese_system_is_stored_in_wgs84(
    system, point, split_at_pearl_tower, make_user, city, api_client_for
):
    west, _east = split_at_pearl_tower
    PatrolUnit.objects.create(code="P-1", name="巡逻P-1", kind="patrol_car", home_zone=west)
    gateway = make_user(role=Role.ADMINISTRATOR, home_area=city)
    batch = [ping("P-1", 1, lon=point[0], lat=point[1], crs=system)]
    answer = api_client_for(gateway).post("/api/v1/patrols/positions/", batch, format="json")
    assert answer.json()["stored"] == 1, answer.json()
    stored = Position.objects.get()
    assert (stored.lon, stored.lat) == pytest.approx((121.49527, 31.24170), abs=1e-5)
    assert shape(west.geometry).contains(Point(stored.lon, stored.lat))


def test_a_ping_in_an_unknown_system_is_refused(units):
    report = services.positions_ingest(pings=[ping("A-1", 1, crs="epsg3857")])
    assert report["stored"] == 0 and report["errors"][0]["field"] == "crs"
