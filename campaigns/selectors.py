"""Campaign reads, scoped: city roles see everything; a district sees the campaigns that cover
it and the items, sweeps and remediation areas of its own units."""

from django.db.models import Q

from areas.scoping import scope_for

from .models import Campaign, ClusterBattle, KpiItem, RemediationArea, SubOperation, Sweep


def _ancestor_paths(path: str) -> list[str]:
    parts = [p for p in path.strip("/").split("/") if p]
    return ["/" + "/".join(parts[:n]) + "/" for n in range(1, len(parts) + 1)]


def campaigns_for_user(user):
    scope = scope_for(user)
    campaigns = Campaign.objects.select_related("organizer").prefetch_related("scope_areas")
    if scope.everything:
        return campaigns
    if not scope.path:
        return campaigns.none()
    covering = Q(scope_areas__path__in=_ancestor_paths(scope.path)) | Q(
        scope_areas__path__startswith=scope.path
    )
    return campaigns.filter(covering).distinct()


def _in_scope(queryset, user, path_field: str):
    scope = scope_for(user)
    campaigns = campaigns_for_user(user)
    queryset = queryset.filter(campaign__in=campaigns)
    if scope.everything:
        return queryset
    if not scope.path:
        return queryset.none()
    return queryset.filter(**{f"{path_field}__startswith": scope.path})


def kpis_for_user(user):
    items = KpiItem.objects.select_related("campaign", "unit", "category")
    return _in_scope(items, user, "unit_path")


def remediations_for_user(user):
    return _in_scope(RemediationArea.objects.select_related("campaign", "unit"), user, "unit_path")


def sweeps_for_user(user):
    sweeps = Sweep.objects.filter(campaign__in=campaigns_for_user(user)).prefetch_related("areas")
    scope = scope_for(user)
    if scope.everything:
        return sweeps
    if not scope.path:
        return sweeps.none()
    return sweeps.filter(areas__path__startswith=scope.path).distinct()


def battles_for_user(user):
    return ClusterBattle.objects.filter(campaign__in=campaigns_for_user(user))


def operations_for_user(user):
    return SubOperation.objects.filter(campaign__in=campaigns_for_user(user))
