from django import forms
from django.contrib import admin

from .models import Area
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
