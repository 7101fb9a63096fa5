"""What a user may write on a campaign's page: the counter items they report progress on, the
remediation areas they inspect, the sweeps whose tallies they correct — read through the same
scoped selectors as the campaigns API (the services check each write again)."""

from dataclasses import dataclass

from django.db.models import QuerySet

from accounts.policy import allows
from areas.scoping import scope_for

from .choices import Metric
from .models import Campaign, KpiItem, RemediationArea, Sweep
from .selectors import kpis_for_user, remediations_for_user, sweeps_for_user


@dataclass
class CampaignEntry:
    items_queryset: QuerySet
    items: list[KpiItem]
    areas_queryset: QuerySet
    areas: list[RemediationArea]
    sweeps_queryset: QuerySet
    # The sweeps held wholly inside the user's jurisdiction (a shared one is the city's).
    sweeps: dict[int, Sweep]


def campaign_entry(user, campaign: Campaign) -> CampaignEntry:
    items_queryset = kpis_for_user(user).filter(campaign=campaign, metric=Metric.COUNTER)
    items = [
        item
        for item in items_queryset.order_by("unit_path", "deadline", "id")
        if allows(user, "campaigns.add_kpireport", area_path=item.unit_path)
    ]
    for item in items:
        item.choice_label = f"{item.unit.display_name} · {item.label}"
    areas_queryset = remediations_for_user(user).filter(campaign=campaign)
    areas = list(areas_queryset.order_by("due_on", "id"))
    for area in areas:
        area.choice_label = f"{area.name}（{area.unit.display_name}）"
    sweeps_queryset = sweeps_for_user(user).filter(campaign=campaign)
    scope = scope_for(user)
    sweeps = {
        sweep.pk: sweep
        for sweep in sweeps_queryset.order_by("held_on", "id")
        if all(scope.covers(area.path) for area in sweep.areas.all())
    }
    return CampaignEntry(items_queryset, items, areas_queryset, areas, sweeps_queryset, sweeps)
