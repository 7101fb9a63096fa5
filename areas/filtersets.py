import django_filters
from django.db.models import Q

from .choices import AreaKind
from .models import Area


class AreaSubtreeFilter(django_filters.NumberFilter):
    """``?area=<id>``: records placed anywhere in that area's subtree, by their materialized
    area path (``field_name``, default ``area_path``); an unknown area matches nothing."""

    def __init__(self, *args, field_name="area_path", **kwargs):
        kwargs.setdefault("label", "Area id (its whole subtree)")
        super().__init__(*args, field_name=field_name, **kwargs)

    def filter(self, qs, value):
        if value in (None, ""):
            return qs
        area = Area.objects.filter(pk=value).only("path").first()
        return qs.filter(**{f"{self.field_name}__startswith": area.path}) if area else qs.none()


class AreaFilterSet(django_filters.FilterSet):
    """Filters shared by the area pages and the areas API."""

    kind = django_filters.ChoiceFilter(choices=AreaKind.choices)
    parent = django_filters.NumberFilter(field_name="parent_id")
    within = django_filters.NumberFilter(method="filter_within", label="Subtree of this area id")
    q = django_filters.CharFilter(method="filter_text", label="Name or code contains")

    class Meta:
        model = Area
        fields = ["kind", "parent", "within", "q"]

    def filter_within(self, queryset, name, value):
        root = Area.objects.filter(pk=value).only("path").first()
        return queryset.filter(path__startswith=root.path) if root else queryset.none()

    def filter_text(self, queryset, name, value):
        return queryset.filter(
            Q(name__icontains=value) | Q(name_en__icontains=value) | Q(code__icontains=value)
        )
