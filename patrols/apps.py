from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PatrolsConfig(AppConfig):
    name = "patrols"
    verbose_name = _("巡逻防控")

    def ready(self):
        from django.db.models import signals

        from areas.signals import area_moved

        from .compliance import standard_changed
        from .models import ResponseStandard

        area_moved.connect(_units_follow_their_zone, dispatch_uid="patrols-area-moved")
        for signal in (signals.post_save, signals.post_delete):
            signal.connect(standard_changed, sender=ResponseStandard, dispatch_uid="standard")


def _units_follow_their_zone(old_path: str, new_path: str, **kwargs) -> None:
    from areas.signals import repath

    from .models import PatrolUnit

    repath(PatrolUnit.objects.all(), "home_path", old_path, new_path)
