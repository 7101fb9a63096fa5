from django.db import models
from django.utils.translation import gettext_lazy as _


class UnitKind(models.TextChoices):
    PATROL_CAR = "patrol_car", _("巡逻车")
    PTU = "ptu", _("巡控单元")
    RAPID_RESPONSE = "rapid_response", _("快反突击队")
    MOTORBIKE = "motorbike", _("铁骑")
    FOOT = "foot", _("步巡")


class UnitStatus(models.TextChoices):
    ON_PATROL = "on_patrol", _("巡逻中")
    RESPONDING = "responding", _("处警中")
    OFF_DUTY = "off_duty", _("休息")
