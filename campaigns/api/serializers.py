"""The campaigns API's serializers: the rules about one object are the models' clean(), run
by ModelCleanMixin; what is left here is shape, scoping and referential checks."""

from rest_framework import serializers

from areas.api.serializers import ScopedAreaField
from incidents.models import Category
from incidents.selectors import unknown_category_codes
from safecity.core.api.serializers import CheckedModelSerializer, ModelCleanMixin

from ..choices import CampaignStatus
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


class CampaignSerializer(ModelCleanMixin, CheckedModelSerializer):
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


class SubOperationSerializer(ModelCleanMixin, CheckedModelSerializer):
    campaign = OpenCampaignField()
    lead_unit = ScopedAreaField()

    class Meta:
        model = SubOperation
        fields = ["id", "campaign", "name", "lead_unit", "description"]


class ClusterBattleSerializer(ModelCleanMixin, CheckedModelSerializer):
    campaign = OpenCampaignField()
    category = CategoryCodeField()
    lead_unit = ScopedAreaField(required=False, help_text="left out: the campaign's organizer")

    class Meta:
        model = ClusterBattle
        fields = [
            "id", "campaign", "name", "lead_unit", "category", "department", "launched_on",
            "cases_solved", "suspects", "gangs_broken", "money_involved",
        ]  # fmt: skip


class KpiItemSerializer(ModelCleanMixin, CheckedModelSerializer):
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


class KpiReportSerializer(ModelCleanMixin, CheckedModelSerializer):
    reporter = serializers.CharField(source="reporter.username", read_only=True)

    class Meta:
        model = KpiReport
        fields = ["id", "reported_on", "value", "note", "reporter", "created_at"]


class SweepSerializer(ModelCleanMixin, CheckedModelSerializer):
    campaign = OpenCampaignField()
    areas = ScopedAreaField(many=True)

    class Meta:
        model = Sweep
        fields = [
            "id", "campaign", "held_on", "areas", "officers", "checkpoints", "venues_checked",
            "dangerous_goods_firms", "hazards_found", "hazards_rectified", "violations", "cases",
            "notices",
        ]  # fmt: skip


class RemediationAreaSerializer(ModelCleanMixin, CheckedModelSerializer):
    campaign = OpenCampaignField()
    unit = ScopedAreaField()

    class Meta:
        model = RemediationArea
        fields = [
            "id", "campaign", "name", "geometry", "unit", "responsible_person", "problem",
            "target", "listed_on", "due_on", "status",
        ]  # fmt: skip


class InspectionSerializer(ModelCleanMixin, CheckedModelSerializer):
    inspector = serializers.CharField(source="inspector.username", read_only=True)

    class Meta:
        model = RemediationInspection
        fields = ["id", "inspected_on", "findings", "inspector"]
