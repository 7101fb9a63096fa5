"""Reads of the area tree, always scoped to the user."""

from collections.abc import Iterable

from django.core.cache import cache
from shapely.errors import GEOSException

from .filtersets import AreaFilterSet
from .geometry import simplify_for_map
from .models import Area, AreaQuerySet

MAP_GEOMETRY_CACHE_SECONDS = 24 * 3600


def area_list(*, user, filters: dict | None = None) -> AreaQuerySet:
    queryset = Area.objects.for_user(user).select_related("parent")
    return AreaFilterSet(filters or {}, queryset=queryset).qs


def area_get(*, user, area_id) -> Area:
    """The area if it is in the user's scope; Area.DoesNotExist (a 404) otherwise."""
    return Area.objects.for_user(user).select_related("parent").get(pk=area_id)


def area_tree(*, user) -> list[dict]:
    """The user's areas as nested dicts; the roots are the tops of the user's scope, siblings
    in their official order."""
    areas = in_official_order(Area.objects.for_user(user))
    nodes = {
        area.id: {
            "id": area.id,
            "kind": area.kind,
            "code": area.code,
            "name": area.name,
            "name_en": area.name_en,
            "children": [],
        }
        for area in areas
    }
    roots = []
    for area in areas:
        parent = nodes.get(area.parent_id)
        (parent["children"] if parent else roots).append(nodes[area.id])
    return roots


def area_map_geometries(areas: Iterable[Area], *, zoom: int) -> dict[int, dict]:
    """Each area's boundary as a map at ``zoom`` draws it (areas.geometry.simplify_for_map), by
    id. Simplifying a large boundary is costly, so each is kept in the cache per version of the
    area and zoom; only the boundaries not cached are read from the database."""
    keys = {
        area.pk: f"areas:map:{area.pk}:{area.updated_at.timestamp():.6f}:{zoom}" for area in areas
    }
    found = cache.get_many(list(keys.values()))
    missing = [pk for pk, key in keys.items() if key not in found]
    fresh = {}
    for pk, geometry in Area.objects.filter(pk__in=missing).values_list("pk", "geometry"):
        try:
            fresh[keys[pk]] = simplify_for_map(geometry, zoom)
        except (GEOSException, ValueError, TypeError, AttributeError):
            fresh[keys[pk]] = geometry  # stored before boundaries were checked: sent as it is
    if fresh:
        cache.set_many(fresh, timeout=MAP_GEOMETRY_CACHE_SECONDS)
    found |= fresh
    return {pk: found[key] for pk, key in keys.items() if key in found}


def _rank(sort_order: int | None, code: str, pk: int) -> tuple:
    return (sort_order is None, sort_order or 0, code, pk)


def in_official_order(areas: Iterable) -> list:
    """``areas`` in tree order (every area after its parent), siblings in official order.

    Ancestors not among ``areas`` are read (one query) so that, say, the stations of a city
    come district by district."""
    areas = list(areas)
    ranks = {area.pk: _rank(area.sort_order, area.code, area.pk) for area in areas}
    wanted = {pk for area in areas for pk in area.ancestor_ids()} - ranks.keys()
    if wanted:
        for pk, sort_order, code in Area.objects.filter(pk__in=wanted).values_list(
            "pk", "sort_order", "code"
        ):
            ranks[pk] = _rank(sort_order, code, pk)

    def key(area) -> tuple:
        return tuple(ranks.get(pk, (False, 0, "", pk)) for pk in [*area.ancestor_ids(), area.pk])

    return sorted(areas, key=key)
