from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """What a user does; with the home area it decides what they may see and change."""

    ADMINISTRATOR = "administrator", _("系统管理员")
    CITY_ANALYST = "city_analyst", _("市局分析员")
    DISTRICT_COMMANDER = "district_commander", _("分局指挥员")
    STATION_OFFICER = "station_officer", _("派出所民警")
    VIEWER = "viewer", _("只读用户")
    API_CLIENT = "api_client", _("接口客户端")


# Roles whose jurisdiction is the whole city, whatever their home area.
CITY_WIDE_ROLES = frozenset({Role.ADMINISTRATOR, Role.CITY_ANALYST})
