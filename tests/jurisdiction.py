"""Two districts of one city, each with a bit of everything the platform holds, built through
the apps' services: the data of the jurisdiction tests (tests/test_jurisdiction.py).

Whatever lies outside district A — district B's records and the city's unplaced ones — carries
a marker (``MARKERS``: names, addresses, notes, public ids, amounts), so a test can search any
answer given to district A's commander for a trace of it.
"""

from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from accounts.choices import Role
from accounts.models import User
from alerts.choices import RuleKind, Severity
from alerts.models import Alert, AlertRule
from analysis.forecast.services import evaluations_refresh, forecast_refresh
from areas.choices import AreaKind
from areas.models import Area
from audit.choices import AuditAction
from audit.models import AuditEvent
from campaigns import services as campaign_services
from campaigns.models import (
    Campaign,
    ClusterBattle,
    KpiItem,
    RemediationArea,
    RemediationInspection,
    SubOperation,
    Sweep,
)
from incidents.ingest import incidents_ingest
from incidents.models import Category, Incident
from mediation import services as mediation_services
from mediation.models import DisputeCase, DisputeType, FollowUp
from patrols.models import PatrolUnit, ResponseStandard
from patrols.services import positions_ingest
from reports.models import Report
from reports.services import report_generate
from stats.compstat import compstat_publish, last_full_week_end
from stats.models import CompstatSnapshot
from stats.services import rollups_recompute_dirty

from .factories import AreaFactory, UserFactory, square

# Text carried by every record outside district A (matched case-insensitively).
OTHER = "BMARK"
CITY_ONLY = "CITYONLY"
# Amounts only district B's records hold.
B_MONEY = Decimal("876543.21")
B_LOSS = Decimal("765432.19")
B_BATTLE_MONEY = Decimal("7654321.98")
B_SWEEP_OFFICERS = 9731


@dataclass
class District:
    """One district's areas and records."""

    name: str
    district: Area
    station: Area
    zone: Area
    beat: Area
    incidents: list[Incident] = field(default_factory=list)
    campaign: Campaign | None = None
    operation: SubOperation | None = None
    battle: ClusterBattle | None = None
    kpis: list[KpiItem] = field(default_factory=list)
    sweeps: list[Sweep] = field(default_factory=list)
    remediations: list[RemediationArea] = field(default_factory=list)
    units: list[PatrolUnit] = field(default_factory=list)
    standard: ResponseStandard | None = None
    cases: list[DisputeCase] = field(default_factory=list)
    follow_ups: list[FollowUp] = field(default_factory=list)
    rules: list[AlertRule] = field(default_factory=list)
    snapshots: list[CompstatSnapshot] = field(default_factory=list)
    reports: list[Report] = field(default_factory=list)

    @property
    def path(self) -> str:
        return self.district.path

    @property
    def alerts(self):
        return Alert.objects.filter(area_path__startswith=self.path)


@dataclass
class World:
    city: Area
    a: District
    b: District
    commander: User  # district A's commander, the user every test reads as
    analyst: User
    city_campaign: Campaign
    markers: list[str]


def _areas(city: Area, letter: str, lon: float, label: str) -> District:
    district = AreaFactory(
        kind=AreaKind.DISTRICT, parent=city, name=f"{label}分局", geometry=square(lon, 30, 2)
    )
    station = AreaFactory(
        kind=AreaKind.STATION, parent=district, name=f"{label}派出所", geometry=square(lon, 30, 1)
    )
    zone = AreaFactory(
        kind=AreaKind.PATROL_ZONE,
        parent=station,
        name=f"{label}防区",
        geometry=square(lon + 0.4, 30.4, 0.2),
    )
    beat = AreaFactory(
        kind=AreaKind.BEAT, parent=zone, name=f"{label}巡区", geometry=square(lon + 0.4, 30.4, 0.1)
    )
    return District(letter, district, station, zone, beat)


def _incident_rows(
    lon: float, label: str, money: Decimal, loss: Decimal, border: tuple[float, float]
) -> list:
    """Incidents of several categories, sources and statuses, all within the last day; one
    of them near the boundary between the districts (at ``border``)."""
    now = timezone.now()

    def at(hours: float) -> str:
        return (now - timedelta(hours=hours)).isoformat()

    beat, station, district = (lon + 0.45, 30.45), (lon + 0.7, 30.7), (lon + 1.5, 31.5)
    rows = [
        # category, source, where, hours ago, times after the call in seconds
        ("theft_ebike", "call_110", beat, 2, {"dispatched_at": 40, "on_scene_at": 170}),
        ("theft_burglary", "walk_in", beat, 3, {}),
        ("fraud_telecom", "online", station, 4, {"filed_at": 3600}),
        ("fight", "call_110", station, 5, {"dispatched_at": 90, "on_scene_at": 400}),
        ("traffic_accident_fatal", "call_110", beat, 6, {"dispatched_at": 30}),
        ("drunk_driving", "patrol", district, 7, {"closed_at": 1200}),
        ("dispute_neighbor", "call_110", beat, 8, {"dispatched_at": 50, "on_scene_at": 200}),
        ("theft_ebike", "device", beat, 9, {"filed_at": 600, "solved_at": 7200}),
        ("theft_ebike", "call_110", border, 10, {}),
    ]
    result = []
    for number, (category, source, (x, y), hours, times) in enumerate(rows):
        reported = now - timedelta(hours=hours)
        row = {
            "source_ref": f"{label}-{number}",
            "category": category,
            "source": source,
            "reported_at": at(hours),
            "lon": x,
            "lat": y,
            "address": f"{label}路{number}号",
            "summary": f"{label}警情{number}",
            "arrested": number % 2,
        }
        for name, seconds in times.items():
            row[name] = (reported + timedelta(seconds=seconds)).isoformat()
        if category == "fraud_telecom":
            row |= {"money_involved": str(money), "loss": str(loss)}
        result.append(row)
    return result


def _campaign_records(d: District, campaign: Campaign, label: str, money: Decimal):
    d.operation = SubOperation.objects.create(
        campaign=campaign, name=f"{label}清患行动", lead_unit=d.district
    )
    d.battle = ClusterBattle.objects.create(
        campaign=campaign,
        name=f"{label}集群战役",
        category=Category.objects.get(code="fraud_telecom"),
        department="cyber",
        launched_on=campaign.starts_on,
        cases_solved=5,
        suspects=9,
        gangs_broken=1,
        money_involved=money,
    )
    d.kpis.append(
        KpiItem.objects.create(
            campaign=campaign,
            label=f"{label}本辖区压降盗窃",
            metric="incident_count",
            category=Category.objects.get(code="theft"),
            unit=d.district,
            target=Decimal(50),
            direction="at_most",
            deadline=campaign.ends_on,
        )
    )


def _city_campaign_share(
    d: District, campaign: Campaign, label: str, commander, officers: int, reported: int
):
    """District d's items, sweep and remediation area in the city-wide campaign."""
    today = timezone.localdate()
    counter = KpiItem.objects.create(
        campaign=campaign,
        label=f"{label}查处酒驾醉驾",
        metric="counter",
        unit=d.station,
        target=Decimal(100),
        direction="at_least",
        deadline=campaign.ends_on,
    )
    campaign_services.kpi_report_create(
        item=counter, value=Decimal(reported), reported_on=today, reporter=commander
    )
    d.kpis.append(counter)
    computed = KpiItem.objects.create(
        campaign=campaign,
        label=f"{label}盗窃警情不超过",
        metric="incident_count",
        category=Category.objects.get(code="theft"),
        unit=d.district,
        target=Decimal(1),
        direction="at_most",
        deadline=campaign.ends_on,
    )
    campaign_services.kpi_evaluate(item=computed)
    d.kpis.append(computed)
    sweep = Sweep.objects.create(
        campaign=campaign,
        held_on=today,
        officers=officers,
        checkpoints=officers // 10,
        venues_checked=officers * 2,
        hazards_found=7,
        hazards_rectified=5,
    )
    sweep.areas.set([d.station])
    d.sweeps.append(sweep)
    lon = d.zone.geometry["coordinates"][0][0][0]
    remediation = RemediationArea.objects.create(
        campaign=campaign,
        name=f"{label}挂牌整治点",
        geometry=square(lon + 0.02, 30.42, 0.05),
        unit=d.zone,
        responsible_person=f"{label}所长",
        problem=f"{label}电动车被盗",
        target="同比下降",
        listed_on=campaign.starts_on,
        due_on=campaign.ends_on,
    )
    RemediationInspection.objects.create(
        area=remediation, inspected_on=today, findings=f"{label}检查情况", inspector=commander
    )
    d.remediations.append(remediation)


def _mediation(d: District, label: str):
    now = timezone.now()
    types = {t.code: t for t in DisputeType.objects.all()}
    lon = d.zone.geometry["coordinates"][0][0][0]
    steps = [
        ("neighbour", []),
        ("family", [("mediating", {}), ("resolved", {})]),
        ("labour", [("transferred", {"agency": "labor_bureau"})]),
        ("property", [("mediating", {}), ("failed", {})]),
        ("commercial", [("escalated", {})]),
    ]
    for number, (type_code, moves) in enumerate(steps):
        case = mediation_services.case_create(
            type=types[type_code],
            summary=f"{label}纠纷{number}",
            parties=[{"name": f"{label}当事人", "phone": "13800000000", "role": "申请人"}],
            source="screening",
            lon=lon + 0.05,
            lat=30.45,
            address=f"{label}小区{number}栋",
            screened_at=now - timedelta(hours=10 - number),
        )
        for offset, (status, extra) in enumerate(moves):
            case = mediation_services.case_transition(
                case=case,
                to_status=status,
                at=now - timedelta(hours=9 - number, minutes=-10 * offset),
                **extra,
            )
        d.cases.append(case)
    incident = next(i for i in d.incidents if i.category.code == "dispute_neighbor")
    d.cases.append(mediation_services.case_from_incident(incident=incident))
    for number, case in enumerate(d.cases[:2]):
        d.follow_ups.append(
            mediation_services.followup_create(
                case=case,
                due_at=now - timedelta(hours=1) if number == 0 else now + timedelta(days=3),
                note=f"{label}回访{number}",
            )
        )


def build_world() -> World:
    """The city, districts A and B with their records, the statistics recomputed."""
    city = AreaFactory(kind=AreaKind.CITY, code="CITY", name="测试市", geometry=square(120, 30, 4))
    a = _areas(city, "a", 120, "甲区")
    b = _areas(city, "b", 122, f"{OTHER}乙区")
    analyst = UserFactory(role=Role.CITY_ANALYST, home_area=city)
    commander = UserFactory(role=Role.DISTRICT_COMMANDER, home_area=a.district)
    commander_b = UserFactory(
        username=f"{OTHER.lower()}-commander", role=Role.DISTRICT_COMMANDER, home_area=b.district
    )

    # Alert rules: one for the whole city, one for each district.
    AlertRule.objects.create(
        name="致死交通事故",
        kind=RuleKind.INSTANT,
        severity=Severity.CRITICAL,
        categories=["traffic_accident_fatal"],
    )
    for d, label in ((a, "甲区"), (b, OTHER)):
        d.rules.append(
            AlertRule.objects.create(
                name=f"{label}斗殴",
                kind=RuleKind.INSTANT,
                severity=Severity.WARNING,
                area=d.district,
                categories=["fight"],
            )
        )
    for kind in (RuleKind.FOLLOWUP_OVERDUE, RuleKind.CAMPAIGN_KPI):
        AlertRule.objects.create(name=f"全市{kind}", kind=kind, severity=Severity.WARNING)

    incidents_ingest(
        rows=_incident_rows(120, "甲区", Decimal("1200.50"), Decimal("800.25"), (121.98, 30.65))
        + _incident_rows(122, OTHER, B_MONEY, B_LOSS, (122.02, 30.65))
        + [
            {
                "source_ref": f"{CITY_ONLY}-1",
                "category": "theft_burglary",
                "reported_at": (timezone.now() - timedelta(hours=3)).isoformat(),
                "address": f"{CITY_ONLY}无法定位",
                "summary": CITY_ONLY,
            }
        ],
        source_system="jurisdiction",
    )
    for d in (a, b):
        d.incidents = list(Incident.objects.filter(area_path__startswith=d.path))
    # The nightly forecast and its backtests, so their reads answer (404 until one is made).
    forecast_refresh()
    evaluations_refresh()

    # Campaigns: one per district, and one over the whole city with items in both.
    start = timezone.localdate() - timedelta(days=30)
    for d, label, money in ((a, "甲区", Decimal("1000")), (b, OTHER, B_BATTLE_MONEY)):
        d.campaign = Campaign.objects.create(
            name=f"{label}专项行动",
            code=f"{OTHER.lower() if d is b else d.name}-special",
            kind="special",
            starts_on=start,
            ends_on=start + timedelta(days=90),
            organizer=d.district,
            status="active",
        )
        d.campaign.scope_areas.set([d.district])
        _campaign_records(d, d.campaign, label, money)
    city_campaign = Campaign.objects.create(
        name="全市百日行动",
        code="city-100",
        kind="hundred_days",
        starts_on=start,
        ends_on=start + timedelta(days=99),
        organizer=city,
        status="active",
    )
    city_campaign.scope_areas.set([city])
    ClusterBattle.objects.create(
        campaign=city_campaign,
        name="全市电诈集群战役",
        category=Category.objects.get(code="fraud_telecom"),
        department="cyber",
        launched_on=start,
        cases_solved=12,
        suspects=30,
        gangs_broken=2,
        money_involved=Decimal("250000"),
    )
    _city_campaign_share(a, city_campaign, "甲区", commander, officers=40, reported=86)
    # District A's remediation area drawn across the boundary with B (122°E).
    a.remediations.append(
        RemediationArea.objects.create(
            campaign=city_campaign,
            name="甲区界边整治点",
            geometry=square(121.95, 30.6, 0.1),
            unit=a.district,
            responsible_person="甲区所长",
            problem="盗窃",
            target="同比下降",
            listed_on=start,
            due_on=start + timedelta(days=90),
        )
    )
    _city_campaign_share(
        b, city_campaign, OTHER, commander_b, officers=B_SWEEP_OFFICERS, reported=59
    )
    # District B's own lines of work in the city-wide campaign, which A must not read.
    SubOperation.objects.create(
        campaign=city_campaign,
        name=f"{OTHER}拔钉行动",
        lead_unit=b.district,
        description=f"{OTHER}部署",
    )
    ClusterBattle.objects.create(
        campaign=city_campaign,
        name=f"{OTHER}赌博集群战役",
        lead_unit=b.district,
        category=Category.objects.get(code="gambling"),
        department="public_order",
        launched_on=start,
        cases_solved=3,
        money_involved=B_BATTLE_MONEY,
    )

    # Patrol units seen in their zones, with a response standard per district.
    now = timezone.now().replace(microsecond=0)
    pings = []
    for d, label in ((a, "a"), (b, OTHER.lower())):
        lon = d.zone.geometry["coordinates"][0][0][0]
        for number in range(2):
            unit = PatrolUnit.objects.create(
                code=f"{label}-car-{number}",
                name=f"{d.zone.name}巡逻车{number}",
                kind="patrol_car",
                home_zone=d.zone,
                status="on_patrol",
            )
            d.units.append(unit)
            pings += [
                {
                    "unit": unit.code,
                    "at": (now - timedelta(minutes=minutes)).isoformat(),
                    "lon": lon + 0.03 + 0.01 * number,
                    "lat": 30.43 + 0.001 * minutes,
                }
                for minutes in (50, 30, 10)
            ]
        d.standard = ResponseStandard.objects.create(
            area=d.district, dispatch_seconds=60, arrive_seconds=300
        )
    positions_ingest(pings=pings)

    for d, label in ((a, "甲区"), (b, OTHER)):
        _mediation(d, label)
    mediation_services.followups_check_overdue()

    rollups_recompute_dirty()
    campaign_services.kpis_evaluate()
    compstat_publish(week_ending=last_full_week_end())
    for d in (a, b):
        d.incidents = list(Incident.objects.filter(area_path__startswith=d.path))
        d.snapshots = list(CompstatSnapshot.objects.filter(area_path__startswith=d.path))
        d.reports = [report_generate(kind="weekly", area=d.district)]
    commander = User.objects.get(pk=commander.pk)
    # What district B's commander read, in the trail (administrators' reading only).
    AuditEvent.objects.create(
        action=AuditAction.VIEW,
        actor_username=f"{OTHER.lower()}-commander",
        object_type="incidents.incident",
        object_id=str(b.incidents[0].public_id),
        object_repr=f"{OTHER}警情",
    )

    markers = [OTHER, CITY_ONLY, str(B_MONEY), str(B_LOSS), str(B_BATTLE_MONEY)]
    markers += [str(i.public_id) for i in b.incidents]
    markers += [str(c.public_id) for c in b.cases]
    markers += [str(i.public_id) for i in Incident.objects.filter(area_path="")]
    return World(city, a, b, commander, analyst, city_campaign, markers)
