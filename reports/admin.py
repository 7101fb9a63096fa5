from django.contrib import admin

from .models import Report


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "area", "period_start", "period_end", "created_at"]
    list_filter = ["kind"]
    exclude = ["docx", "pdf"]

    def has_change_permission(self, request, obj=None) -> bool:
        # Published briefings are immutable.
        return False
