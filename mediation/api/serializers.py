"""The mediation API's serializers: a case's one-object rules are DisputeCase.clean(), run by
ModelCleanMixin; personal data is masked by the views."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from areas.api.serializers import ScopedAreaField
from safecity.core.api.serializers import (
    BoundedDateTimeField,
    CheckedModelSerializer,
    ModelCleanMixin,
    ModelSerializer,
)
from stats.api.serializers import StatsParams

from .. import services
from ..choices import Agency, CaseSource, CaseStatus, Mediator, RiskLevel
from ..metrics import SOURCE
from ..models import CaseStatusChange, DisputeCase, DisputeType, FollowUp
from ..selectors import FUNNEL, OUTCOMES


class PartySerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    phone = serializers.RegexField(r"^[0-9+\- ]{3,20}$", required=False, allow_blank=True)
    role = serializers.CharField(max_length=50, required=False, allow_blank=True)


class PartiesField(serializers.ListField):
    """The parties, masked for a reader without the personal-data permission."""

    child = PartySerializer()

    def to_representation(self, data):
        request = self.context.get("request")
        return services.parties_for(request.user if request else None, data)


class CaseStatusChangeSerializer(ModelSerializer):
    class Meta:
        model = CaseStatusChange
        fields = ["from_status", "to_status", "at", "note"]


class FollowUpSerializer(ModelCleanMixin, CheckedModelSerializer):
    overdue = serializers.BooleanField(source="is_overdue", read_only=True)

    class Meta:
        model = FollowUp
        fields = ["id", "due_at", "note", "done_at", "outcome", "overdue"]
        read_only_fields = ["done_at", "outcome"]


class DisputeCaseSerializer(ModelCleanMixin, CheckedModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    type = serializers.SlugRelatedField(slug_field="code", queryset=DisputeType.objects.all())
    parties = PartiesField(required=False)
    mediators = serializers.ListField(
        child=serializers.ChoiceField(choices=Mediator.choices), required=False
    )
    area = ScopedAreaField(required=False)
    area_name = serializers.CharField(source="area.name", read_only=True)
    incident = serializers.SlugRelatedField(slug_field="public_id", read_only=True, allow_null=True)
    escalated_incident = serializers.SlugRelatedField(
        slug_field="public_id", read_only=True, allow_null=True
    )
    transferred_to = serializers.ChoiceField(Agency.choices, read_only=True, allow_blank=True)

    class Meta:
        model = DisputeCase
        fields = [
            "id", "type", "summary", "parties", "source", "risk", "mediators", "status",
            "lon", "lat", "address", "area", "area_name", "screened_at", "mediating_at",
            "transferred_at", "transferred_to", "resolved_at", "failed_at", "escalated_at",
            "incident", "escalated_incident", "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = [
            "status", "mediating_at", "transferred_at", "transferred_to", "resolved_at",
            "failed_at", "escalated_at",
        ]  # fmt: skip
        extra_kwargs = {"screened_at": {"required": False}}


class DisputeCaseDetailSerializer(DisputeCaseSerializer):
    timeline = CaseStatusChangeSerializer(source="changes", many=True, read_only=True)
    follow_ups = FollowUpSerializer(many=True, read_only=True)

    class Meta(DisputeCaseSerializer.Meta):
        fields = [*DisputeCaseSerializer.Meta.fields, "timeline", "follow_ups"]


class CaseTransitionSerializer(serializers.Serializer):
    to = serializers.ChoiceField(choices=CaseStatus.choices)
    at = BoundedDateTimeField(required=False)
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    agency = serializers.ChoiceField(
        choices=Agency.choices, required=False, help_text=_("Where to (to=transferred)")
    )
    incident = serializers.UUIDField(
        required=False,
        help_text=_("The incident it became (to=escalated; default: one is opened)"),
    )


class OpenFromIncidentSerializer(serializers.Serializer):
    type = serializers.SlugRelatedField(
        slug_field="code", queryset=DisputeType.objects.all(), required=False
    )
    summary = serializers.CharField(required=False)
    parties = serializers.ListField(child=PartySerializer(), required=False)
    source = serializers.ChoiceField(choices=CaseSource.choices, required=False)
    risk = serializers.ChoiceField(choices=RiskLevel.choices, required=False)
    mediators = serializers.ListField(
        child=serializers.ChoiceField(choices=Mediator.choices), required=False
    )


class CompleteFollowUpSerializer(serializers.Serializer):
    outcome = serializers.CharField(required=False, allow_blank=True)


class MediationStatsParams(StatsParams):
    source_name = SOURCE
    category = serializers.HiddenField(default=None)
    type = serializers.CharField(required=False, help_text=_("Dispute type code (default: all)"))
    measure = serializers.HiddenField(default=",".join(FUNNEL + OUTCOMES))
    by = serializers.ChoiceField(
        choices=["type", "area"],
        required=False,
        help_text=_("Also each dispute type, or each child area, with the same figures"),
    )

    def validate(self, attrs):
        code = attrs.pop("type", None)
        if code and not DisputeType.objects.filter(code=code).exists():
            known = ", ".join(DisputeType.objects.values_list("code", flat=True))
            raise serializers.ValidationError({"type": f"unknown type {code!r}; known: {known}"})
        attrs["category"] = code
        return super().validate(attrs)
