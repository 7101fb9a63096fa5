from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MediationConfig(AppConfig):
    name = "mediation"
    verbose_name = _("矛盾纠纷")

    def ready(self):
        from .sources import register_mediation

        register_mediation()
