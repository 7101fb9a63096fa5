from django.db import models
from django.utils.translation import gettext_lazy as _


class AreaKind(models.TextChoices):
    """Levels of police geography, from the whole city down to a patrol beat."""

    CITY = "city", _("市局")
    DISTRICT = "district", _("分局")
    STATION = "station", _("派出所")
    PATROL_ZONE = "patrol_zone", _("防区")
    BEAT = "beat", _("巡区")

    @classmethod
    def level(cls, kind: str) -> int:
        return [choice.value for choice in cls].index(kind)
