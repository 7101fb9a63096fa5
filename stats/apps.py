from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StatsConfig(AppConfig):
    name = "stats"
    verbose_name = _("统计")

    def ready(self):
        from django.utils.module_loading import autodiscover_modules

        from .marks import watch
        from .registry import sources

        # Each domain declares its metric source in its own metrics.py.
        autodiscover_modules("metrics")
        for source in sources():
            watch(source)
