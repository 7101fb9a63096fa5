from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AlertsConfig(AppConfig):
    name = "alerts"
    verbose_name = _("告警")

    def ready(self):
        from incidents.signals import device_event_received, incidents_created

        from . import services

        incidents_created.connect(
            lambda rows, **kwargs: services.alerts_for_new_incidents(rows=rows),
            weak=False,
            dispatch_uid="alerts-incidents-created",
        )
        device_event_received.connect(
            lambda event, **kwargs: services.alerts_for_device_event(event=event),
            weak=False,
            dispatch_uid="alerts-device-event",
        )
