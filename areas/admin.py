from django import forms
from django.contrib import admin, messages
from django.db import transaction

from .models import Area
from .signals import areas_changed
from .widgets import GeoJSONMapWidget


class AreaAdminForm(forms.ModelForm):
    class Meta:
        model = Area
        fields = ["kind", "code", "name", "name_en", "parent", "geometry", "properties"]
        widgets = {"geometry": GeoJSONMapWidget}


@admin.register(Area)
class AreaAdmin(admin.ModelAdmin):
    form = AreaAdminForm
    list_display = ("name", "name_en", "kind", "code", "parent", "updated_at")
    list_filter = ("kind",)
    search_fields = ("name", "name_en", "code")
    autocomplete_fields = ("parent",)
    readonly_fields = ("path", "depth", "geometry_derived")
    list_select_related = ("parent",)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        for note in obj.overlap_notes:
            messages.warning(request, f"{obj.name}: {note}")
        if "geometry" in form.changed_data or "parent" in form.changed_data:
            transaction.on_commit(lambda: areas_changed.send(sender=Area))
