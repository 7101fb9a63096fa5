from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CampaignsConfig(AppConfig):
    name = "campaigns"
    verbose_name = _("专项行动")

    def ready(self):
        from stats.signals import rollups_updated

        from .tasks import evaluate_kpis

        rollups_updated.connect(
            lambda **kwargs: evaluate_kpis.delay(), weak=False, dispatch_uid="campaigns-kpis"
        )
