"""Reads of incidents, always scoped to the user and filtered by the one FilterSet."""

from .filtersets import IncidentFilterSet
from .models import Category, Incident, IncidentQuerySet


def incident_list(*, user, filters=None) -> IncidentQuerySet:
    queryset = Incident.objects.for_user(user).select_related("category")
    filterset = IncidentFilterSet(filters or {}, queryset=queryset)
    if not filterset.is_valid():
        raise IncidentFilterError(filterset.errors)
    return filterset.qs


def incident_get(*, user, public_id) -> Incident:
    """The incident if it is in the user's scope; Incident.DoesNotExist (a 404) otherwise."""
    return (
        Incident.objects.for_user(user)
        .select_related("category", "area", "district", "station", "patrol_zone", "beat")
        .get(public_id=public_id)
    )


class IncidentFilterError(ValueError):
    def __init__(self, errors):
        self.errors = errors
        super().__init__(str(errors))


def unknown_category_codes(codes) -> list[str]:
    """The codes among ``codes`` that name no category, sorted (for validation messages)."""
    known = set(Category.objects.filter(code__in=codes).values_list("code", flat=True))
    return sorted(set(codes) - known)
