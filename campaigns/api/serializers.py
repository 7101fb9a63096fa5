from rest_framework import serializers

from areas.api.serializers import ScopedAreaField
from incidents.models import Category
from incidents.selectors import unknown_category_codes
from safecity.core.api.serializers import CheckedModelSerializer

from ..choices import COMPUTED_METRICS, CampaignStatus, Metric
from ..models import (
    Campaign,
    ClusterBattle,
    KpiItem,
    KpiReport,
    RemediationArea,
    RemediationInspection,
    SubOperation,
    Sweep,
)


def _in_order(serializer, attrs: dict, first: str, last: str, message: str) -> None:
    """Refuse ``last`` before ``first``, on create or on a partial update."""
    start = attrs.get(first, getattr(serializer.instance, first, None))
    end = attrs.get(last, getattr(serializer.instance, last, None))
    if start and end and end < start:
        raise serializers.ValidationError({last: message})


class CategoryCodeField(serializers.SlugRelatedField):
    def __init__(self, **kwargs):
        super().__init__(slug_field="code", queryset=Category.objects.all(), **kwargs)


class OpenCampaignField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self):
        from ..selectors import campaigns_for_user

        return campaigns_for_user(self.context["request"].user)

    def to_internal_value(self, data):
        campaign = super().to_internal_value(data)
        if campaign.status == CampaignStatus.CLOSED:
            raise serializers.ValidationError(
                f"the campaign {campaign.name} is closed; it takes no more changes"
            )
        return campaign


class CampaignSerializer(CheckedModelSerializer):
    organizer = ScopedAreaField()
    scope_areas = ScopedAreaField(many=True)
    focus_categories = serializers.ListField(
        child=serializers.SlugField(max_length=48), required=False, help_text="category codes"
    )

    class Meta:
        model = Campaign
        fields = [
            "id", "name", "code", "kind", "starts_on", "ends_on", "organizer", "scope_areas",
            "focus_categories", "status", "goals",
        ]  # fmt: skip

    def validate_focus_categories(self, codes):
        unknown = unknown_category_codes(codes)
        if unknown:
            raise serializers.ValidationError(f"unknown category code(s): {', '.join(unknown)}")
        return codes

    def validate(self, attrs):
        _in_order(self, attrs, "starts_on", "ends_on", "the campaign ends before it starts")
        return attrs


class SubOperationSerializer(CheckedModelSerializer):
    campaign = OpenCampaignField()
    lead_unit = ScopedAreaField()

    class Meta:
        model = SubOperation
        fields = ["id", "campaign", "name", "lead_unit", "description"]


class ClusterBattleSerializer(CheckedModelSerializer):
    campaign = OpenCampaignField()
    category = CategoryCodeField()
    lead_unit = ScopedAreaField(required=False, help_text="left out: the campaign's organizer")

    class Meta:
        model = ClusterBattle
        fields = [
            "id", "campaign", "name", "lead_unit", "category", "department", "launched_on",
            "cases_solved", "suspects", "gangs_broken", "money_involved",
        ]  # fmt: skip


class KpiItemSerializer(CheckedModelSerializer):
    campaign = OpenCampaignField()
    unit = ScopedAreaField()
    category = CategoryCodeField(required=False, allow_null=True)

    class Meta:
        model = KpiItem
        fields = [
            "id", "campaign", "label", "metric", "category", "unit", "target", "direction",
            "deadline", "current", "percent_of_target", "status", "evaluated_at",
        ]  # fmt: skip
        read_only_fields = ["current", "percent_of_target", "status", "evaluated_at"]

    def validate(self, attrs):
        metric = attrs.get("metric", getattr(self.instance, "metric", None))
        if metric == Metric.COUNTER and attrs.get("category"):
            raise serializers.ValidationError({"category": "a counter item has no category"})
        campaign = attrs.get("campaign", getattr(self.instance, "campaign", None))
        deadline = attrs.get("deadline", getattr(self.instance, "deadline", None))
        if campaign and deadline and not campaign.starts_on <= deadline <= campaign.ends_on:
            raise serializers.ValidationError({"deadline": "outside the campaign's period"})
        is_percentage = metric in COMPUTED_METRICS and metric != Metric.INCIDENT_COUNT
        if (
            is_percentage
            and attrs.get("target") is not None
            and not -100 <= attrs["target"] <= 1000
        ):
            raise serializers.ValidationError({"target": "a percentage is expected"})
        return attrs


class KpiReportSerializer(CheckedModelSerializer):
    reporter = serializers.CharField(source="reporter.username", read_only=True)

    class Meta:
        model = KpiReport
        fields = ["id", "reported_on", "value", "note", "reporter", "created_at"]

    def validate_value(self, value):
        if value < 0:
            raise serializers.ValidationError("a report counts what was done: 0 or more")
        return value


class SweepSerializer(CheckedModelSerializer):
    campaign = OpenCampaignField()
    areas = ScopedAreaField(many=True)

    class Meta:
        model = Sweep
        fields = [
            "id", "campaign", "held_on", "areas", "officers", "checkpoints", "venues_checked",
            "dangerous_goods_firms", "hazards_found", "hazards_rectified", "violations", "cases",
            "notices",
        ]  # fmt: skip

    def validate(self, attrs):
        found = attrs.get("hazards_found", 0)
        if attrs.get("hazards_rectified", 0) > found:
            raise serializers.ValidationError(
                {"hazards_rectified": "more hazards rectified than found"}
            )
        campaign = attrs.get("campaign")
        held = attrs.get("held_on")
        if campaign and held and not campaign.starts_on <= held <= campaign.ends_on:
            raise serializers.ValidationError({"held_on": "outside the campaign's period"})
        return attrs


class RemediationAreaSerializer(CheckedModelSerializer):
    campaign = OpenCampaignField()
    unit = ScopedAreaField()

    class Meta:
        model = RemediationArea
        fields = [
            "id", "campaign", "name", "geometry", "unit", "responsible_person", "problem",
            "target", "listed_on", "due_on", "status",
        ]  # fmt: skip

    def validate_geometry(self, value):
        from areas.geometry import GeometryError, parse_area_geometry

        try:
            parse_area_geometry(value)
        except GeometryError as exc:
            raise serializers.ValidationError(str(exc)) from None
        return value

    def validate(self, attrs):
        _in_order(self, attrs, "listed_on", "due_on", "due before it is listed")
        return attrs


class InspectionSerializer(CheckedModelSerializer):
    inspector = serializers.CharField(source="inspector.username", read_only=True)

    class Meta:
        model = RemediationInspection
        fields = ["id", "inspected_on", "findings", "inspector"]
