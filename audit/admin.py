from django.contrib import admin

from safecity.core.admin import ReadOnlyModelAdmin

from .models import AuditArchive, AuditEvent
from .permissions import is_audit_reader


class ReadOnlyAdmin(ReadOnlyModelAdmin):
    """The trail is written by the platform and read by administrators; no one edits it."""

    def has_view_permission(self, request, obj=None):
        return is_audit_reader(request.user)


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ("at", "actor_username", "action", "object_type", "object_repr", "outcome", "ip")
    list_filter = ("action", "outcome", "object_type")
    search_fields = ("actor_username", "object_repr", "object_id", "detail", "path")
    date_hierarchy = "at"
    show_full_result_count = False


@admin.register(AuditArchive)
class AuditArchiveAdmin(ReadOnlyAdmin):
    list_display = ("created", "first_id", "last_id", "first_at", "last_at", "count", "path")
