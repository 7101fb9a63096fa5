from importlib import import_module

from django.apps import apps
from django.contrib.admin.apps import SimpleAdminConfig
from django.utils.module_loading import module_has_submodule

# django-leaflet's admin module imports GeoDjango, which needs GDAL; we use its Leaflet assets
# and template tags but draw geometry with a widget of our own, so its admin is never loaded.
SKIPPED_ADMIN_MODULES = {"leaflet"}


class SafeCityAdminConfig(SimpleAdminConfig):
    """Django's admin, autodiscovering every app's admin module except those that need GDAL."""

    def ready(self):
        super().ready()
        for app_config in apps.get_app_configs():
            if app_config.name in SKIPPED_ADMIN_MODULES:
                continue
            if module_has_submodule(app_config.module, "admin"):
                import_module(f"{app_config.name}.admin")
