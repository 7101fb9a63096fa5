"""Query parameters of the statistics endpoints, validated with clear reasons."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from safecity.core.api.serializers import BoundedDateField, ModelSerializer

from ..coverage import Cutoff
from ..models import CompstatSnapshot
from ..registry import get_source
from ..subjects import DEFAULT_SOURCE
from ..windows import CALENDAR_WINDOWS, Window, default_period, last_complete_day, window_period

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
    date = BoundedDateField(
        required=False,
        help_text=_(
            "The window's last day (default: yesterday, the last complete day); for week, "
            "month, quarter and year a day in the period (default: the last complete one)"
        ),
    )
    to = BoundedDateField(required=False, help_text=_("custom window: last day"))
    partial = serializers.ChoiceField(
        choices=["today"],
        required=False,
        help_text=_(
            "today: end the window today, counting today so far, and compare it with the same "
            "hours of the last day of each period it is compared with"
        ),
    )
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
        window = attrs["window"]
        if window == Window.CUSTOM and start is None:
            raise serializers.ValidationError({"from": _("a custom window needs from and to")})
        now = timezone.localtime()
        end = attrs.get("to") if window == Window.CUSTOM else attrs.get("date")
        end = end or attrs.get("date")
        cutoff = Cutoff(now.date())
        if attrs.get("partial") == "today":
            if window in CALENDAR_WINDOWS:
                raise serializers.ValidationError(
                    {"partial": _("today so far needs a window that ends on its date")}
                )
            if end is not None and end != now.date():
                raise serializers.ValidationError(
                    {"partial": _("today so far needs the window to end today")}
                )
            end = now.date()
            cutoff = Cutoff(now.date(), now.time().replace(second=0, microsecond=0))
        attrs["cutoff"] = cutoff
        try:
            if end is None and window in CALENDAR_WINDOWS:
                attrs["period"] = default_period(window, last_complete_day(now.date()))
            else:
                attrs["period"] = window_period(window, end or last_complete_day(now.date()), start)
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


class MoversParams(StatsParams):
    against = serializers.ChoiceField(
        choices=["yoy", "pop"],
        default="yoy",
        help_text=_("Judge the change against the same period last year (yoy) or the one before"),
    )
    limit = serializers.IntegerField(
        default=5, min_value=1, max_value=50, help_text=_("At most this many rises and falls each")
    )

    def validate(self, attrs):
        attrs = super().validate(attrs)
        source = get_source(self.source_name)
        if len(attrs["measures"]) != 1 or source.measures[attrs["measures"][0]].kind != "count":
            counts = [name for name, m in source.measures.items() if m.kind == "count"]
            raise serializers.ValidationError(
                {"measure": f"one count measure (a z-score needs counts): {', '.join(counts)}"}
            )
        return attrs


class CompstatParams(StatsParams):
    window = serializers.HiddenField(default=Window.DAY)
    # CompStat tables stand on complete days (their rollups hold whole days).
    partial = serializers.HiddenField(default=None)
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
