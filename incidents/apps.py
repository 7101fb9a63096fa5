from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IncidentsConfig(AppConfig):
    name = "incidents"
    verbose_name = _("警情与案件")

    def ready(self):
        from areas.signals import areas_changed

        from .tasks import reassign_areas

        areas_changed.connect(
            lambda **kwargs: reassign_areas.delay(), dispatch_uid="incidents-reassign", weak=False
        )
