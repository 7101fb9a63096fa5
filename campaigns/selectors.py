"""Campaign reads, scoped: city roles see everything; a district sees the campaigns that cover
it and the items, sweeps and remediation areas of its own units."""

from areas.scoping import scope_for

from .models import Campaign, ClusterBattle, KpiItem, RemediationArea, SubOperation, Sweep


def campaigns_for_user(user):
    campaigns = Campaign.objects.select_related("organizer").prefetch_related("scope_areas")
    return scope_for(user).covering(campaigns, "scope_areas__path").distinct()


def _in_scope(queryset, user, path_field: str):
    queryset = queryset.filter(campaign__in=campaigns_for_user(user))
    return scope_for(user).filter(queryset, path_field)


def kpis_for_user(user):
    items = KpiItem.objects.select_related("campaign", "unit", "category")
    return _in_scope(items, user, "unit_path")


def remediations_for_user(user):
    return _in_scope(RemediationArea.objects.select_related("campaign", "unit"), user, "unit_path")


def sweeps_for_user(user):
    """Sweeps held in an area of the user's, each once (a sweep may cover several areas)."""
    in_scope = _in_scope(Sweep.objects.all(), user, "areas__path")
    return Sweep.objects.filter(pk__in=in_scope.values("pk")).prefetch_related("areas")


def battles_for_user(user):
    return ClusterBattle.objects.filter(campaign__in=campaigns_for_user(user))


def operations_for_user(user):
    return SubOperation.objects.filter(campaign__in=campaigns_for_user(user))
