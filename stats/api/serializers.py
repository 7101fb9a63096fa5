"""Query parameters of the statistics endpoints, validated with clear reasons."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from safecity.core.api.serializers import BoundedDateField, ModelSerializer

from ..models import CompstatSnapshot
from ..registry import get_source
from ..subjects import DEFAULT_SOURCE
from ..windows import Window, window_period

SOURCE = DEFAULT_SOURCE


class StatsParams(serializers.Serializer):
    # The metric source whose measures and categories the parameters name.
    source_name = SOURCE

    area = serializers.IntegerField(
        required=False, help_text=_("Area id: its whole subtree (default: your jurisdiction)")
    )
    category = serializers.CharField(
        required=False, help_text=_("Category code: its whole subtree (default: all)")
    )
    window = serializers.ChoiceField(choices=Window.choices, default=Window.YEAR_TO_DATE)
    date = BoundedDateField(required=False, help_text=_("The window's last day (default: today)"))
    to = BoundedDateField(required=False, help_text=_("custom window: last day"))
    measure = serializers.CharField(
        default="count",
        help_text=_("A measure, or several separated by commas (summary only)"),
    )

    def validate(self, attrs):
        # "from" is a Python keyword, so it is read from the raw data.
        raw_from = self.initial_data.get("from")
        start = None
        if raw_from:
            try:
                start = BoundedDateField().run_validation(raw_from)
            except serializers.ValidationError as exc:
                raise serializers.ValidationError({"from": exc.detail}) from None
        end = attrs.get("to") if attrs["window"] == Window.CUSTOM else attrs.get("date")
        end = end or attrs.get("date") or timezone.localdate()
        if attrs["window"] == Window.CUSTOM and start is None:
            raise serializers.ValidationError({"from": _("a custom window needs from and to")})
        try:
            attrs["period"] = window_period(attrs["window"], end, start)
        except ValueError as exc:
            raise serializers.ValidationError({"to": str(exc)}) from None
        source = get_source(self.source_name)
        measures = [name.strip() for name in attrs["measure"].split(",") if name.strip()]
        unknown = [name for name in measures if name not in source.measures]
        if unknown or not measures:
            raise serializers.ValidationError(
                {"measure": f"unknown measure(s) {unknown}; known: {', '.join(source.measures)}"}
            )
        attrs["measures"] = measures
        return attrs


class TimeseriesParams(StatsParams):
    interval = serializers.ChoiceField(choices=["day", "week", "month"], default="day")


class BreakdownParams(StatsParams):
    by = serializers.ChoiceField(choices=["area", "category", "hour_weekday"])


class CompstatParams(StatsParams):
    window = serializers.HiddenField(default=Window.DAY)
    report = serializers.CharField(default="default", help_text=_("Report definition code"))
    level = serializers.ChoiceField(
        choices=["district", "station"],
        required=False,
        help_text=_("One table per district or station inside the area, instead of one"),
    )


class SnapshotSerializer(ModelSerializer):
    report = serializers.CharField(source="report.code")

    class Meta:
        model = CompstatSnapshot
        fields = ["id", "report", "week_ending", "area_key", "area_name", "published_at"]


class SnapshotDetailSerializer(SnapshotSerializer):
    class Meta(SnapshotSerializer.Meta):
        fields = [*SnapshotSerializer.Meta.fields, "table"]
