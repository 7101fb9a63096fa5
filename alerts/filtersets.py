import django_filters

from areas.filtersets import AreaSubtreeFilter
from safecity.core.filters import UTCDateTimeFilter

from .choices import AlertState, Severity
from .models import Alert


class AlertFilterSet(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(choices=AlertState.choices)
    severity = django_filters.ChoiceFilter(choices=Severity.choices)
    area = AreaSubtreeFilter()
    since = UTCDateTimeFilter(field_name="created_at", lookup_expr="gte")
    until = UTCDateTimeFilter(field_name="created_at", lookup_expr="lt")

    class Meta:
        model = Alert
        fields = ["state", "severity", "kind"]
