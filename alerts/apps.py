"""The alerts app: at start, the domains' alert kinds are found (each domain's
alert_kinds.py) and checked against the rule kinds a rule may name."""

from django.apps import AppConfig
from django.core import checks
from django.utils.translation import gettext_lazy as _


class AlertsConfig(AppConfig):
    name = "alerts"
    verbose_name = _("告警")

    def ready(self):
        from django.utils.module_loading import autodiscover_modules

        # Each domain declares its alert kinds in its own alert_kinds.py.
        autodiscover_modules("alert_kinds")
        checks.register(every_rule_kind_has_a_handler)


def every_rule_kind_has_a_handler(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    from .choices import RuleKind
    from .kinds import registered

    handled = {kind.code for kind in registered()}
    return [
        checks.Error(f"alert rule kind {code!r} has no handler", id="alerts.E001")
        for code in RuleKind.values
        if code not in handled
    ] + [
        checks.Error(f"alert kind {code!r} is not a RuleKind choice", id="alerts.E002")
        for code in sorted(handled - set(RuleKind.values))
    ]
