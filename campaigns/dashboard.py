"""What the campaign pages render on the server: the campaigns and KPI items a user may see,
read through the same scoped selectors as the campaigns API, with their progress."""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from itertools import groupby

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from areas.models import Area
from areas.selectors import in_official_order
from incidents.models import Category

from .choices import (
    COMPUTED_METRICS,
    CampaignStatus,
    KpiStatus,
    Metric,
    RemediationStatus,
)
from .models import SWEEP_TALLIES, Campaign, ClusterBattle, KpiItem, Sweep
from .selectors import (
    battles_for_user,
    campaigns_for_user,
    kpis_for_user,
    operations_for_user,
)

BATTLE_TOTALS = ("cases_solved", "suspects", "gangs_broken", "money_involved")

# Words the campaign script shows, in the active language.
CAMPAIGN_STRINGS = {
    "battles": _("集群战役"),
    "battle_count": _("战役数"),
    "sweeps": _("集中清查"),
    "sweep_count": _("清查次数"),
    "reported": _("上报成果"),
    "remediation": _("挂牌整治"),
    "listed": _("挂牌总数"),
    "kpis": _("责任清单"),
    "total": _("合计"),
    "all_categories": _("全部警情"),
    "change": _("变化"),
    "inspections": _("检查记录"),
    "no_inspections": _("暂无检查记录"),
    "since_listing": _("挂牌以来警情"),
    "responsible": _("责任人"),
    "problem": _("突出问题"),
    "target": _("整治目标"),
    "due": _("整治时限"),
    "scope": _("行动范围"),
    "no_data": _("暂无数据"),
    "remediation_status": _("整治状态"),
}


@dataclass
class StatusCount:
    status: str
    label: str
    count: int
    share: float  # of all items, 0–100, for the stacked bar


def status_counts(counts: Counter) -> list[StatusCount]:
    """Items per KPI status, in the statuses' order, each with its share of all items."""
    total = sum(counts.values())
    if not total:
        return []
    return [
        StatusCount(status, str(label), counts[status], 100 * counts[status] / total)
        for status, label in KpiStatus.choices
    ]


def elapsed_percent(campaign: Campaign, today: date) -> float:
    """How much of the campaign's period has passed, 0–100."""
    days = (campaign.ends_on - campaign.starts_on).days + 1
    passed = (min(today, campaign.ends_on) - campaign.starts_on).days + 1
    return max(0.0, min(100.0, 100 * passed / days))


@dataclass
class CampaignRow:
    campaign: Campaign
    elapsed: float
    kpis: list[StatusCount]
    kpi_total: int


def covering(campaigns, area: Area | None):
    """The campaigns whose scope covers the chosen area: a scope area at, above or below it."""
    if area is None:
        return campaigns
    parts = [part for part in area.path.strip("/").split("/") if part]
    above = ["/" + "/".join(parts[:n]) + "/" for n in range(1, len(parts) + 1)]
    return campaigns.filter(
        Q(scope_areas__path__in=above) | Q(scope_areas__path__startswith=area.path)
    ).distinct()


def campaign_rows(user, area: Area | None, today: date) -> list[CampaignRow]:
    """The user's campaigns covering the chosen area, with the time gone and their KPI items
    by status (the items the user may see, as the KPI API lists them)."""
    campaigns = list(covering(campaigns_for_user(user), area))
    per_campaign: dict[int, Counter] = {campaign.pk: Counter() for campaign in campaigns}
    items = (
        kpis_for_user(user)
        .filter(campaign__in=[campaign.pk for campaign in campaigns])
        .order_by()
        .values_list("campaign", "status")
        .annotate(items=Count("id"))
    )
    for campaign_id, status, count in items:
        per_campaign[campaign_id][status] += count
    return [
        CampaignRow(
            campaign=campaign,
            elapsed=elapsed_percent(campaign, today),
            kpis=status_counts(per_campaign[campaign.pk]),
            kpi_total=sum(per_campaign[campaign.pk].values()),
        )
        for campaign in campaigns
    ]


@dataclass
class UnitKpis:
    """The KPI items one unit is responsible for."""

    unit: Area
    items: list[KpiItem] = field(default_factory=list)


def is_percentage(item: KpiItem) -> bool:
    return item.metric in COMPUTED_METRICS and item.metric != Metric.INCIDENT_COUNT


def bar_width(item: KpiItem) -> float:
    """The progress bar's fill: the percentage of the target reached, within 0–100."""
    if item.percent_of_target is None:
        return 0.0
    return float(max(0, min(100, item.percent_of_target)))


def kpis_by_unit(user, campaign: Campaign) -> list[UnitKpis]:
    """The campaign's KPI items the user may see, grouped by responsible unit in tree order."""
    items = kpis_for_user(user).filter(campaign=campaign).order_by("unit_path", "deadline", "id")
    groups = []
    for _unit, unit_items in groupby(items, key=lambda item: item.unit_id):
        unit_items = list(unit_items)
        for item in unit_items:
            item.is_percentage = is_percentage(item)
            item.bar_width = bar_width(item)
        groups.append(UnitKpis(unit=unit_items[0].unit, items=unit_items))
    return groups


@dataclass
class CampaignDetail:
    campaign: Campaign
    elapsed: float
    kpi_groups: list[UnitKpis]
    kpis: list[StatusCount]
    kpi_total: int
    operations: list
    battles: list[ClusterBattle]
    scope_areas: list[Area]
    focus_categories: list[Category]


def campaign_detail(user, campaign: Campaign, today: date) -> CampaignDetail:
    groups = kpis_by_unit(user, campaign)
    counts = Counter(item.status for group in groups for item in group.items)
    return CampaignDetail(
        campaign=campaign,
        elapsed=elapsed_percent(campaign, today),
        kpi_groups=groups,
        kpis=status_counts(counts),
        kpi_total=sum(counts.values()),
        operations=list(
            operations_for_user(user).filter(campaign=campaign).select_related("lead_unit")
        ),
        battles=list(
            battles_for_user(user)
            .filter(campaign=campaign)
            .select_related("category")
            .order_by("launched_on", "id")
        ),
        # Only the scope areas inside the user's jurisdiction are drawn (the others are 404s).
        scope_areas=in_official_order(
            Area.objects.for_user(user).filter(pk__in=campaign.scope_areas.values("pk"))
        ),
        focus_categories=list(
            Category.objects.filter(code__in=campaign.focus_categories).order_by("path")
        ),
    )


def campaign_labels() -> dict:
    """Labels the campaign script shows: statuses, tallies and totals, in the active language."""

    def verbose(model, names):
        return {name: str(model._meta.get_field(name).verbose_name) for name in names}

    return {
        "kpi_statuses": {value: str(label) for value, label in KpiStatus.choices},
        "remediation_statuses": {value: str(label) for value, label in RemediationStatus.choices},
        "campaign_statuses": {value: str(label) for value, label in CampaignStatus.choices},
        "sweep_tallies": verbose(Sweep, SWEEP_TALLIES),
        "battle_totals": verbose(ClusterBattle, BATTLE_TOTALS),
    }
