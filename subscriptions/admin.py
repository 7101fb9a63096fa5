from django.contrib import admin

from .models import InboxItem, SavedView, Subscription


@admin.register(SavedView)
class SavedViewAdmin(admin.ModelAdmin):
    list_display = ["name", "owner", "path", "area", "shared", "created_at"]
    list_filter = ["shared"]
    raw_id_fields = ["owner", "area"]


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    list_display = ["user", "topic", "report_kind", "area", "alert_rule", "alert_kind", "email"]
    list_filter = ["topic", "report_kind"]
    raw_id_fields = ["user", "area", "alert_rule"]


@admin.register(InboxItem)
class InboxItemAdmin(admin.ModelAdmin):
    list_display = ["title", "user", "topic", "created_at", "read_at", "email_state"]
    list_filter = ["topic", "email_state"]
    raw_id_fields = ["user", "subscription", "area"]
