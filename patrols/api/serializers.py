from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from areas.api.serializers import ScopedAreaField
from stats.api.serializers import StatsParams

from ..models import PatrolUnit, Position, ResponseStandard


class PatrolUnitSerializer(serializers.ModelSerializer):
    home_zone = ScopedAreaField()

    class Meta:
        model = PatrolUnit
        fields = [
            "id", "code", "name", "kind", "home_zone", "strength", "vehicle", "status",
            "last_lon", "last_lat", "last_seen_at",
        ]  # fmt: skip
        read_only_fields = ["last_lon", "last_lat", "last_seen_at"]


class PositionSerializer(serializers.ModelSerializer):
    unit = serializers.CharField(source="unit.code")

    class Meta:
        model = Position
        fields = ["unit", "at", "lon", "lat", "speed_kmh", "heading"]


class ResponseStandardSerializer(serializers.ModelSerializer):
    area = ScopedAreaField()

    class Meta:
        model = ResponseStandard
        fields = ["id", "area", "dispatch_seconds", "arrive_seconds"]

    def validate(self, attrs):
        if attrs["dispatch_seconds"] > attrs["arrive_seconds"]:
            raise serializers.ValidationError(
                {"arrive_seconds": "arrival cannot be due before dispatch"}
            )
        return attrs


class ComplianceParams(StatsParams):
    category = serializers.HiddenField(default=None)
    measure = serializers.HiddenField(default="count")
    by = serializers.ChoiceField(
        choices=["children"],
        required=False,
        help_text=_("Also each child area of the area, one row each"),
    )
