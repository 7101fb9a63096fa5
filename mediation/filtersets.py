import django_filters

from areas.models import Area

from .choices import CaseSource, CaseStatus, RiskLevel
from .models import DisputeCase


class DisputeCaseFilterSet(django_filters.FilterSet):
    since = django_filters.IsoDateTimeFilter(field_name="screened_at", lookup_expr="gte")
    until = django_filters.IsoDateTimeFilter(field_name="screened_at", lookup_expr="lt")
    area = django_filters.NumberFilter(method="filter_area", label="Area id (its whole subtree)")
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

    def filter_area(self, queryset, name, value):
        area = Area.objects.filter(pk=value).only("path").first()
        return queryset.filter(area_path__startswith=area.path) if area else queryset.none()

    def filter_overdue(self, queryset, name, value):
        from django.utils import timezone

        overdue = {"follow_ups__due_at__lt": timezone.now(), "follow_ups__done_at__isnull": True}
        matching = queryset.filter(**overdue).values("pk")
        return queryset.filter(pk__in=matching) if value else queryset.exclude(pk__in=matching)
