"""The alerts page: the latest alerts in scope, then live over the socket; an open alert is
acknowledged in place, or with a note through the page's form (the same service as the API)."""

from functools import cached_property

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from safecity.core.pages.forms import Refusal, ShellFormPage
from safecity.core.pages.registry import page
from safecity.core.pages.selection import Selection

from . import services
from .choices import AlertState, Severity
from .dashboard import ALERT_STRINGS, alert_list, local_text
from .forms import AcknowledgeForm
from .selectors import alerts_for_user

# The open alerts offered for an acknowledgement with a note, the latest first.
ACKNOWLEDGE_CHOICES = 100


@page(key="alerts", url_name="dash-alerts", label=gettext_lazy("告警"), resource="alerts", order=70)
class AlertsPage(ShellFormPage):
    """The latest alerts in scope, filtered by state and severity, then live over the socket;
    each open alert can be acknowledged or resolved in place, or acknowledged with a note
    (``?acknowledge=<id>`` chooses it in the form)."""

    template_name = "alerts/alerts.html"
    uses_window = False
    forms = {"acknowledge": AcknowledgeForm}
    permissions = {"acknowledge": "alerts.change_alert"}

    @cached_property
    def open_alerts(self) -> list:
        alerts = alerts_for_user(self.request.user).filter(state=AlertState.OPEN).order_by("-id")
        alerts = list(alerts[:ACKNOWLEDGE_CHOICES])
        for alert in alerts:
            alert.local_title = local_text(alert.title, alert.title_en)
        return alerts

    def form_kwargs(self, name: str) -> dict:
        return {**super().form_kwargs(name), "alerts": self.open_alerts}

    def initial(self, name: str) -> dict:
        chosen = self.request.GET.get("acknowledge", "")
        return {"alert": int(chosen)} if chosen.isdigit() else {}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            alert_list=alert_list(self.request.user, context["selection"], self.request.GET),
            state_choices=AlertState.choices,
            severity_choices=Severity.choices,
        )
        return context

    def submit_acknowledge(self, data: dict):
        alert = get_object_or_404(alerts_for_user(self.request.user), pk=data["alert"])
        try:
            return services.alert_acknowledge(
                alert=alert, user=self.request.user, note=data["note"]
            )
        except services.AlertStateError as exc:
            raise Refusal([("alert", str(exc))]) from exc

    def success_message(self, name: str, result) -> str:
        return _("告警已确认。")

    def success_url(self, name: str, result) -> str:
        query = self.request.GET.copy()
        query.pop("acknowledge", None)
        path = self.request.path
        return f"{path}?{query.urlencode()}" if query else path

    def page_config(self, selection: Selection) -> dict:
        return {"strings": ALERT_STRINGS}
