import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from .choices import AuditAction, AuditOutcome
from .models import AuditEvent


@extend_schema_field(OpenApiTypes.STR)
class AddressFilter(django_filters.Filter):
    """An IPv4 or IPv6 address, checked before it reaches the database's address column."""

    field_class = forms.GenericIPAddressField


class AuditEventFilterSet(django_filters.FilterSet):
    """The audit trail's filters, shared by the page and the API."""

    since = django_filters.IsoDateTimeFilter(field_name="at", lookup_expr="gte", label=_("从"))
    until = django_filters.IsoDateTimeFilter(field_name="at", lookup_expr="lt", label=_("至"))
    actor = django_filters.CharFilter(field_name="actor_username", label=_("用户"))
    action = django_filters.MultipleChoiceFilter(choices=AuditAction.choices, label=_("操作"))
    object_type = django_filters.CharFilter(label=_("对象类型"))
    object_id = django_filters.CharFilter(label=_("对象编号"))
    outcome = django_filters.MultipleChoiceFilter(choices=AuditOutcome.choices, label=_("结果"))
    ip = AddressFilter(label=_("IP 地址"))
    q = django_filters.CharFilter(method="filter_text", label=_("说明、路径或对象"))

    class Meta:
        model = AuditEvent
        fields = [
            "since", "until", "actor", "action", "object_type", "object_id", "outcome", "ip", "q",
        ]  # fmt: skip

    def filter_text(self, queryset, name, value):
        return queryset.filter(
            Q(detail__icontains=value) | Q(path__icontains=value) | Q(object_repr__icontains=value)
        )
