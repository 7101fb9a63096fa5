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
            "category_defaulted", "area", "filed_area",
        ]  # fmt: skip
        read_only_fields = fields


class DismissSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class PlaceSerializer(serializers.Serializer):
    lon = serializers.FloatField(min_value=-180, max_value=180)
    lat = serializers.FloatField(min_value=-90, max_value=90)


class TimesSerializer(serializers.Serializer):
    """The lifecycle times to correct; those left out stay as they are."""

    reported_at = serializers.DateTimeField(required=False)
    dispatched_at = serializers.DateTimeField(required=False, allow_null=True)
    on_scene_at = serializers.DateTimeField(required=False, allow_null=True)
    closed_at = serializers.DateTimeField(required=False, allow_null=True)
    filed_at = serializers.DateTimeField(required=False, allow_null=True)
    solved_at = serializers.DateTimeField(required=False, allow_null=True)

    def validate(self, attrs):
        if not attrs:
            raise serializers.ValidationError("give at least one time")
        return attrs


class CategorySerializer(serializers.Serializer):
    category = serializers.CharField(max_length=48, help_text="the real category's code")


class MergeSerializer(serializers.Serializer):
    into = serializers.UUIDField(help_text="the incident this one repeats")
