"""Filters of the patrol lists: a zone filter offers, and accepts, only the user's areas."""

import django_filters

from areas.models import Area
from areas.scoping import scope_for

from .models import PatrolUnit


def user_areas(request):
    return scope_for(request.user if request is not None else None).filter(
        Area.objects.all(), "path"
    )


class PatrolUnitFilterSet(django_filters.FilterSet):
    home_zone = django_filters.ModelChoiceFilter(queryset=user_areas)

    class Meta:
        model = PatrolUnit
        fields = ["kind", "status", "home_zone"]
