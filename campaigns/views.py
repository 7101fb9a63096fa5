"""The campaign pages: the campaigns covering the chosen area, and one campaign's detail, where
units report progress, record inspections and correct their sweeps' tallies."""

from functools import cached_property

from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from safecity.core.pages.base import ShellPage
from safecity.core.pages.forms import ShellFormPage
from safecity.core.pages.registry import page
from safecity.core.pages.selection import Selection
from stats.templatetags.comparisons import gap_strings

from . import services
from .choices import CampaignStatus
from .dashboard import CAMPAIGN_STRINGS, campaign_detail, campaign_labels, campaign_rows
from .entry import CampaignEntry, campaign_entry
from .forms import InspectionForm, KpiReportForm, SweepForm
from .models import SWEEP_TALLIES, Sweep
from .selectors import campaigns_for_user
from .services import CampaignClosed

# The forms whose services refuse a closed campaign.
CLOSED_REFUSES = ("report", "inspection")


@page(
    key="campaigns",
    url_name="dash-campaigns",
    label=gettext_lazy("专项行动"),
    resource="campaigns",
    order=40,
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


class CampaignPage(ShellFormPage):
    """One campaign: its KPI items by responsible unit, battles and operations on the server;
    results, sweeps and remediation areas from the campaigns API after. Units report progress
    on their counter items, record inspections of their remediation areas and correct their
    sweeps' tallies here, through the services the API calls."""

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
    forms = {"report": KpiReportForm, "inspection": InspectionForm, "sweep": SweepForm}
    permissions = {
        "report": "campaigns.add_kpireport",
        "inspection": "campaigns.add_remediationinspection",
        "sweep": "campaigns.change_sweep",
    }
    refusals = (*ShellFormPage.refusals, CampaignClosed)

    @cached_property
    def campaign(self):
        # Out of the user's scope reads as 404, as in the API.
        return get_object_or_404(campaigns_for_user(self.request.user), pk=self.kwargs["pk"])

    @cached_property
    def entry(self) -> CampaignEntry:
        return campaign_entry(self.request.user, self.campaign)

    def offers(self, name: str) -> bool:
        # A closed campaign takes no reports or inspections (the services refuse them): none
        # is offered, though a post from a page opened before is answered with the refusal.
        return self.campaign.status != CampaignStatus.CLOSED or name not in CLOSED_REFUSES

    def form_kwargs(self, name: str) -> dict:
        kwargs = super().form_kwargs(name)
        if name == "report":
            kwargs["offered"] = [(item.pk, item.choice_label) for item in self.entry.items]
        elif name == "inspection":
            kwargs["offered"] = [(area.pk, area.choice_label) for area in self.entry.areas]
        return kwargs

    def initial(self, name: str) -> dict:
        chosen = self.request.GET.get(
            {"report": "item", "inspection": "remediation"}.get(name, name), ""
        )
        if not chosen.isdigit():
            return {}
        if name == "sweep":
            sweep = self.entry.sweeps.get(int(chosen))
            if sweep is None:
                return {}
            return {"sweep": sweep.pk} | {name: getattr(sweep, name) for name in SWEEP_TALLIES}
        return {"item" if name == "report" else "area": int(chosen)}

    def get_context_data(self, **kwargs):
        self.detail = campaign_detail(self.request.user, self.campaign, timezone.localdate())
        context = super().get_context_data(**kwargs)
        reportable = (
            {item.pk for item in self.entry.items} if "report" in context["forms"] else set()
        )
        for group in self.detail.kpi_groups:
            for item in group.items:
                item.reportable = item.pk in reportable
        sweep_form = context["forms"].get("sweep")
        context.update(
            detail=self.detail,
            editable_sweeps=list(self.entry.sweeps.values()) if sweep_form else [],
            # The sweep form is shown for the sweep chosen (or posted), not empty.
            sweep_chosen=bool(sweep_form and (sweep_form.is_bound or sweep_form.initial)),
        )
        return context

    def submit_report(self, data: dict):
        item = get_object_or_404(self.entry.items_queryset, pk=data["item"])
        return services.kpi_report_create(
            item=item,
            value=data["value"],
            reported_on=data["reported_on"],
            note=data["note"],
            reporter=self.request.user,
        )

    def submit_inspection(self, data: dict):
        area = get_object_or_404(self.entry.areas_queryset, pk=data["area"])
        return services.inspection_create(
            area=area,
            inspector=self.request.user,
            inspected_on=data["inspected_on"],
            findings=data["findings"],
        )

    def submit_sweep(self, data: dict):
        sweep = get_object_or_404(self.entry.sweeps_queryset, pk=data["sweep"])
        return services.campaign_part_save(
            user=self.request.user,
            model=Sweep,
            fields={name: data[name] for name in SWEEP_TALLIES},
            part=sweep,
        )

    def success_message(self, name: str, result) -> str:
        return {
            "report": _("已上报进度。"),
            "inspection": _("已记录检查。"),
            "sweep": _("已更新清查数据。"),
        }[name]

    def success_url(self, name: str, result) -> str:
        return f"{self.request.path}#{name}"

    def page_config(self, selection: Selection) -> dict:
        return {
            "campaign": self.campaign.pk,
            "scope_areas": [area.pk for area in self.detail.scope_areas],
            "categories": {c.code: c.display_name for c in self.detail.focus_categories},
            "labels": campaign_labels(),
            "strings": CAMPAIGN_STRINGS | gap_strings(),
        }
