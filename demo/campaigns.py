"""Two demo campaigns: a city-wide 砺剑 operation and a summer 百日行动 in 浦东新区."""

import random
from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone
from shapely.geometry import box, mapping, shape

from accounts.models import User
from areas.choices import AreaKind
from areas.models import Area
from campaigns.choices import CampaignStatus, Department, Direction, Metric
from campaigns.models import (
    Campaign,
    ClusterBattle,
    KpiItem,
    KpiReport,
    RemediationArea,
    RemediationInspection,
    SubOperation,
    Sweep,
)
from campaigns.services import kpis_evaluate
from incidents.models import Category

from .areas import CITY_CODE
from .users import DEMO_DISTRICT_CODE

OPERATIONS = ["清患", "拔钉", "融冰", "铁拳", "除险", "创稳"]
BATTLES = [
    ("打击电信网络诈骗集群战役", "fraud_telecom", Department.CYBER),
    ("打击盗窃电动车集群战役", "theft_ebike", Department.CRIMINAL),
    ("打击涉税违法犯罪集群战役", "tax_evasion", Department.ECONOMIC),
    ("打击赌博违法犯罪集群战役", "gambling", Department.PUBLIC_ORDER),
]
REMEDIATION_PROBLEMS = [
    ("夜市周边扒窃多发", "扒窃警情同比下降30%"),
    ("城中村电动车被盗高发", "电动车被盗清零"),
    ("娱乐场所周边打架斗殴", "打架斗殴警情同比下降"),
    ("老旧小区入室盗窃", "入室盗窃清零"),
]


def build_demo_campaigns(*, seed: int, today: date | None = None) -> int:
    """Create the two demo campaigns unless they exist; returns how many were created."""
    if Campaign.objects.filter(code__in=["lijian-demo-1", "summer-100-demo"]).exists():
        return 0
    rng = random.Random(seed)
    today = today or timezone.localdate()
    city = Area.objects.get(parent=None, code=CITY_CODE)
    district = Area.objects.get(parent=city, code=DEMO_DISTRICT_CODE)
    districts = list(Area.objects.filter(parent=city, kind=AreaKind.DISTRICT).order_by("code"))
    stations = list(Area.objects.filter(parent=district, kind=AreaKind.STATION).order_by("code"))
    reporter = User.objects.filter(is_superuser=True).first() or User.objects.first()
    categories = dict(Category.objects.values_list("code", "id"))

    lijian = Campaign.objects.create(
        name="砺剑2026-1号专项行动",
        code="lijian-demo-1",
        kind="special",
        starts_on=today - timedelta(days=150),
        ends_on=today - timedelta(days=30),
        organizer=city,
        focus_categories=["fraud_telecom", "theft"],
        status=CampaignStatus.CLOSED,
        goals="严打电诈、盗窃等突出违法犯罪，打掉一批团伙",
    )
    lijian.scope_areas.set(districts)
    for name, code, department in BATTLES:
        ClusterBattle.objects.create(
            campaign=lijian,
            name=name,
            lead_unit=city,
            category_id=categories[code],
            department=department,
            launched_on=lijian.starts_on + timedelta(days=rng.randrange(0, 40)),
            cases_solved=rng.randrange(20, 160),
            suspects=rng.randrange(30, 300),
            gangs_broken=rng.randrange(2, 18),
            money_involved=Decimal(rng.randrange(500_000, 90_000_000)),
        )

    summer = Campaign.objects.create(
        name="夏季治安打击整治“百日行动”",
        code="summer-100-demo",
        kind="hundred_days",
        starts_on=today - timedelta(days=60),
        ends_on=today + timedelta(days=39),
        organizer=district,
        focus_categories=["theft", "fight", "drunk_driving"],
        status=CampaignStatus.ACTIVE,
        goals="压降可防性案件，清理整治突出治安问题和隐患",
    )
    summer.scope_areas.set([district])
    for name in OPERATIONS:
        SubOperation.objects.create(campaign=summer, name=name, lead_unit=rng.choice(stations))
    theft = Category.objects.get(code="theft")
    KpiItem.objects.create(
        campaign=summer, label="盗窃警情同比下降", metric=Metric.INCIDENT_YOY_PCT,
        category=theft, unit=district, target=Decimal(-10), direction=Direction.AT_MOST,
        deadline=summer.ends_on,
    )  # fmt: skip
    KpiItem.objects.create(
        campaign=summer, label="3分钟到场率", metric=Metric.RESPONSE_COMPLIANCE,
        unit=district, target=Decimal(60), direction=Direction.AT_LEAST, deadline=summer.ends_on,
    )  # fmt: skip
    for station in stations[:4]:
        for label, target, pace in (("查处酒驾醉驾", 60, 0.7), ("检查场所", 300, 0.45)):
            item = KpiItem.objects.create(
                campaign=summer, label=label, metric=Metric.COUNTER, unit=station,
                target=Decimal(target), direction=Direction.AT_LEAST, deadline=summer.ends_on,
            )  # fmt: skip
            for week in range(8):
                KpiReport.objects.create(
                    item=item,
                    reported_on=summer.starts_on + timedelta(days=7 * week + 3),
                    value=Decimal(round(target * pace * rng.uniform(0.7, 1.3) / 8)),
                    note="周报",
                    reporter=reporter,
                )
    for week in range(8):
        sweep = Sweep.objects.create(
            campaign=summer,
            held_on=summer.starts_on + timedelta(days=7 * week + 5),
            officers=rng.randrange(60, 200),
            checkpoints=rng.randrange(2, 6),
            venues_checked=rng.randrange(60, 140),
            dangerous_goods_firms=rng.randrange(8, 25),
            hazards_found=(found := rng.randrange(10, 30)),
            hazards_rectified=found - rng.randrange(0, 4),
            violations=rng.randrange(5, 16),
            cases=rng.randrange(0, 5),
            notices=rng.randrange(4, 12),
        )
        sweep.areas.set(rng.sample(stations, k=min(3, len(stations))))
    for number, (problem, target) in enumerate(REMEDIATION_PROBLEMS):
        station = stations[number % len(stations)]
        centre = shape(station.geometry).representative_point()
        area = RemediationArea.objects.create(
            campaign=summer,
            name=f"{station.name}挂牌整治点{number + 1}",
            geometry=mapping(
                box(centre.x - 0.004, centre.y - 0.003, centre.x + 0.004, centre.y + 0.003)
            ),
            unit=station,
            responsible_person=f"{station.name}所长",
            problem=problem,
            target=target,
            listed_on=summer.starts_on + timedelta(days=3),
            # One listed area is already past its due date: the overdue alert has work to do.
            due_on=today - timedelta(days=2) if number == 0 else summer.ends_on,
            status="rectifying",
        )
        for week in range(0, 8, 2):
            RemediationInspection.objects.create(
                area=area,
                inspected_on=area.listed_on + timedelta(days=7 * week),
                findings="现场巡查，问题有所好转" if week else "挂牌督办，明确整改责任",
                inspector=reporter,
            )
    kpis_evaluate(today=today)
    return 2
