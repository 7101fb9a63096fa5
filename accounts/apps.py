from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("用户与权限")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in, user_logged_out

        from . import schema  # noqa: F401  (registers the token scheme with drf-spectacular)
        from .receivers import end_sockets_of_session, start_idle_clock

        user_logged_in.connect(start_idle_clock, dispatch_uid="accounts-idle-clock")
        user_logged_out.connect(end_sockets_of_session, dispatch_uid="accounts-end-sockets")
