"""A year (and a month) of demo dispute cases across the city's stations."""

import random
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from areas.choices import AreaKind
from areas.models import Area
from incidents.models import Incident
from mediation.choices import TYPE_TO_CATEGORY, Agency, CaseSource, CaseStatus, Mediator
from mediation.models import CaseStatusChange, DisputeCase, DisputeType, FollowUp

from .areas import CITY_CODE

DAYS = 395
CASES_PER_STATION_PER_WEEK = 0.6
# (type, weight): neighbour and family disputes dominate, wage arrears peak before the New Year.
TYPE_WEIGHTS = {
    "neighbour": 30, "family": 22, "labour": 14, "property": 10, "romantic": 8,
    "commercial": 7, "medical": 4, "other": 5,
}  # fmt: skip
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高"
GIVEN = ["伟", "芳", "娜", "敏", "静", "磊", "洋", "勇", "艳", "杰", "娟", "涛", "明", "霞", "平"]
SUMMARIES = {
    "neighbour": ["楼上漏水引发邻里矛盾", "装修噪音扰民发生口角", "公共走道堆物引发纠纷"],
    "family": ["夫妻因家务琐事争吵", "赡养老人问题家庭矛盾", "遗产分配家庭纠纷"],
    "labour": ["工地拖欠农民工工资", "餐饮店拖欠员工工资", "解除劳动合同补偿纠纷"],
    "property": ["物业费收取争议", "停车位管理纠纷", "电梯维修费用分摊纠纷"],
    "romantic": ["恋爱分手财物纠纷", "婚约彩礼返还纠纷"],
    "commercial": ["买卖合同货款纠纷", "房屋租赁押金纠纷", "民间借贷纠纷"],
    "medical": ["手术效果不满引发医患纠纷", "药费结算争议"],
    "other": ["交通事故赔偿纠纷", "宠物伤人赔偿纠纷"],
}


def build_demo_mediation(*, seed: int) -> int:
    """Create the demo cases unless they exist; returns how many were created."""
    if DisputeCase.objects.filter(summary__startswith="【演示】").exists():
        return 0
    rng = random.Random(seed + 8)
    city = Area.objects.get(parent=None, code=CITY_CODE)
    stations = list(Area.objects.filter(path__startswith=city.path, kind=AreaKind.STATION))
    types = {t.code: t for t in DisputeType.objects.all()}
    now = timezone.now()
    cases, changes, follow_ups = [], [], []
    weeks = DAYS / 7
    with transaction.atomic():
        for station in stations:
            count = max(1, round(rng.gauss(CASES_PER_STATION_PER_WEEK * weeks, 6)))
            calls, taken = _dispute_calls(station), set()
            for _ in range(count):
                case, steps, follow_up = _case(rng, station, types, calls, now, taken)
                cases.append(case)
                changes.append(steps)
                follow_ups.append(follow_up)
        DisputeCase.objects.bulk_create(cases, batch_size=2000)
        CaseStatusChange.objects.bulk_create(
            [
                CaseStatusChange(case=case, from_status=before, to_status=after, at=at)
                for case, steps in zip(cases, changes, strict=True)
                for before, after, at in steps
            ],
            batch_size=5000,
        )
        FollowUp.objects.bulk_create(
            [
                FollowUp(case=case, **follow_up)
                for case, follow_up in zip(cases, follow_ups, strict=True)
                if follow_up
            ],
            batch_size=5000,
        )
    return len(cases)


def _dispute_calls(station: Area) -> list[Incident]:
    categories = set(TYPE_TO_CATEGORY.values())
    return list(
        Incident.objects.filter(
            area_path__startswith=station.path, category__code__in=categories
        ).only("id", "lon", "lat", "address")[:50]
    )


def _case(rng, station, types, calls, now, taken: set[int]):
    """One case of the station; ``taken``: the ids of the calls that opened a case already."""
    type_code = rng.choices(list(TYPE_WEIGHTS), weights=list(TYPE_WEIGHTS.values()))[0]
    screened = now - timedelta(days=rng.uniform(0, DAYS))
    source = rng.choices(CaseSource.values, weights=[15, 30, 30, 15, 8, 2])[0]
    call = rng.choice(calls) if calls and source == CaseSource.CALL_110 else None
    if call is not None and call.pk in taken:
        call = None  # one case an incident: a call taken already opens no second case
    elif call is not None:
        taken.add(call.pk)
    parties = [
        {"name": _name(rng), "phone": f"1{rng.randrange(3, 9)}{rng.randrange(10**9):09d}",
         "role": role}
        for role in ("申请人", "被申请人")
    ]  # fmt: skip
    case = DisputeCase(
        type=types[type_code],
        type_path=f"/{type_code}/",
        summary=f"【演示】{rng.choice(SUMMARIES[type_code])}",
        parties=parties,
        source=source,
        risk=rng.choices(["low", "medium", "high", "critical"], weights=[60, 28, 10, 2])[0],
        mediators=rng.sample(Mediator.values[:3], rng.randint(1, 3)),
        area=station,
        area_path=station.path,
        screened_at=screened,
        incident=call,
        lon=call.lon if call else None,
        lat=call.lat if call else None,
        address=call.address if call else "",
    )
    steps = [("", CaseStatus.SCREENED, screened)]
    at = screened
    age = (now - screened).days

    def step(to, hours):
        nonlocal at
        at = min(at + timedelta(hours=rng.uniform(*hours)), now)
        steps.append((steps[-1][1], to, at))
        case.status = to
        setattr(case, f"{to}_at", at)

    roll = rng.random()
    if roll < 0.44:  # handed to the agency that can solve it
        case.transferred_to = (
            Agency.LABOUR_BUREAU if type_code == "labour" else rng.choice(Agency.values)
        )
        step(CaseStatus.TRANSFERRED, (2, 72))
        if age > 14 and rng.random() < 0.5:
            step(CaseStatus.RESOLVED, (24, 24 * 14))
    elif roll < 0.80:
        step(CaseStatus.MEDIATING, (1, 48))
        if age > 7:
            outcome = rng.random()
            if outcome < 0.8:
                step(CaseStatus.RESOLVED, (12, 24 * 10))
            elif outcome < 0.93:
                step(CaseStatus.FAILED, (24, 24 * 10))
            else:
                step(CaseStatus.ESCALATED, (2, 48))
    follow_up = None
    if case.status in (CaseStatus.RESOLVED, CaseStatus.TRANSFERRED, CaseStatus.MEDIATING):
        due = at + timedelta(days=rng.choice([7, 15, 30]))
        # Most visits are made on time; some of the last fortnight's are still waiting, so a
        # station's overdue list is never empty, whatever day the demo is built.
        missed = due > now - timedelta(days=14) and rng.random() < 0.3
        made = due < now - timedelta(days=2) and not missed
        done = due - timedelta(hours=rng.uniform(0, 48)) if made else None
        follow_up = {"due_at": due, "note": "回访当事人，确认协议履行", "done_at": done}
        if done:
            follow_up["outcome"] = "协议已履行"
    return case, steps, follow_up


def _name(rng) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.randint(1, 2)))
