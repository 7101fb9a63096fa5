from django.contrib import admin

from .models import Alert, AlertRule


@admin.register(AlertRule)
class AlertRuleAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "area", "severity", "enabled", "cooldown_minutes")
    list_filter = ("kind", "severity", "enabled")
    raw_id_fields = ("area",)


@admin.register(Alert)
class AlertAdmin(admin.ModelAdmin):
    list_display = ("created_at", "title", "severity", "state", "area")
    list_filter = ("state", "severity", "kind")
    raw_id_fields = ("rule", "area", "incident", "device_event", "acknowledged_by", "resolved_by")
    readonly_fields = ("created_at",)
