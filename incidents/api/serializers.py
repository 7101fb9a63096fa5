"""The incidents API's shapes: incidents as read, the ingest row as written (generated from
its one declaration), transitions, ingest reports and device events."""

from rest_framework import serializers

from safecity.core.api.serializers import (
    BoundedDateTimeField,
    FeatureCollectionSerializer,
    ModelSerializer,
    StorableJSONField,
)
from safecity.core.crs import Crs, to_wgs84

from ..choices import IncidentStatus
from ..ingest.rows import (
    MONEY_DECIMAL_PLACES,
    MONEY_DIGITS,
    ROW_FIELD_TABLE,
    FieldKind,
    RowField,
)
from ..models import Incident, IncidentStatusChange


class IncidentSerializer(ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    category = serializers.SlugRelatedField(slug_field="code", read_only=True)
    category_name = serializers.CharField(source="category.display_name", read_only=True)
    dispatch_seconds = serializers.IntegerField(read_only=True, allow_null=True)
    travel_seconds = serializers.IntegerField(read_only=True, allow_null=True)
    total_seconds = serializers.IntegerField(read_only=True, allow_null=True)
    duplicate_of = serializers.SlugRelatedField(
        slug_field="public_id",
        read_only=True,
        allow_null=True,
        help_text="the incident this one repeats: merged, it is left out of the statistics",
    )

    class Meta:
        model = Incident
        fields = [
            "id",
            "source",
            "source_system",
            "source_ref",
            "category",
            "category_name",
            "category_defaulted",
            "priority",
            "status",
            "reported_at",
            "occurred_at",
            "dispatched_at",
            "on_scene_at",
            "closed_at",
            "filed_at",
            "solved_at",
            "dispatch_seconds",
            "travel_seconds",
            "response_seconds",
            "total_seconds",
            "lon",
            "lat",
            "address",
            "area",
            "district",
            "station",
            "patrol_zone",
            "beat",
            "filed_area",
            "duplicate_of",
            "h3_r7",
            "h3_r9",
            "money_involved",
            "loss",
            "recovered",
            "arrested",
            "transfer_agency",
            "transferred_at",
            "transfer_outcome",
            "summary",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class StatusChangeSerializer(ModelSerializer):
    by = serializers.CharField(source="by.username", default=None, read_only=True)

    class Meta:
        model = IncidentStatusChange
        fields = ["from_status", "to_status", "at", "by", "note"]


class IncidentDetailSerializer(IncidentSerializer):
    status_changes = StatusChangeSerializer(many=True, read_only=True)

    class Meta(IncidentSerializer.Meta):
        fields = [*IncidentSerializer.Meta.fields, "status_changes"]
        read_only_fields = fields


def _input_field(spec: RowField) -> serializers.Field:
    """The REST field documenting one row field (the row parser does the validating)."""
    options: dict = {"required": spec.required}
    if spec.help_text:
        options["help_text"] = spec.help_text
    bounds = {"min_value": spec.minimum, "max_value": spec.maximum}
    match spec.kind:
        case FieldKind.TEXT | FieldKind.CODE:
            return serializers.CharField(
                max_length=spec.max_length, allow_blank=not spec.required, **options
            )
        case FieldKind.SLUG:
            return serializers.SlugField(max_length=spec.max_length, **options)
        case FieldKind.CHOICE:
            return serializers.ChoiceField(spec.choices.choices, **options)
        case FieldKind.TIME:
            return serializers.DateTimeField(allow_null=not spec.required, **options)
        case FieldKind.COORDINATE:
            return serializers.FloatField(allow_null=True, **bounds, **options)
        case FieldKind.INTEGER:
            return serializers.IntegerField(**bounds, **options)
        case FieldKind.FLAG:
            return serializers.BooleanField(**options)
        case FieldKind.MONEY:
            return serializers.DecimalField(
                MONEY_DIGITS, MONEY_DECIMAL_PLACES, allow_null=True, **bounds, **options
            )
    raise ValueError(f"no REST field for a {spec.kind} row field")


class IncidentInputSerializer(serializers.Serializer):
    """The incident row every ingest path takes, generated from its one declaration
    (incidents.ingest.rows.ROW_FIELD_TABLE), which the row parser validates."""

    def get_fields(self):
        return {spec.name: _input_field(spec) for spec in ROW_FIELD_TABLE}


class TransitionSerializer(serializers.Serializer):
    to = serializers.ChoiceField(IncidentStatus.choices)
    at = BoundedDateTimeField(required=False)
    note = serializers.CharField(required=False, allow_blank=True, max_length=300)


class RowProblemSerializer(serializers.Serializer):
    row = serializers.IntegerField(required=False)
    field = serializers.CharField()
    message = serializers.CharField()
    value = serializers.CharField(required=False, help_text="the row's value in that field")


class IngestReportSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    rejected = serializers.IntegerField()
    errors = RowProblemSerializer(many=True)


class DeviceEventInputSerializer(serializers.Serializer):
    device_id = serializers.CharField(max_length=64)
    event_id = serializers.CharField(max_length=128)
    event_type = serializers.SlugField()
    occurred_at = BoundedDateTimeField()
    lon = serializers.FloatField(required=False, allow_null=True, min_value=-180, max_value=180)
    lat = serializers.FloatField(required=False, allow_null=True, min_value=-90, max_value=90)
    crs = serializers.ChoiceField(
        Crs.choices, default=Crs.WGS84, help_text="the system lon and lat are in; stored as WGS84"
    )
    confidence = serializers.FloatField(required=False, allow_null=True, min_value=0, max_value=1)
    media_url = serializers.URLField(required=False, allow_blank=True, max_length=500)
    payload = StorableJSONField(required=False)

    def validate(self, attrs):
        if (attrs.get("lon") is None) != (attrs.get("lat") is None):
            raise serializers.ValidationError("lon and lat go together")
        system = attrs.pop("crs", Crs.WGS84)
        if attrs.get("lon") is not None:
            attrs["lon"], attrs["lat"] = to_wgs84(attrs["lon"], attrs["lat"], system)
        return attrs


class DeviceEventSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    device_id = serializers.CharField()
    event_id = serializers.CharField()
    event_type = serializers.CharField(source="event_type.code")
    occurred_at = serializers.DateTimeField()
    incident = serializers.UUIDField(source="incident.public_id", default=None)
    created = serializers.BooleanField()


class IncidentPointsSerializer(FeatureCollectionSerializer):
    """Points of the filtered incidents, newest first, at most ``cap`` of them."""

    cap = serializers.IntegerField()
    truncated = serializers.BooleanField()


class IncidentHexesSerializer(FeatureCollectionSerializer):
    """h3 hexagons with their incident counts, densest first."""

    resolution = serializers.IntegerField()
