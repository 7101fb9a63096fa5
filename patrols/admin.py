import json
from datetime import timedelta

from django.conf import settings
from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from areas.admin import AreaAdmin

from .models import PATROL_KINDS, PatrolUnit, PatrolZone, ResponseStandard, Roster


@admin.register(PatrolZone)
class PatrolZoneAdmin(AreaAdmin):
    def get_queryset(self, request):
        return super().get_queryset(request).filter(kind__in=PATROL_KINDS)


@admin.register(PatrolUnit)
class PatrolUnitAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind", "home_zone", "status", "last_seen_at")
    list_filter = ("kind", "status")
    search_fields = ("code", "name", "vehicle")
    raw_id_fields = ("home_zone",)
    readonly_fields = ("track_map", "last_lon", "last_lat", "last_seen_at")

    class Media:
        css = {"all": ("leaflet/leaflet.css", "css/map.css")}
        js = ("leaflet/leaflet.js", "js/crs.js", "js/point-map.js")

    @admin.display(description=_("轨迹 (最近24小时)"))
    def track_map(self, unit):
        """The home zone's outline, the last day's track and the last position."""
        if unit.pk is None:
            return "-"
        since = (unit.last_seen_at or unit.home_zone.updated_at) - timedelta(days=1)
        latest = unit.positions.filter(at__gte=since).order_by("-at").values_list("lat", "lon")
        track = [[lat, lon] for lat, lon in list(latest[:5000])[::-1]]
        return format_html(
            '<div class="point-map" data-point-map data-lon="{}" data-lat="{}" data-track="{}" '
            'data-boundary="{}" data-tiles-url="{}" data-tiles-attribution="{}" '
            'data-tiles-crs="{}"></div>',
            unit.last_lon if unit.last_lat is not None else "",
            unit.last_lat if unit.last_lat is not None else "",
            json.dumps(track),
            json.dumps(unit.home_zone.geometry),
            settings.MAP_TILES_URL,
            settings.MAP_TILES_ATTRIBUTION,
            settings.MAP_TILES_CRS,
        )


@admin.register(Roster)
class RosterAdmin(admin.ModelAdmin):
    list_display = ("unit", "zone", "starts_at", "ends_at")
    raw_id_fields = ("unit", "zone")


@admin.register(ResponseStandard)
class ResponseStandardAdmin(admin.ModelAdmin):
    list_display = ("area", "dispatch_seconds", "arrive_seconds")
    raw_id_fields = ("area",)
