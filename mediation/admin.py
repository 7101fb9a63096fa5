from django.contrib import admin

from .models import CaseStatusChange, DisputeCase, DisputeType, FollowUp


class StatusChangeInline(admin.TabularInline):
    model = CaseStatusChange
    extra = 0
    readonly_fields = ("from_status", "to_status", "at", "note", "by")
    can_delete = False


class FollowUpInline(admin.TabularInline):
    model = FollowUp
    extra = 0
    fields = ("due_at", "note", "done_at", "outcome")


@admin.register(DisputeCase)
class DisputeCaseAdmin(admin.ModelAdmin):
    list_display = ("screened_at", "type", "status", "risk", "source", "area", "transferred_to")
    list_filter = ("status", "type", "risk", "source", "transferred_to")
    search_fields = ("summary", "address")
    date_hierarchy = "screened_at"
    list_select_related = ("type", "area")
    raw_id_fields = ("area", "incident", "escalated_incident")
    readonly_fields = ("public_id", "created_by", "created_at", "updated_at")
    inlines = [StatusChangeInline, FollowUpInline]

    def get_queryset(self, request):
        return super().get_queryset(request).for_user(request.user)

    def get_exclude(self, request, obj=None):
        # Parties are personal data: shown and edited only with the permission.
        if request.user.has_perm("mediation.view_personal_data"):
            return ()
        return ("parties",)


@admin.register(DisputeType)
class DisputeTypeAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "name_en", "sort_order")


@admin.register(FollowUp)
class FollowUpAdmin(admin.ModelAdmin):
    list_display = ("case", "due_at", "done_at")
    list_filter = ("done_at",)
    raw_id_fields = ("case",)
