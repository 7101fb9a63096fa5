from django.utils.translation import gettext_lazy as _

from areas.choices import AreaKind
from areas.models import Area

PATROL_KINDS = (AreaKind.PATROL_ZONE, AreaKind.BEAT)


class PatrolZone(Area):
    """A patrol zone (防区) or beat (巡区): the lowest levels of the area tree, run by patrols."""

    class Meta:
        proxy = True
        verbose_name = _("防区/巡区")
        verbose_name_plural = _("防区/巡区")
