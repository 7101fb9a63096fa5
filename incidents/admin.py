from django.conf import settings
from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .models import Category, DeviceEvent, DeviceEventType, Incident, IncidentStatusChange


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("name", "name_en", "code", "parent", "is_alarm", "is_criminal", "is_active")
    list_filter = ("is_active", "is_alarm", "is_criminal", "is_non_police")
    search_fields = ("code", "name", "name_en")
    readonly_fields = ("path",)

    def has_delete_permission(self, request, obj=None):
        # Categories are retired (is_active off), never deleted: statistics keep their codes.
        return False


class StatusChangeInline(admin.TabularInline):
    model = IncidentStatusChange
    extra = 0
    readonly_fields = ("from_status", "to_status", "at", "by", "note")
    can_delete = False

    def has_add_permission(self, request, obj=None):
        # The history is written by transitions, never by hand.
        return False


@admin.register(Incident)
class IncidentAdmin(admin.ModelAdmin):
    list_display = ("reported_at", "category", "status", "priority", "district", "address")
    list_filter = ("status", "source", "priority", "category__parent", "district")
    search_fields = ("address", "summary", "source_ref")
    date_hierarchy = "reported_at"
    list_select_related = ("category", "district")
    raw_id_fields = ("category",)
    readonly_fields = (
        "public_id",
        "location_map",
        "area",
        "district",
        "station",
        "patrol_zone",
        "beat",
        "h3_r7",
        "h3_r9",
        "category_defaulted",
        "filed_area",
        "duplicate_of",
        "response_seconds",
        "created_at",
        "updated_at",
    )
    exclude = ("category_path", "area_path")
    inlines = [StatusChangeInline]

    class Media:
        css = {"all": ("leaflet/leaflet.css", "css/map.css")}
        js = ("leaflet/leaflet.js", "js/crs.js", "js/point-map.js")

    @admin.display(description=_("地图"))
    def location_map(self, incident):
        if incident.lat is None:
            return "-"
        return format_html(
            '<div class="point-map" data-point-map data-lon="{}" data-lat="{}" '
            'data-tiles-url="{}" data-tiles-attribution="{}" data-tiles-crs="{}"></div>',
            incident.lon,
            incident.lat,
            settings.MAP_TILES_URL,
            settings.MAP_TILES_ATTRIBUTION,
            settings.MAP_TILES_CRS,
        )


@admin.register(DeviceEventType)
class DeviceEventTypeAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "creates_incident", "category", "priority", "min_confidence")


@admin.register(DeviceEvent)
class DeviceEventAdmin(admin.ModelAdmin):
    list_display = ("occurred_at", "device_id", "event_type", "confidence", "incident")
    list_filter = ("event_type",)
    search_fields = ("device_id", "event_id")
    raw_id_fields = ("incident",)
