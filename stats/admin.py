from django.contrib import admin

from .models import CompstatReport, CompstatSnapshot, DirtyDay


@admin.register(CompstatReport)
class CompstatReportAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "name_en")


@admin.register(CompstatSnapshot)
class CompstatSnapshotAdmin(admin.ModelAdmin):
    list_display = ("week_ending", "area_name", "report", "published_at")
    list_filter = ("report", "week_ending")

    # Published snapshots are a record: they can be read, never edited or removed.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(DirtyDay)
class DirtyDayAdmin(admin.ModelAdmin):
    list_display = ("source", "day", "area_key", "marked_at")
    list_filter = ("source",)
