from django.contrib import admin

from .models import ImportJob, ImportMapping, MappingVersion


class MappingVersionInline(admin.TabularInline):
    model = MappingVersion
    extra = 0
    fields = ("number", "author", "created_at", "spec")
    readonly_fields = fields
    can_delete = False


@admin.register(ImportMapping)
class ImportMappingAdmin(admin.ModelAdmin):
    list_display = ("name", "description", "created_at")
    search_fields = ("name", "description")
    inlines = [MappingVersionInline]


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    """Jobs are made and run by the API and the worker; the admin only shows them."""

    list_display = ("file_name", "user", "state", "created", "updated", "rejected", "created_at")
    list_filter = ("state", "dry_run", "atomic", "file_format")
    search_fields = ("file_name", "sha256", "source_system")
    list_select_related = ("user",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
