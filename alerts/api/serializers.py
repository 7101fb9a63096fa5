from rest_framework import serializers

from areas.api.serializers import ScopedAreaField
from safecity.core.api.serializers import ModelCleanMixin, ModelSerializer

from ..models import Alert, AlertRule


class AlertSerializer(ModelSerializer):
    incident = serializers.SerializerMethodField()
    acknowledged_by = serializers.CharField(
        source="acknowledged_by.username", default=None, allow_null=True, read_only=True
    )
    resolved_by = serializers.CharField(
        source="resolved_by.username", default=None, allow_null=True, read_only=True
    )

    class Meta:
        model = Alert
        fields = [
            "id", "kind", "severity", "state", "area", "title", "title_en", "body", "body_en",
            "incident", "device_event", "created_at", "acknowledged_by", "acknowledged_at",
            "acknowledged_note", "resolved_by", "resolved_at",
        ]  # fmt: skip

    def get_incident(self, alert) -> str | None:
        return str(alert.incident.public_id) if alert.incident_id else None


class AcknowledgeSerializer(serializers.Serializer):
    # Its length is the service's to check (alerts.services.ACKNOWLEDGE_NOTE_MAX), for the
    # pages as for the API.
    note = serializers.CharField(
        required=False, allow_blank=True, help_text="What is being done (optional)"
    )


# A rule is checked by its kind's handler (AlertRule.clean, alerts.kinds).
class AlertRuleSerializer(ModelCleanMixin, ModelSerializer):
    area = ScopedAreaField(required=False, allow_null=True)
    categories = serializers.ListField(
        child=serializers.SlugField(max_length=48), required=False, help_text="category codes"
    )
    event_types = serializers.ListField(
        child=serializers.SlugField(max_length=48), required=False, help_text="event type codes"
    )

    class Meta:
        model = AlertRule
        fields = [
            "id", "name", "name_en", "kind", "area", "severity", "enabled", "cooldown_minutes",
            "categories", "event_types", "max_priority", "window_hours", "baseline_weeks",
            "z_threshold", "min_count", "per_area_kind", "dispatch_seconds", "on_scene_seconds",
        ]  # fmt: skip
