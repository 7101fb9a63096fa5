"""The subscriptions app: saved views, subscriptions to reports and alerts, and the inbox.

At start it listens to the two announcements its deliveries follow: ``reports.signals.
report_published`` and ``alerts.signals.alert_raised`` (neither app knows of this one)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SubscriptionsConfig(AppConfig):
    name = "subscriptions"
    verbose_name = _("订阅")

    def ready(self):
        from alerts.signals import alert_raised
        from reports.signals import report_published

        from . import receivers

        report_published.connect(receivers.report_published, dispatch_uid="subscriptions-report")
        alert_raised.connect(receivers.alert_raised, dispatch_uid="subscriptions-alert")
