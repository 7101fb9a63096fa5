from django.contrib import admin

from .models import (
    Campaign,
    ClusterBattle,
    KpiItem,
    KpiReport,
    RemediationArea,
    RemediationInspection,
    SubOperation,
    Sweep,
)


class SubOperationInline(admin.TabularInline):
    model = SubOperation
    extra = 0
    raw_id_fields = ("lead_unit",)


class ClusterBattleInline(admin.TabularInline):
    model = ClusterBattle
    extra = 0
    raw_id_fields = ("category", "lead_unit")


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "kind", "starts_on", "ends_on", "status", "organizer")
    list_filter = ("status", "kind")
    search_fields = ("name", "code")
    filter_horizontal = ("scope_areas",)
    raw_id_fields = ("organizer",)
    inlines = [SubOperationInline, ClusterBattleInline]


class KpiReportInline(admin.TabularInline):
    model = KpiReport
    extra = 0
    raw_id_fields = ("reporter",)


@admin.register(KpiItem)
class KpiItemAdmin(admin.ModelAdmin):
    list_display = ("label", "campaign", "unit", "target", "current", "status", "deadline")
    list_filter = ("status", "metric", "campaign")
    raw_id_fields = ("unit", "category")
    readonly_fields = ("current", "percent_of_target", "status", "evaluated_at")
    inlines = [KpiReportInline]


@admin.register(Sweep)
class SweepAdmin(admin.ModelAdmin):
    list_display = ("campaign", "held_on", "officers", "checkpoints", "venues_checked")
    list_filter = ("campaign",)
    filter_horizontal = ("areas",)


class InspectionInline(admin.TabularInline):
    model = RemediationInspection
    extra = 0
    raw_id_fields = ("inspector",)


@admin.register(RemediationArea)
class RemediationAreaAdmin(admin.ModelAdmin):
    list_display = ("name", "campaign", "unit", "responsible_person", "due_on", "status")
    list_filter = ("status", "campaign")
    raw_id_fields = ("unit",)
    inlines = [InspectionInline]
