"""Reads of incidents, always scoped to the user and filtered by the one FilterSet."""

import h3
from django.db.models import Count

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


# The h3 resolutions stored on every incident, by the field that holds the cell.
HEX_FIELDS = {7: "h3_r7", 9: "h3_r9"}


def incident_hexes(queryset: IncidentQuerySet, *, resolution: int) -> dict:
    """Incident counts per h3 cell as a GeoJSON FeatureCollection of hexagons, densest first."""
    field = HEX_FIELDS[resolution]
    counts = (
        queryset.exclude(**{field: ""})
        .order_by()
        .values(field)
        .annotate(count=Count("pk"))
        .order_by("-count")
    )
    features = []
    for row in counts:
        cell = row[field]
        ring = [[lon, lat] for lat, lon in h3.cell_to_boundary(cell)]
        ring.append(ring[0])
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Polygon", "coordinates": [ring]},
                "properties": {"cell": cell, "count": row["count"]},
            }
        )
    return {"type": "FeatureCollection", "resolution": resolution, "features": features}
