"""Campaigns through the API: a real district report's 百日行动, KPI pace, scope and closure."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.choices import Role
from alerts.choices import RuleKind, Severity
from alerts.models import Alert, AlertRule
from campaigns import services
from campaigns.choices import KpiStatus
from campaigns.models import Campaign, KpiItem, RemediationArea
from incidents.ingest import incidents_ingest
from reports.models import Report

from ..factories import square

pytestmark = pytest.mark.django_db

# The 百日行动 results of a real district report: (sweep field, total).
REPORTED_SWEEPS = {
    "checkpoints": 28,
    "venues_checked": 800,
    "dangerous_goods_firms": 142,
    "violations": 89,
    "hazards_found": 169,
    "hazards_rectified": 169,
    "notices": 71,
}
LISTED_REMEDIATION_AREAS = 9
DRUNK_DRIVERS_CAUGHT = 86


def split(total: int, parts: int) -> list[int]:
    """``total`` in ``parts`` uneven pieces that add up exactly."""
    pieces = [total // parts + (1 if n < total % parts else 0) for n in range(parts)]
    return pieces[1:] + pieces[:1]


@pytest.fixture
def people(two_districts, make_user, city):
    return {
        "admin": make_user(role=Role.ADMINISTRATOR, home_area=city),
        "a": make_user(role=Role.DISTRICT_COMMANDER, home_area=two_districts[0]),
        "b": make_user(role=Role.DISTRICT_COMMANDER, home_area=two_districts[1]),
    }


@pytest.fixture
def hundred_days(people, api_client_for, two_districts, city):
    start = timezone.localdate() - timedelta(days=60)
    answer = api_client_for(people["admin"]).post(
        "/api/v1/campaigns/",
        {
            "name": "夏季治安打击整治百日行动",
            "code": "summer-100",
            "kind": "hundred_days",
            "starts_on": start.isoformat(),
            "ends_on": (start + timedelta(days=99)).isoformat(),
            "organizer": city.id,
            "scope_areas": [d.id for d in two_districts],
            "focus_categories": ["theft", "drunk_driving"],
            "status": "active",
            "goals": "压降可防性案件，整治突出治安问题",
        },
        format="json",
    )
    assert answer.status_code == 201, answer.json()
    return answer.json()


def test_a_hundred_days_report_entered_through_the_api_sums_exactly(
    hundred_days, people, api_client_for, two_districts
):
    district_a, district_b = two_districts
    admin = api_client_for(people["admin"])
    commander = api_client_for(people["a"])
    start = date.fromisoformat(hundred_days["starts_on"])
    for number, tallies in enumerate(
        zip(*(split(total, 4) for total in REPORTED_SWEEPS.values()), strict=True)
    ):
        body = dict(zip(REPORTED_SWEEPS, tallies, strict=True))
        body |= {
            "campaign": hundred_days["id"],
            "held_on": (start + timedelta(days=7 * number)).isoformat(),
            "areas": [district_a.id],
            "officers": 40,
        }
        answer = commander.post("/api/v1/campaigns/sweeps/", body, format="json")
        assert answer.status_code == 201, answer.json()
    for number in range(LISTED_REMEDIATION_AREAS):
        answer = admin.post(
            "/api/v1/campaigns/remediation-areas/",
            {
                "campaign": hundred_days["id"],
                "name": f"挂牌整治点{number + 1}",
                "geometry": square(120.1 + number * 0.05, 30.1, 0.04),
                "unit": (district_a if number % 2 else district_b).id,
                "responsible_person": "张警官",
                "problem": "盗窃电动车高发",
                "target": "电动车被盗同比下降",
                "listed_on": start.isoformat(),
                "due_on": (start + timedelta(days=90)).isoformat(),
            },
            format="json",
        )
        assert answer.status_code == 201, answer.json()
    item = admin.post(
        "/api/v1/campaigns/kpis/",
        {
            "campaign": hundred_days["id"],
            "label": "查处酒驾醉驾",
            "metric": "counter",
            "unit": district_a.id,
            "target": "120",
            "direction": "at_least",
            "deadline": hundred_days["ends_on"],
        },
        format="json",
    ).json()
    for number, value in enumerate(split(DRUNK_DRIVERS_CAUGHT, 3)):
        answer = commander.post(
            f"/api/v1/campaigns/kpis/{item['id']}/reports/",
            {"reported_on": (start + timedelta(days=10 * number)).isoformat(), "value": value},
            format="json",
        )
        assert answer.status_code == 201, answer.json()

    battles = [(12, 30, "1250000.50"), (7, 11, "80000")]
    for number, (solved, suspects, money) in enumerate(battles):
        answer = admin.post(
            "/api/v1/campaigns/battles/",
            {"campaign": hundred_days["id"], "name": f"集群战役{number}",
             "category": "fraud_telecom", "department": "cyber",
             "launched_on": start.isoformat(), "cases_solved": solved, "suspects": suspects,
             "gangs_broken": 1, "money_involved": money},
            format="json",
        )  # fmt: skip
        assert answer.status_code == 201, answer.json()
    thefts = [
        {"source_ref": f"TH{n}", "category": "theft_ebike", "lon": lon, "lat": 30.5,
         "reported_at": (timezone.now() - timedelta(days=days)).isoformat()}
        for n, (lon, days) in enumerate([(120.5, 3), (122.5, 10), (120.5, 365 + 3), (125.0, 3)])
    ]  # fmt: skip
    incidents_ingest(rows=thefts, source_system="t")
    from stats.services import rollups_recompute_dirty

    rollups_recompute_dirty()

    summary = admin.get(f"/api/v1/campaigns/{hundred_days['id']}/summary/").json()
    assert summary["battles"]["cases_solved"] == sum(b[0] for b in battles)
    assert summary["battles"]["suspects"] == sum(b[1] for b in battles)
    assert summary["battles"]["money_involved"] == float(sum(Decimal(b[2]) for b in battles))
    # Thefts in the two scope districts this period (not the one outside the city), and the
    # one a year earlier as the base.
    assert summary["incidents"]["total"]["current"] == 2
    assert summary["incidents"]["total"]["yoy"]["base"] == 1
    for field, total in REPORTED_SWEEPS.items():
        assert summary["sweeps"][field] == total
    assert summary["remediation_areas"]["total"] == LISTED_REMEDIATION_AREAS
    assert (
        sum(count for status, count in summary["remediation_areas"].items() if status != "total")
        == LISTED_REMEDIATION_AREAS
    )
    assert summary["reported"]["查处酒驾醉驾"] == DRUNK_DRIVERS_CAUGHT


def counter_item(hundred_days, unit, target: int) -> KpiItem:
    return KpiItem.objects.create(
        campaign_id=hundred_days["id"],
        label="检查场所",
        metric="counter",
        unit=unit,
        target=Decimal(target),
        direction="at_least",
        deadline=date.fromisoformat(hundred_days["ends_on"]),
    )


def test_a_kpi_falling_behind_its_pace_turns_at_risk_and_alerts(
    hundred_days, people, api_client_for, two_districts
):
    district_a, _ = two_districts
    AlertRule.objects.create(
        name="专项指标滞后", kind=RuleKind.CAMPAIGN_KPI, severity=Severity.WARNING
    )
    item = counter_item(hundred_days, district_a, target=1000)
    start = date.fromisoformat(hundred_days["starts_on"])
    commander = api_client_for(people["a"])
    # 61 of 100 days gone: 700 projects past 1,000; 300 projects to about 490.
    commander.post(
        f"/api/v1/campaigns/kpis/{item.id}/reports/",
        {"reported_on": (start + timedelta(days=5)).isoformat(), "value": 700},
        format="json",
    )
    item.refresh_from_db()
    assert item.status == KpiStatus.ON_TRACK and item.percent_of_target == Decimal("70.0")
    assert not Alert.objects.exists()

    item.reports.update(value=300)
    services.kpi_evaluate(item=item)
    item.refresh_from_db()
    assert item.status == KpiStatus.AT_RISK
    alert = Alert.objects.get()
    assert alert.kind == RuleKind.CAMPAIGN_KPI and "检查场所" in alert.title
    services.kpi_evaluate(item=item)  # still at risk: no second alert
    assert Alert.objects.count() == 1


def test_kpi_status_at_the_deadline_is_achieved_or_missed(hundred_days, two_districts):
    item = counter_item(hundred_days, two_districts[0], target=10)
    deadline = item.deadline
    assert services.kpi_status(item, Decimal(12), deadline) == KpiStatus.ACHIEVED
    assert services.kpi_status(item, Decimal(9), deadline) == KpiStatus.MISSED
    item.direction = "at_most"
    assert services.kpi_status(item, Decimal(9), deadline) == KpiStatus.ACHIEVED


def test_a_computed_kpi_counts_incidents_through_the_statistics(
    hundred_days, two_districts, settings
):
    from stats.services import rollups_recompute_dirty

    district_a, _ = two_districts
    start = date.fromisoformat(hundred_days["starts_on"])
    reported = timezone.now() - timedelta(days=3)
    incidents_ingest(
        rows=[
            {"source_ref": f"T{n}", "category": "theft_ebike", "lon": 120.5, "lat": 30.5,
             "reported_at": (reported - timedelta(hours=n)).isoformat()}
            for n in range(4)
        ] + [
            {"source_ref": "OLD", "category": "theft_ebike", "lon": 120.5, "lat": 30.5,
             "reported_at": (timezone.now() - timedelta(days=300)).isoformat()},
            {"source_ref": "B", "category": "theft_ebike", "lon": 122.5, "lat": 30.5,
             "reported_at": reported.isoformat()},
        ],
        source_system="t",
    )  # fmt: skip
    rollups_recompute_dirty()
    from incidents.models import Category

    item = KpiItem.objects.create(
        campaign_id=hundred_days["id"],
        label="盗窃警情不超过",
        metric="incident_count",
        category=Category.objects.get(code="theft"),
        unit=district_a,
        target=Decimal(50),
        direction="at_most",
        deadline=start + timedelta(days=99),
    )
    services.kpi_evaluate(item=item)
    item.refresh_from_db()
    assert item.current == 4 and item.status == KpiStatus.ON_TRACK


def test_a_commander_sees_and_reports_only_for_their_district(
    hundred_days, people, api_client_for, two_districts
):
    _, district_b = two_districts
    item_b = counter_item(hundred_days, district_b, target=10)
    commander = api_client_for(people["a"])
    listed = commander.get("/api/v1/campaigns/kpis/").json()["results"]
    assert item_b.id not in [item["id"] for item in listed]
    answer = commander.post(
        f"/api/v1/campaigns/kpis/{item_b.id}/reports/",
        {"reported_on": hundred_days["starts_on"], "value": 1},
        format="json",
    )
    assert answer.status_code == 404
    other = api_client_for(people["b"]).get("/api/v1/campaigns/").json()["results"]
    assert [c["code"] for c in other] == ["summer-100"]  # the campaign covers district B too
    refused = commander.post("/api/v1/campaigns/", {"name": "x", "code": "x"}, format="json")
    assert refused.status_code == 403


def test_a_closed_campaign_refuses_reports_with_a_reason(
    hundred_days, people, api_client_for, two_districts
):
    item = counter_item(hundred_days, two_districts[0], target=10)
    admin = api_client_for(people["admin"])
    admin.patch(f"/api/v1/campaigns/{hundred_days['id']}/", {"status": "closed"}, format="json")
    answer = api_client_for(people["a"]).post(
        f"/api/v1/campaigns/kpis/{item.id}/reports/",
        {"reported_on": hundred_days["starts_on"], "value": 5},
        format="json",
    )
    assert answer.status_code == 409 and "closed" in answer.json()["detail"]
    sweep = api_client_for(people["a"]).post(
        "/api/v1/campaigns/sweeps/",
        {"campaign": hundred_days["id"], "held_on": hundred_days["starts_on"],
         "areas": [two_districts[0].id]},
        format="json",
    )  # fmt: skip
    assert sweep.status_code == 400 and "closed" in str(sweep.json()["campaign"])


def test_a_closed_campaigns_sweep_cannot_be_changed_without_naming_the_campaign(
    hundred_days, people, api_client_for, two_districts
):
    officer = api_client_for(people["a"])
    sweep = officer.post(
        "/api/v1/campaigns/sweeps/",
        {"campaign": hundred_days["id"], "held_on": hundred_days["starts_on"],
         "areas": [two_districts[0].id]},
        format="json",
    )  # fmt: skip
    assert sweep.status_code == 201, sweep.content
    admin = api_client_for(people["admin"])
    admin.patch(f"/api/v1/campaigns/{hundred_days['id']}/", {"status": "closed"}, format="json")
    changed = officer.patch(
        f"/api/v1/campaigns/sweeps/{sweep.json()['id']}/", {"venues_checked": 99}, format="json"
    )
    assert changed.status_code == 409 and "closed" in changed.json()["detail"]
    assert (
        officer.get(f"/api/v1/campaigns/sweeps/{sweep.json()['id']}/").json()["venues_checked"]
        == (sweep.json()["venues_checked"])
    )


def test_bad_input_is_refused_naming_the_field(hundred_days, people, api_client_for, city):
    admin = api_client_for(people["admin"])
    backwards = admin.post(
        "/api/v1/campaigns/",
        {"name": "倒序", "code": "back", "kind": "special", "starts_on": "2024-05-01",
         "ends_on": "2024-04-01", "organizer": city.id, "scope_areas": [city.id]},
        format="json",
    )  # fmt: skip
    assert backwards.status_code == 400 and "ends_on" in backwards.json()
    sweep = admin.post(
        "/api/v1/campaigns/sweeps/",
        {"campaign": hundred_days["id"], "held_on": hundred_days["starts_on"],
         "areas": [city.id], "hazards_found": 2, "hazards_rectified": 3},
        format="json",
    )  # fmt: skip
    assert sweep.status_code == 400 and "hazards_rectified" in sweep.json()


def test_an_overdue_remediation_area_alerts_once(hundred_days, two_districts):
    AlertRule.objects.create(
        name="整治逾期", kind=RuleKind.REMEDIATION_OVERDUE, severity=Severity.WARNING
    )
    start = date.fromisoformat(hundred_days["starts_on"])
    area = RemediationArea.objects.create(
        campaign_id=hundred_days["id"],
        name="夜市周边",
        geometry=square(120.2, 30.2, 0.1),
        unit=two_districts[0],
        responsible_person="李所长",
        problem="扒窃",
        target="清零",
        listed_on=start,
        due_on=start + timedelta(days=30),
    )
    assert services.remediations_check_overdue() == 1
    assert services.remediations_check_overdue() == 0
    area.status = "accepted"
    area.save()
    assert "夜市周边" in Alert.objects.get().title


def test_remediation_statistics_count_the_incidents_inside_the_polygon(
    hundred_days, people, api_client_for, two_districts
):
    start = date.fromisoformat(hundred_days["starts_on"])
    area = RemediationArea.objects.create(
        campaign_id=hundred_days["id"],
        name="车站广场",
        geometry=square(120.2, 30.2, 0.1),
        unit=two_districts[0],
        responsible_person="王队",
        problem="盗窃",
        target="同比下降",
        listed_on=start,
        due_on=start + timedelta(days=90),
    )
    now = timezone.now()
    last_year = now - timedelta(days=365)
    rows = [
        {"source_ref": "IN1", "lon": 120.25, "lat": 30.25, "reported_at": now},
        {"source_ref": "IN2", "lon": 120.22, "lat": 30.21, "reported_at": now},
        {"source_ref": "OUT", "lon": 120.5, "lat": 30.5, "reported_at": now},
        {"source_ref": "LY1", "lon": 120.25, "lat": 30.25, "reported_at": last_year},
    ]
    incidents_ingest(
        rows=[r | {"category": "theft_ebike", "reported_at": r["reported_at"].isoformat()}
              for r in rows],
        source_system="t",
    )  # fmt: skip
    stats = (
        api_client_for(people["a"])
        .get(f"/api/v1/campaigns/remediation-areas/{area.id}/stats/")
        .json()
    )
    assert stats["current"] == 2 and stats["yoy"]["base"] == 1


def _sweep(hundred_days, areas):
    from campaigns.models import Sweep

    sweep = Sweep.objects.create(
        campaign_id=hundred_days["id"], held_on=hundred_days["starts_on"], officers=50
    )
    sweep.areas.set(areas)
    return sweep


def test_a_district_changes_only_a_sweep_wholly_its_own(hundred_days, people, two_districts):
    from django.core.exceptions import PermissionDenied

    from campaigns.models import Sweep

    district_a, district_b = two_districts
    own = _sweep(hundred_days, [district_a])
    services.campaign_part_save(user=people["a"], model=Sweep, part=own, fields={"officers": 60})
    assert Sweep.objects.get(pk=own.pk).officers == 60
    shared = _sweep(hundred_days, [district_a, district_b])
    with pytest.raises(PermissionDenied, match="市级"):
        services.campaign_part_save(
            user=people["a"], model=Sweep, part=shared, fields={"areas": [district_a]}
        )
    with pytest.raises(PermissionDenied):
        services.campaign_part_save(
            user=people["a"], model=Sweep, part=own, fields={"areas": [district_a, district_b]}
        )
    assert set(shared.areas.all()) == {district_a, district_b}
    assert set(own.areas.all()) == {district_a}
    services.campaign_part_save(
        user=people["admin"], model=Sweep, part=shared, fields={"areas": [district_b]}
    )
    assert set(shared.areas.all()) == {district_b}


def test_a_battle_led_by_another_district_is_hidden_and_one_of_the_city_read_only(
    hundred_days, people, api_client_for, two_districts, city
):
    from django.core.exceptions import PermissionDenied

    from campaigns.models import ClusterBattle

    admin = api_client_for(people["admin"])
    fields = {"campaign": hundred_days["id"], "category": "gambling", "department": "cyber",
              "launched_on": hundred_days["starts_on"]}  # fmt: skip
    of_b = admin.post(
        "/api/v1/campaigns/battles/",
        {**fields, "name": "乙区战役", "lead_unit": two_districts[1].id},
        format="json",
    ).json()
    of_city = admin.post("/api/v1/campaigns/battles/", {**fields, "name": "全市战役"}).json()
    assert of_city["lead_unit"] == city.id  # the campaign's organizer
    commander = api_client_for(people["a"])
    listed = commander.get("/api/v1/campaigns/battles/").json()["results"]
    assert [row["id"] for row in listed] == [of_city["id"]]
    assert commander.get(f"/api/v1/campaigns/battles/{of_b['id']}/").status_code == 404
    with pytest.raises(PermissionDenied):
        services.campaign_part_delete(
            user=people["a"], part=ClusterBattle.objects.get(pk=of_city["id"])
        )


def test_a_remediation_polygon_over_the_vertex_limit_is_refused_everywhere(
    hundred_days, people, api_client_for, two_districts, settings
):
    from django.core.exceptions import ValidationError

    settings.AREA_MAX_VERTICES = 50
    ring = [[120.1 + 0.001 * n, 30.1 + 0.01 * (n % 2)] for n in range(60)]
    polygon = {"type": "Polygon", "coordinates": [[*ring, [120.159, 30.0], [120.1, 30.0], ring[0]]]}
    fields = {
        "campaign": hundred_days["id"], "name": "锯齿整治点", "geometry": polygon,
        "unit": two_districts[0].id, "responsible_person": "张警官", "problem": "盗窃",
        "target": "下降", "listed_on": hundred_days["starts_on"], "due_on": hundred_days["ends_on"],
    }  # fmt: skip
    answer = api_client_for(people["admin"]).post(
        "/api/v1/campaigns/remediation-areas/", fields, format="json"
    )
    assert answer.status_code == 400
    assert "63 vertices" in str(answer.json()["geometry"])
    # The admin's form cleans the model: the same check.
    with pytest.raises(ValidationError, match="AREA_MAX_VERTICES"):
        RemediationArea(geometry=polygon).clean()


def test_a_campaign_a_stored_briefing_names_is_kept_with_a_conflict(
    hundred_days, people, api_client_for, city
):
    """A record others still refer to is not deleted, and the answer says why (409, not 500)."""
    campaign = Campaign.objects.get(pk=hundred_days["id"])
    Report.objects.create(
        kind="campaign",
        area=city,
        area_path=city.path,
        campaign=campaign,
        title="百日行动通报",
        period_start=campaign.starts_on,
        period_end=campaign.starts_on,
        content={},
        docx=b"",
        pdf=b"",
    )
    answer = api_client_for(people["admin"]).delete(f"/api/v1/campaigns/{campaign.pk}/")
    assert answer.status_code == 409
    assert str(Report._meta.verbose_name) in answer.json()["detail"]
    assert Campaign.objects.filter(pk=campaign.pk).exists()
