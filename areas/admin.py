from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext as _

from .forms import AreaImportForm
from .models import Area
from .services import AreaImportError, areas_import_file
from .signals import areas_changed
from .widgets import GeoJSONMapWidget


class AreaAdminForm(forms.ModelForm):
    class Meta:
        model = Area
        fields = [
            "kind",
            "code",
            "name",
            "name_en",
            "sort_order",
            "parent",
            "geometry",
            "properties",
        ]
        widgets = {"geometry": GeoJSONMapWidget}


@admin.register(Area)
class AreaAdmin(admin.ModelAdmin):
    form = AreaAdminForm
    list_display = ("name", "name_en", "kind", "code", "sort_order", "parent", "updated_at")
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

    def get_urls(self):
        urls = super().get_urls()
        if self.model is not Area:
            # A proxy's admin (patrol zones) lists part of the tree; the import is the tree's.
            return urls
        upload = path(
            "import/", self.admin_site.admin_view(self.import_view), name="areas_area_import"
        )
        return [upload, *urls]

    def import_view(self, request):
        """An area file uploaded and imported as import_areas imports it."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = AreaImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            try:
                result = areas_import_file(
                    content=form.cleaned_data["file"].read(), **form.import_options()
                )
            except AreaImportError as exc:
                for problem in exc.problems:
                    form.add_error(None, problem)
            else:
                first, *rest = result.summary()
                messages.success(request, f"{form.cleaned_data['file'].name}: {first}")
                for line in rest:
                    messages.info(request, line)
                for warning in result.warnings:
                    messages.warning(request, warning)
                return redirect("admin:areas_area_changelist")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("导入辖区"),
            "form": form,
            "media": self.media + form.media,
        }
        return TemplateResponse(request, "admin/areas/area/import.html", context)
