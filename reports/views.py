"""The reports pages: the list of stored briefings with the form that asks for one, a
briefing's page, its print-ready document and its files."""

from django.http import Http404, HttpResponse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from safecity.core.pages.base import ShellPage
from safecity.core.pages.forms import ShellFormPage
from safecity.core.pages.registry import page

from . import selectors
from .api.views import file_response
from .forms import GenerateForm
from .render.document import briefing_html
from .tasks import queue_report

LISTED = 100


@page(key="reports", url_name="reports-list", label=_("警情通报"), resource="stats", order=35)
class ReportListPage(ShellFormPage):
    """Stored briefings of the user's areas, newest first, and a form to make one."""

    template_name = "reports/report_list.html"
    uses_selection = False
    uses_window = False
    forms = {"generate": GenerateForm}

    def form_kwargs(self, name: str) -> dict:
        # The user's own area first: the briefing most ask for.
        home = getattr(self.request.user, "home_area_id", None)
        return {"user": self.request.user, "initial": {"area": home} if home else {}}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["reports"] = selectors.reports_for_user(self.request.user)[:LISTED]
        return context

    def submit_generate(self, data: dict) -> None:
        campaign = data.get("campaign")
        queue_report(
            kind=data["kind"],
            area_id=data["area"].id,
            user_id=self.request.user.id,
            start=data["start"].isoformat() if data.get("start") else None,
            end=data["end"].isoformat() if data.get("end") else None,
            campaign_id=campaign.id if campaign and data["kind"] == "campaign" else None,
        )

    def success_message(self, name: str, result) -> str:
        return gettext("已提交生成，完成后出现在列表中。")


class ReportPage(ShellPage):
    """One briefing: its sections as printed, with its files."""

    nav_key = "reports"
    template_name = "reports/report_detail.html"
    uses_selection = False
    uses_window = False

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        report = selectors.report_for_user(self.request.user, kwargs["pk"])
        if report is None:
            raise Http404
        context["report"] = report
        return context


class ReportDocument(ShellPage):
    """The print-ready page of a briefing: the document the PDF is laid out from."""

    nav_key = "reports"

    def get(self, request, pk: int):
        report = selectors.report_for_user(request.user, pk)
        if report is None:
            raise Http404
        return HttpResponse(briefing_html(report.content))


class ReportFilePage(ShellPage):
    nav_key = "reports"

    def get(self, request, pk: int, fmt: str):
        report = selectors.report_for_user(request.user, pk)
        if report is None:
            raise Http404
        return file_response(report, fmt)
