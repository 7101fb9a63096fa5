import django_filters

from .choices import AlertState, Severity
from .models import Alert


class AlertFilterSet(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(choices=AlertState.choices)
    severity = django_filters.ChoiceFilter(choices=Severity.choices)
    area = django_filters.NumberFilter(method="filter_area", label="area id (its subtree)")
    since = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    until = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="lt")

    class Meta:
        model = Alert
        fields = ["state", "severity", "kind"]

    def filter_area(self, queryset, name, value):
        from areas.models import Area

        area = Area.objects.filter(pk=value).first()
        return queryset.filter(area_path__startswith=area.path) if area else queryset.none()
