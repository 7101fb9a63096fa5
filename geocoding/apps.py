from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GeocodingConfig(AppConfig):
    name = "geocoding"
    verbose_name = _("标准地址")
