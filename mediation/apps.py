from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MediationConfig(AppConfig):
    name = "mediation"
    verbose_name = _("矛盾纠纷")

    def ready(self):
        from areas.signals import area_moved

        area_moved.connect(_cases_follow_their_area, dispatch_uid="mediation-area-moved")


def _cases_follow_their_area(old_path: str, new_path: str, **kwargs) -> None:
    """Cases under a moved area keep its new path; their days' rollups are recomputed (the
    area's ancestors changed)."""
    from areas.signals import repath
    from stats.days import area_key_of, local_day
    from stats.marks import rollups_mark_dirty_for

    from .models import DisputeCase

    moved = DisputeCase.objects.filter(area_path__startswith=old_path)
    keys = {
        (local_day(at), area_key_of(path))
        for at, path in moved.values_list("screened_at", "area_path")
    }
    repath(DisputeCase.objects.all(), "area_path", old_path, new_path)
    rollups_mark_dirty_for(DisputeCase, keys)
