from django.contrib import admin

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
    readonly_fields = ("last_lon", "last_lat", "last_seen_at")


@admin.register(Roster)
class RosterAdmin(admin.ModelAdmin):
    list_display = ("unit", "zone", "starts_at", "ends_at")
    raw_id_fields = ("unit", "zone")


@admin.register(ResponseStandard)
class ResponseStandardAdmin(admin.ModelAdmin):
    list_display = ("area", "dispatch_seconds", "arrive_seconds")
    raw_id_fields = ("area",)
