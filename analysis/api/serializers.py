"""Query parameters of the analysis endpoints: the statistics API's area, category and window
(``StatsParams``, so the same parsing and the same jurisdiction rules), and each analysis's own."""

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from stats.api.serializers import StatsParams

from ..cells import DEFAULT_K, DEFAULT_RESOLUTION, MAX_RESOLUTION, MIN_RESOLUTION
from ..results import near_repeat_bands


class HotspotParams(StatsParams):
    measure = serializers.HiddenField(default="count")
    resolution = serializers.IntegerField(
        default=DEFAULT_RESOLUTION,
        min_value=MIN_RESOLUTION,
        max_value=MAX_RESOLUTION,
        help_text=_("h3 resolution of the cells"),
    )
    k = serializers.IntegerField(
        default=DEFAULT_K, min_value=1, max_value=3, help_text=_("Neighbours: cells within k rings")
    )
    fdr = serializers.BooleanField(
        default=True, help_text=_("Benjamini–Hochberg false discovery rate correction")
    )


class EmergingParams(HotspotParams):
    step = serializers.ChoiceField(choices=["week", "month"], default="week")


class NearRepeatParams(StatsParams):
    measure = serializers.HiddenField(default="count")
    distance = serializers.FloatField(
        required=False, min_value=10, max_value=5000, help_text=_("Distance band width (metres)")
    )
    distance_bands = serializers.IntegerField(required=False, min_value=1, max_value=20)
    days = serializers.FloatField(
        required=False, min_value=1, max_value=90, help_text=_("Time band width (days)")
    )
    time_bands = serializers.IntegerField(required=False, min_value=1, max_value=20)
    permutations = serializers.IntegerField(required=False, min_value=19, max_value=999)
    seed = serializers.IntegerField(
        required=False, min_value=0, help_text=_("Random seed of the permutations (repeatable)")
    )

    def validate(self, attrs):
        attrs = super().validate(attrs)
        if not attrs.get("category"):
            # Near repeats are a question about one kind of crime: burglary unless asked.
            attrs["category"] = settings.ANALYSIS_NEAR_REPEAT_CATEGORIES[0]
        attrs["bands"] = near_repeat_bands(attrs)
        return attrs
