"""Campaign KPI status: the items of the campaigns running in the period, as far as they lie
in the briefing's area, with their last evaluation (the campaigns pages' figures)."""

from collections import Counter

from django.db.models import Q
from django.utils import translation

from campaigns.choices import KpiStatus
from campaigns.models import KpiItem

from .. import numbers
from .base import BriefingContext, section, table


def _both(label) -> tuple[str, str]:
    with translation.override("zh-hans"):
        zh = str(label)
    with translation.override("en"):
        return zh, str(label)


def items(ctx: BriefingContext):
    period = ctx.when.period
    found = KpiItem.objects.select_related("campaign", "unit")
    if ctx.campaign is not None:
        found = found.filter(campaign=ctx.campaign)
    else:
        found = found.filter(
            Q(campaign__starts_on__lte=period.end) & Q(campaign__ends_on__gte=period.start)
        )
    return ctx.scope.filter(found, "unit_path").order_by("campaign__starts_on", "deadline", "pk")


def build(ctx: BriefingContext) -> dict:
    kpis = list(items(ctx))
    counts = Counter(item.status for item in kpis)
    if not kpis:
        sentence = ("本期没有进行中的专项行动指标。", "No campaign KPIs ran in the period.")
    else:
        parts = [(status, counts[status]) for status in KpiStatus.values if counts[status]]
        zh = "，".join(f"{_both(KpiStatus(s).label)[0]} {n} 项" for s, n in parts)
        en = ", ".join(f"{n} {_both(KpiStatus(s).label)[1].lower()}" for s, n in parts)
        sentence = (
            f"专项行动指标共 {len(kpis)} 项：{zh}。",
            f"{len(kpis)} campaign KPIs: {en}.",
        )
    rows = [
        [
            item.campaign.name,
            item.label,
            item.unit.name,
            numbers.count(float(item.target)),
            "—" if item.current is None else numbers.count(float(item.current)),
            "—" if item.percent_of_target is None else f"{item.percent_of_target}%",
            _both(KpiStatus(item.status).label)[0],
        ]
        for item in kpis
    ]
    columns = [
        ("专项行动", "Campaign"),
        ("指标", "KPI"),
        ("责任单位", "Unit"),
        ("目标值", "Target"),
        ("当前值", "Current"),
        ("完成率", "Of target"),
        ("状态", "Status"),
    ]
    return section(
        "kpis",
        ("专项行动指标", "Campaign KPIs"),
        sentence,
        table=table(columns, rows),
        figures={"statuses": dict(counts)},
    )
