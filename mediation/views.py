"""The mediation page: disputes screened in the selection, with their rates, funnel, overdue
follow-ups and latest cases."""

from urllib.parse import urlencode

from django.utils.translation import gettext_lazy as _

from safecity.core.pages.base import ShellPage
from safecity.core.pages.registry import page
from safecity.core.pages.selection import Selection

from .dashboard import (
    MEDIATION_STRINGS,
    mediation_figures,
    overdue_follow_ups,
    overdue_rows,
    recent_cases,
)


@page(
    key="mediation", url_name="dash-mediation", label=_("矛盾纠纷"), resource="mediation", order=60
)
class MediationPage(ShellPage):
    """Disputes screened in the selection: headline figures with 同比/环比, rates and the funnel
    on the server; the funnel chart, types and areas from the mediation stats API after; the
    overdue follow-ups and the latest cases (parties masked as the API masks them)."""

    template_name = "mediation/mediation.html"
    api_routes = ("mediation-stats",)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user, selection = self.request.user, context["selection"]
        filters = selection.list_filters()
        overdue = overdue_follow_ups(user, filters)
        context.update(
            figures=mediation_figures(selection),
            cases=recent_cases(user, filters),
            case_export_query=urlencode({**filters, "format": "csv"}),
            overdue_count=overdue.count(),
            overdue=overdue_rows(overdue),
        )
        return context

    def page_config(self, selection: Selection) -> dict:
        return {"strings": MEDIATION_STRINGS}
