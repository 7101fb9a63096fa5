from django.apps import AppConfig, apps
from django.utils.translation import gettext_lazy as _

# The models whose writes are recorded generically, with the fields left out of their changes
# and those recorded without values. Incidents, rollups, dirty marks and position pings are
# not here: bulk or derived, their services record what matters explicitly.
TRACKED = {
    "accounts.User": {"exclude": ("last_login",), "redact": ("password",)},
    "areas.Area": {"redact": ("geometry",)},
    "incidents.Category": {},
    "incidents.DeviceEventType": {},
    "patrols.PatrolUnit": {"exclude": ("last_lon", "last_lat", "last_seen_at")},
    "patrols.Roster": {},
    "patrols.ResponseStandard": {},
    "mediation.DisputeType": {},
    "mediation.DisputeCase": {},
    "mediation.FollowUp": {},
    "alerts.AlertRule": {},
    "alerts.Alert": {},
    "stats.CompstatReport": {},
    "stats.CompstatSnapshot": {"redact": ("table",)},
    # Who shared which view, and who has the platform's briefings and alerts mailed out.
    "subscriptions.SavedView": {},
    "subscriptions.HomeView": {},
    "subscriptions.Subscription": {},
}
# Per-model options for the campaigns app, all of whose models are tracked.
CAMPAIGN_OPTIONS = {
    # Progress recomputed daily by Celery is derived; its status is not.
    "KpiItem": {"exclude": ("current", "percent_of_target", "evaluated_at")},
    "RemediationArea": {"redact": ("geometry",)},
}


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = _("审计")

    def ready(self):
        from . import registry, signals

        for label, options in TRACKED.items():
            registry.register(apps.get_model(label), **options)
        for model in apps.get_app_config("campaigns").get_models():
            registry.register(model, **CAMPAIGN_OPTIONS.get(model.__name__, {}))
        signals.connect()
