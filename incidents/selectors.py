"""Reads of incidents, always scoped to the user and filtered by the one FilterSet."""

import h3
from django.db.models import Count, Max, Q

from areas.geometry import parse_area_geometry
from areas.models import Area
from geocoding.selectors import standard_addresses

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
        .select_related(
            "category", "area", "district", "station", "patrol_zone", "beat", "filed_area"
        )
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


def incident_addresses(*, user, query: str, limit: int) -> list[dict]:
    """Addresses of located incidents in the user's scope containing ``query``, most used
    first, each at the point of its latest incident."""
    rows = (
        Incident.objects.for_user(user)
        .filter(address__icontains=query, lat__isnull=False)
        .order_by()
        .values("address")
        .annotate(uses=Count("pk"), latest=Max("id"))
        .order_by("-uses", "address")[:limit]
    )
    points = {
        pk: (lon, lat)
        for pk, lon, lat in Incident.objects.filter(
            pk__in=[row["latest"] for row in rows]
        ).values_list("id", "lon", "lat")
    }
    return [
        {
            "kind": "address",
            "label": row["address"],
            "lon": points[row["latest"]][0],
            "lat": points[row["latest"]][1],
        }
        for row in rows
    ]


def area_names(*, user, query: str, limit: int) -> list[dict]:
    """Areas in the user's scope whose name (Chinese or English) contains ``query``, each at a
    point inside it."""
    areas = (
        Area.objects.for_user(user)
        .filter(Q(name__icontains=query) | Q(name_en__icontains=query))
        .order_by("depth", "path")[:limit]
    )
    places = []
    for area in areas:
        point = parse_area_geometry(area.geometry).representative_point()
        places.append({"kind": "area", "label": area.display_name, "lon": point.x, "lat": point.y})
    return places


# Where the entry form's address search looks, in order: each a function of (user, query,
# limit) returning the same dicts. The standard address table comes first: it is the bureau's.
PLACE_FINDERS = (standard_addresses, incident_addresses, area_names)


def places_matching(*, user, query: str, limit: int = 10) -> list[dict]:
    """Places for the address search: ``kind``, ``label``, ``lon``, ``lat``; at most ``limit``,
    from each finder in turn, all within the user's jurisdiction."""
    query = query.strip()
    if not query:
        return []
    places: list[dict] = []
    for finder in PLACE_FINDERS:
        places += finder(user=user, query=query, limit=limit - len(places))
        if len(places) >= limit:
            break
    return places
