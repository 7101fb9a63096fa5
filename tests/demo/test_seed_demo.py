from io import StringIO

import pytest
from django.core.management import call_command
from shapely.geometry import shape

from accounts.models import User
from areas.choices import AreaKind
from areas.models import Area
from demo.users import DEMO_PASSWORD

pytestmark = pytest.mark.django_db


def seed(*args) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def test_demo_city_has_shanghai_districts_with_stations_and_zones():
    output = seed("--seed", "7", "--incidents", "0")
    city = Area.objects.get(kind=AreaKind.CITY)
    districts = Area.objects.filter(kind=AreaKind.DISTRICT)
    assert districts.count() == 16
    assert all(d.parent_id == city.pk for d in districts)
    for district in districts:
        stations = district.children.all()
        assert stations.count() >= 3
        district_shape = shape(district.geometry).buffer(1e-5)
        assert all(district_shape.covers(shape(s.geometry)) for s in stations)
    assert Area.objects.filter(kind=AreaKind.PATROL_ZONE, parent__kind=AreaKind.STATION).exists()
    assert "Demo logins" in output and DEMO_PASSWORD in output


def test_second_run_reuses_the_demo_city():
    seed("--seed", "7", "--incidents", "0")
    ids = set(Area.objects.values_list("id", flat=True))
    output = seed("--seed", "7", "--incidents", "0")
    assert "already built" in output
    assert set(Area.objects.values_list("id", flat=True)) == ids


def test_same_seed_builds_the_same_city():
    seed("--seed", "7", "--incidents", "0")
    before = {a.path: (a.name, a.geometry) for a in Area.objects.all()}
    seed("--seed", "7", "--force", "--incidents", "0")
    after = {a.path: (a.name, a.geometry) for a in Area.objects.all()}
    assert after == before


def test_demo_users_can_log_in_with_their_scope(client):
    seed("--seed", "7", "--incidents", "0")
    commander = User.objects.get(username="commander")
    assert commander.home_area.kind == AreaKind.DISTRICT
    assert client.login(username="commander", password=DEMO_PASSWORD)
    rows = client.get("/api/v1/areas/").json()
    assert {row["id"] for row in rows} == set(
        Area.objects.subtree(commander.home_area).values_list("id", flat=True)
    )


def test_demo_incidents_go_through_the_bulk_path_with_trends():
    from incidents.models import Incident

    output = seed("--seed", "7", "--incidents", "3000")
    assert "rejected" in output and " 0 rejected" in output
    demo = Incident.objects.filter(source_system="demo")
    assert 2700 <= demo.count() <= 3300
    assert demo.exclude(district=None).count() == demo.count()
    # Rerunning reuses the incidents rather than adding more.
    count = demo.count()
    seed("--seed", "7", "--incidents", "3000")
    assert demo.count() == count


def test_demo_city_has_two_campaigns_with_their_parts_and_default_alert_rules():
    from alerts.models import Alert, AlertRule
    from campaigns.models import Campaign

    seed("--seed", "7", "--incidents", "0")
    campaigns = {c.code: c for c in Campaign.objects.all()}
    assert len(campaigns) == 2
    summer = campaigns["summer-100-demo"]
    assert summer.kpis.count() > 0 and summer.sweeps.count() > 0
    assert summer.remediations.count() > 0 and summer.operations.count() == 6
    assert campaigns["lijian-demo-1"].battles.count() > 0
    assert all(item.evaluated_at for item in summer.kpis.all())
    assert AlertRule.objects.filter(enabled=True).count() >= 5
    # One listed area is past due in the demo; seeding ran the overdue check.
    assert Alert.objects.filter(kind="remediation_overdue").exists()
    seed("--seed", "7", "--incidents", "0")
    assert Campaign.objects.count() == 2  # a second run adds nothing


def test_demo_city_has_patrol_units_with_a_day_of_tracks_inside_their_zones():
    from patrols.models import PatrolUnit, Position

    seed("--seed", "7", "--incidents", "0")
    units = PatrolUnit.objects.select_related("home_zone")
    districts = Area.objects.filter(kind=AreaKind.DISTRICT).count()
    assert units.count() == 3 * districts
    unit = units.filter(status="on_patrol").first()
    track = Position.objects.filter(unit=unit).order_by("at")
    assert track.count() >= 24 * 30  # a ping every two minutes
    assert (track.last().at - track.first().at).total_seconds() >= 23 * 3600
    zone = shape(unit.home_zone.geometry).buffer(1e-6)
    from shapely.geometry import Point

    assert all(zone.covers(Point(p.lon, p.lat)) for p in track[:200])
    assert (unit.last_lon, unit.last_lat) == (track.last().lon, track.last().lat)


def test_demo_city_has_a_year_of_dispute_cases_in_the_statistics():
    from datetime import timedelta

    from django.utils import timezone

    from mediation.choices import CaseStatus
    from mediation.models import DisputeCase, MediationDaily
    from stats.models import ALL_CATEGORIES, EVERYWHERE

    out = seed("--seed", "7", "--incidents", "300")
    cases = DisputeCase.objects.all()
    assert f"Demo dispute cases: {cases.count()}" in out
    stations = Area.objects.filter(kind=AreaKind.STATION).count()
    assert cases.count() >= stations * 20
    oldest = cases.order_by("screened_at").first().screened_at
    assert timezone.now() - oldest >= timedelta(days=365)
    assert set(cases.values_list("status", flat=True)) >= {
        CaseStatus.TRANSFERRED, CaseStatus.RESOLVED, CaseStatus.MEDIATING,
    }  # fmt: skip
    # Every case has its timeline, and the rollups count every case.
    assert all(case.changes.exists() for case in cases[:50])
    rolled = MediationDaily.objects.filter(area_key=EVERYWHERE, category_key=ALL_CATEGORIES)
    assert sum(rolled.values_list("screened", flat=True)) == cases.count()
    assert sum(rolled.values_list("transferred", flat=True)) == (
        cases.filter(transferred_at__isnull=False).count()
    )
    seed("--seed", "7", "--incidents", "300")
    assert DisputeCase.objects.count() == cases.count()  # a second run adds nothing
