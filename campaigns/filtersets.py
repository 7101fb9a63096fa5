"""Filters of the campaign lists. A filter naming a campaign offers, and accepts, only the
campaigns of the user's (another district's campaign is no valid choice, and its name is not
listed in the browsable API's filter form)."""

import django_filters

from .models import ClusterBattle, KpiItem, RemediationArea, SubOperation, Sweep
from .selectors import campaigns_for_user


def user_campaigns(request):
    return campaigns_for_user(request.user if request is not None else None)


class CampaignPartFilterSet(django_filters.FilterSet):
    campaign = django_filters.ModelChoiceFilter(queryset=user_campaigns)


class SubOperationFilterSet(CampaignPartFilterSet):
    class Meta:
        model = SubOperation
        fields = ["campaign"]


class ClusterBattleFilterSet(CampaignPartFilterSet):
    class Meta:
        model = ClusterBattle
        fields = ["campaign", "department"]


class KpiItemFilterSet(CampaignPartFilterSet):
    class Meta:
        model = KpiItem
        fields = ["campaign", "status", "metric"]


class SweepFilterSet(CampaignPartFilterSet):
    class Meta:
        model = Sweep
        fields = ["campaign"]


class RemediationAreaFilterSet(CampaignPartFilterSet):
    class Meta:
        model = RemediationArea
        fields = ["campaign", "status"]
