import django_filters
from django.db.models import Q

from .choices import AreaKind
from .models import Area


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
