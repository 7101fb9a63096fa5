"""Campaign reads, scoped: city roles see everything; a district sees the campaigns that cover
it and, of their parts, only those lying in its jurisdiction (an operation or battle the city
leads is read by every district it covers; one led by another district by none of them)."""

from areas.scoping import scope_for

from .models import Campaign, ClusterBattle, KpiItem, RemediationArea, SubOperation, Sweep


def campaigns_for_user(user):
    campaigns = Campaign.objects.select_related("organizer").prefetch_related("scope_areas")
    return scope_for(user).covering(campaigns, "scope_areas__path").distinct()


def _parts(queryset, user, path_field: str, *, led_from_above: bool = False):
    """The parts of the user's campaigns in their jurisdiction; ``led_from_above`` also those
    led by an area above it (the city's), which every district under it reads."""
    queryset = queryset.filter(campaign__in=campaigns_for_user(user))
    scope = scope_for(user)
    if led_from_above:
        return scope.covering(queryset, path_field)
    return scope.filter(queryset, path_field)


def kpis_for_user(user):
    items = KpiItem.objects.select_related("campaign", "unit", "category")
    return _parts(items, user, "unit_path")


def remediations_for_user(user):
    return _parts(RemediationArea.objects.select_related("campaign", "unit"), user, "unit_path")


def sweeps_for_user(user):
    """Sweeps held in an area of the user's, each once (a sweep may cover several areas; one
    shared with another district is read by both, and changed by neither: see services)."""
    in_scope = _parts(Sweep.objects.all(), user, "areas__path")
    return Sweep.objects.filter(pk__in=in_scope.values("pk")).prefetch_related("areas")


def battles_for_user(user):
    battles = ClusterBattle.objects.select_related("lead_unit")
    return _parts(battles, user, "lead_unit__path", led_from_above=True)


def operations_for_user(user):
    operations = SubOperation.objects.select_related("lead_unit")
    return _parts(operations, user, "lead_unit__path", led_from_above=True)
