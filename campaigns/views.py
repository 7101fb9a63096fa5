"""The campaign pages: the campaigns covering the chosen area, and one campaign's detail."""

from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from safecity.core.pages.base import ShellPage
from safecity.core.pages.registry import page
from safecity.core.pages.selection import Selection

from .dashboard import CAMPAIGN_STRINGS, campaign_detail, campaign_labels, campaign_rows
from .selectors import campaigns_for_user


@page(
    key="campaigns", url_name="dash-campaigns", label=_("专项行动"), resource="campaigns", order=40
)
class CampaignsPage(ShellPage):
    """The campaigns covering the chosen area, with their time and KPI progress."""

    template_name = "campaigns/campaign_list.html"
    uses_window = False

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        area = context["selection"].area
        context["rows"] = campaign_rows(self.request.user, area, timezone.localdate())
        return context


class CampaignPage(ShellPage):
    """One campaign: its KPI items by responsible unit, battles and operations on the server;
    results, sweeps and remediation areas from the campaigns API after."""

    template_name = "campaigns/campaign_detail.html"
    nav_key = "campaigns"
    uses_window = False
    api_routes = (
        "campaign-summary",
        "campaign-sweep-list",
        "campaign-remediation-list",
        "campaign-remediation-inspections",
        "campaign-remediation-stats",
    )

    def get_context_data(self, **kwargs):
        # Out of the user's scope reads as 404, as in the API.
        self.campaign = get_object_or_404(
            campaigns_for_user(self.request.user), pk=self.kwargs["pk"]
        )
        self.detail = campaign_detail(self.request.user, self.campaign, timezone.localdate())
        context = super().get_context_data(**kwargs)
        context["detail"] = self.detail
        return context

    def page_config(self, selection: Selection) -> dict:
        return {
            "campaign": self.campaign.pk,
            "scope_areas": [area.pk for area in self.detail.scope_areas],
            "categories": {c.code: c.display_name for c in self.detail.focus_categories},
            "labels": campaign_labels(),
            "strings": CAMPAIGN_STRINGS,
        }
