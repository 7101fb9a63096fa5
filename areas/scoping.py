"""The one mechanism that decides what a user may see: their jurisdiction's subtree.

Every scoped read — lists, details, statistics, exports, map layers, WebSocket groups — goes
through :func:`scope_for`; out-of-scope objects read as 404 because they are never in the
queryset.
"""

from dataclasses import dataclass

from django.db import models
from django.db.models import Q


@dataclass(frozen=True)
class Scope:
    """A jurisdiction: everything (city-wide roles), one area subtree, or nothing."""

    everything: bool = False
    path: str | None = None

    @property
    def is_empty(self) -> bool:
        return not self.everything and not self.path

    def filter(self, queryset: models.QuerySet, path_field: str) -> models.QuerySet:
        if self.everything:
            return queryset
        if not self.path:
            return queryset.none()
        return queryset.filter(**{f"{path_field}__startswith": self.path})

    def covering(self, queryset: models.QuerySet, path_field: str) -> models.QuerySet:
        """Objects at an area inside this scope or above it: what covers the jurisdiction (a
        campaign over several districts, a rule watching the city), not another district's."""
        if self.everything:
            return queryset
        if not self.path:
            return queryset.none()
        parts = [part for part in self.path.strip("/").split("/") if part]
        above = ["/" + "/".join(parts[:n]) + "/" for n in range(1, len(parts))]
        return queryset.filter(
            Q(**{f"{path_field}__in": above}) | Q(**{f"{path_field}__startswith": self.path})
        )

    def covers(self, path: str | None) -> bool:
        """Whether an object at this area path is in scope (unassigned objects: city-wide only)."""
        if self.everything:
            return True
        return bool(self.path and path and path.startswith(self.path))


NOTHING = Scope()
EVERYTHING = Scope(everything=True)


def scope_for(user) -> Scope:
    if user is None or not user.is_authenticated or not user.is_active:
        return NOTHING
    if user.is_superuser or getattr(user, "is_city_wide", False):
        return EVERYTHING
    home_area = getattr(user, "home_area", None)
    return Scope(path=home_area.path) if home_area is not None else NOTHING


class ScopedQuerySet(models.QuerySet):
    """A queryset that can narrow itself to a user's jurisdiction by an area-path field."""

    scope_path_field = "area_path"

    def for_user(self, user):
        return scope_for(user).filter(self, self.scope_path_field)
