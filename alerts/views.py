"""The alerts page: the latest alerts in scope, then live over the socket."""

from django.utils.translation import gettext_lazy as _

from safecity.core.pages.base import ShellPage
from safecity.core.pages.registry import page
from safecity.core.pages.selection import Selection

from .choices import AlertState, Severity
from .dashboard import ALERT_STRINGS, alert_list


@page(key="alerts", url_name="dash-alerts", label=_("告警"), resource="alerts", order=70)
class AlertsPage(ShellPage):
    """The latest alerts in scope, filtered by state and severity, then live over the socket;
    each open alert can be acknowledged or resolved in place."""

    template_name = "alerts/alerts.html"
    uses_window = False

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            alert_list=alert_list(self.request.user, context["selection"], self.request.GET),
            state_choices=AlertState.choices,
            severity_choices=Severity.choices,
        )
        return context

    def page_config(self, selection: Selection) -> dict:
        return {"strings": ALERT_STRINGS}
