"""Filters of the patrol lists: a zone filter offers, and accepts, only the user's areas."""

import django_filters

from areas.models import Area
from areas.scoping import scope_for
from safecity.core.filters import UTCDateTimeFilter

from .models import PatrolUnit, Position


def user_areas(request):
    return scope_for(request.user if request is not None else None).filter(
        Area.objects.all(), "path"
    )


class PatrolUnitFilterSet(django_filters.FilterSet):
    home_zone = django_filters.ModelChoiceFilter(queryset=user_areas)

    class Meta:
        model = PatrolUnit
        fields = ["kind", "status", "home_zone"]


def user_units(request):
    return PatrolUnit.objects.for_user(request.user if request is not None else None)


class PositionFilterSet(django_filters.FilterSet):
    unit = django_filters.ModelChoiceFilter(
        queryset=user_units, to_field_name="code", help_text="unit code"
    )
    since = UTCDateTimeFilter(field_name="at", lookup_expr="gte")
    until = UTCDateTimeFilter(field_name="at", lookup_expr="lt")

    class Meta:
        model = Position
        fields = ["unit", "since", "until"]
