"""The patrols API's serializers: units, positions, response standards (their rule is
ResponseStandard.clean(), run by ModelCleanMixin), and the compliance and coverage parameters."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.validators import UniqueValidator

from areas.api.serializers import ScopedAreaField
from safecity.core.api.serializers import BoundedDateTimeField, ModelCleanMixin, ModelSerializer
from safecity.core.crs import Crs
from stats.api.serializers import StatsParams

from ..models import PatrolUnit, Position, ResponseStandard


class PatrolUnitSerializer(ModelSerializer):
    home_zone = ScopedAreaField()

    class Meta:
        model = PatrolUnit
        fields = [
            "id", "code", "name", "kind", "home_zone", "strength", "vehicle", "status",
            "last_lon", "last_lat", "last_seen_at",
        ]  # fmt: skip
        read_only_fields = ["last_lon", "last_lat", "last_seen_at"]


class PositionSerializer(ModelSerializer):
    unit = serializers.CharField(source="unit.code")

    class Meta:
        model = Position
        fields = ["unit", "at", "lon", "lat", "speed_kmh", "heading"]


class PingSerializer(PositionSerializer):
    """A ping as a device reports it: a position, in any of the systems ``crs`` names."""

    crs = serializers.ChoiceField(
        Crs.choices, default=Crs.WGS84, help_text="the system lon and lat are in; stored as WGS84"
    )

    class Meta(PositionSerializer.Meta):
        fields = [*PositionSerializer.Meta.fields, "crs"]


class ResponseStandardSerializer(ModelCleanMixin, ModelSerializer):
    area = ScopedAreaField(
        validators=[
            UniqueValidator(ResponseStandard.objects.all(), "the area already has a standard")
        ]
    )

    class Meta:
        model = ResponseStandard
        fields = ["id", "area", "dispatch_seconds", "arrive_seconds"]


class ComplianceParams(StatsParams):
    category = serializers.HiddenField(default=None)
    measure = serializers.HiddenField(default="count")
    by = serializers.ChoiceField(
        choices=["children"],
        required=False,
        help_text=_("Also each child area of the area, one row each"),
    )


class CoverageParams(serializers.Serializer):
    area = serializers.IntegerField(
        required=False, help_text=_("Area id: its whole subtree (default: your jurisdiction)")
    )
    since = BoundedDateTimeField(required=False, help_text=_("Default: 24 hours ago"))
    until = BoundedDateTimeField(required=False, help_text=_("Default: now"))
    resolution = serializers.IntegerField(
        required=False, min_value=5, max_value=11, help_text=_("h3 resolution of the cells")
    )
    hotspots = serializers.ChoiceField(
        choices=["incidents", "forecast"],
        required=False,
        help_text=_(
            "Hotspot cells from the period's incidents or the latest forecast "
            "(default: the PATROL_COVERAGE_HOTSPOTS setting)"
        ),
    )

    def validate(self, attrs):
        until = attrs.get("until") or timezone.now()
        since = attrs.get("since") or until - timedelta(days=1)
        if since >= until:
            raise serializers.ValidationError({"since": _("must be before until")})
        limit = settings.PATROL_COVERAGE_MAX_DAYS
        if until - since > timedelta(days=limit):
            raise serializers.ValidationError(
                {"since": _("at most %(days)d days at a time") % {"days": limit}}
            )
        attrs["since"], attrs["until"] = since, until
        return attrs
