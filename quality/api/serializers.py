from rest_framework import serializers

from incidents.models import Incident


class QualityItemSerializer(serializers.ModelSerializer):
    """An incident as the quality queue shows it: what it is and how it was located."""

    category = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Incident
        fields = [
            "public_id", "source_system", "source_ref", "category", "reported_at",
            "dispatched_at", "on_scene_at", "closed_at", "address", "lon", "lat",
            "geocode_quality", "geocode_score", "geocoded_address", "unlocated_reason",
        ]  # fmt: skip
        read_only_fields = fields


class DismissSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class PlaceSerializer(serializers.Serializer):
    lon = serializers.FloatField(min_value=-180, max_value=180)
    lat = serializers.FloatField(min_value=-90, max_value=90)
