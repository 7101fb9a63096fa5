from django.contrib import admin

from safecity.core.admin import ReadOnlyModelAdmin

from .models import CompstatReport, CompstatSnapshot, DirtyDay


@admin.register(CompstatReport)
class CompstatReportAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "name_en")


@admin.register(CompstatSnapshot)
class CompstatSnapshotAdmin(ReadOnlyModelAdmin):
    """Published snapshots are a record: they can be read, never edited or removed."""

    list_display = ("week_ending", "area_name", "report", "published_at")
    list_filter = ("report", "week_ending")


@admin.register(DirtyDay)
class DirtyDayAdmin(admin.ModelAdmin):
    list_display = ("source", "day", "area_key", "marked_at")
    list_filter = ("source",)
