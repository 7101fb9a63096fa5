from rest_framework import serializers

from areas.api.serializers import ScopedAreaField

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
