import django_filters
from django import forms
from django.db.models import Q
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from areas.filtersets import AreaSubtreeFilter
from safecity.core.filters import UTCDateTimeFilter

from .choices import IncidentSource, IncidentStatus
from .models import Category, Incident


class BBoxField(forms.CharField):
    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        try:
            west, south, east, north = (float(part) for part in value.split(","))
        except ValueError as exc:
            raise forms.ValidationError("bbox is west,south,east,north in degrees") from exc
        if west > east or south > north:
            raise forms.ValidationError("bbox must have west ≤ east and south ≤ north")
        return west, south, east, north


@extend_schema_field(OpenApiTypes.STR)
class BBoxFilter(django_filters.Filter):
    field_class = BBoxField

    def filter(self, qs, value):
        if not value:
            return qs
        west, south, east, north = value
        return qs.filter(lon__gte=west, lon__lte=east, lat__gte=south, lat__lte=north)


class IncidentFilterSet(django_filters.FilterSet):
    """The incident filters, shared by the pages, the API and the exports."""

    since = UTCDateTimeFilter(field_name="reported_at", lookup_expr="gte")
    until = UTCDateTimeFilter(field_name="reported_at", lookup_expr="lt")
    area = AreaSubtreeFilter()
    category = django_filters.CharFilter(method="filter_category", label="Category code (subtree)")
    status = django_filters.MultipleChoiceFilter(choices=IncidentStatus.choices)
    source = django_filters.MultipleChoiceFilter(choices=IncidentSource.choices)
    bbox = BBoxFilter(label="west,south,east,north")
    q = django_filters.CharFilter(method="filter_text", label="Text in address or summary")

    class Meta:
        model = Incident
        fields = ["since", "until", "area", "category", "status", "source", "bbox", "q"]

    def filter_category(self, queryset, name, value):
        category = Category.objects.filter(code=value).only("path").first()
        return queryset.in_category(category) if category else queryset.none()

    def filter_text(self, queryset, name, value):
        return queryset.filter(Q(address__icontains=value) | Q(summary__icontains=value))
