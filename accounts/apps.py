from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("用户与权限")

    def ready(self):
        from . import schema  # noqa: F401  (registers the token scheme with drf-spectacular)
