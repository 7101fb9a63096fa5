import django_filters

from areas.filtersets import AreaSubtreeFilter
from safecity.core.filters import UTCDateTimeFilter

from .choices import CaseSource, CaseStatus, RiskLevel
from .models import DisputeCase, FollowUp


class DisputeCaseFilterSet(django_filters.FilterSet):
    since = UTCDateTimeFilter(field_name="screened_at", lookup_expr="gte")
    until = UTCDateTimeFilter(field_name="screened_at", lookup_expr="lt")
    area = AreaSubtreeFilter()
    type = django_filters.CharFilter(field_name="type__code", label="Dispute type code")
    status = django_filters.MultipleChoiceFilter(choices=CaseStatus.choices)
    source = django_filters.MultipleChoiceFilter(choices=CaseSource.choices)
    risk = django_filters.MultipleChoiceFilter(choices=RiskLevel.choices)
    overdue = django_filters.BooleanFilter(
        method="filter_overdue", label="With a follow-up past due and not done"
    )

    class Meta:
        model = DisputeCase
        fields = ["since", "until", "area", "type", "status", "source", "risk", "overdue"]

    def filter_overdue(self, queryset, name, value):
        matching = FollowUp.objects.overdue().values("case_id")
        return queryset.filter(pk__in=matching) if value else queryset.exclude(pk__in=matching)
