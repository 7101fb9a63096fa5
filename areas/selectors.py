"""Reads of the area tree, always scoped to the user."""

from .filtersets import AreaFilterSet
from .models import Area, AreaQuerySet


def area_list(*, user, filters: dict | None = None) -> AreaQuerySet:
    queryset = Area.objects.for_user(user).select_related("parent")
    return AreaFilterSet(filters or {}, queryset=queryset).qs


def area_get(*, user, area_id) -> Area:
    """The area if it is in the user's scope; Area.DoesNotExist (a 404) otherwise."""
    return Area.objects.for_user(user).select_related("parent").get(pk=area_id)


def area_tree(*, user) -> list[dict]:
    """The user's areas as nested dicts; the roots are the tops of the user's scope."""
    areas = list(Area.objects.for_user(user).order_by("path"))
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
