from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PatrolsConfig(AppConfig):
    name = "patrols"
    verbose_name = _("巡逻防控")

    def ready(self):
        from django.db.models import signals

        from .compliance import register_responses, standard_changed
        from .models import ResponseStandard

        register_responses()
        for signal in (signals.post_save, signals.post_delete):
            signal.connect(standard_changed, sender=ResponseStandard, dispatch_uid="standard")
