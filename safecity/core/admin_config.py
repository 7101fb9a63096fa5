from importlib import import_module

from django.apps import apps
from django.contrib.admin import AdminSite
from django.contrib.admin.apps import SimpleAdminConfig
from django.utils.module_loading import module_has_submodule

# django-leaflet's admin module imports GeoDjango, which needs GDAL; we use its Leaflet assets
# and template tags but draw geometry with a widget of our own, so its admin is never loaded.
SKIPPED_ADMIN_MODULES = {"leaflet"}


class SafeCityAdminSite(AdminSite):
    """The admin is the administrators' tool: it edits every district's records with no
    jurisdiction, so a staff flag on another role opens none of it."""

    def has_permission(self, request):
        from accounts.backends import is_administrator

        return super().has_permission(request) and is_administrator(request.user)


class SafeCityAdminConfig(SimpleAdminConfig):
    """Django's admin, autodiscovering every app's admin module except those that need GDAL."""

    default_site = "safecity.core.admin_config.SafeCityAdminSite"

    def ready(self):
        super().ready()
        for app_config in apps.get_app_configs():
            if app_config.name in SKIPPED_ADMIN_MODULES:
                continue
            if module_has_submodule(app_config.module, "admin"):
                import_module(f"{app_config.name}.admin")
