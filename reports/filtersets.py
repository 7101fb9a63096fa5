import django_filters

from .models import Report


class ReportFilterSet(django_filters.FilterSet):
    # An id, not a choice of every area: the list is already scoped, and a choice field would
    # offer (and name) areas outside the user's jurisdiction.
    area = django_filters.NumberFilter(field_name="area_id")
    period_after = django_filters.DateFilter(field_name="period_end", lookup_expr="gte")
    period_before = django_filters.DateFilter(field_name="period_start", lookup_expr="lte")

    class Meta:
        model = Report
        fields = ["kind", "area"]
