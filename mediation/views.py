"""The mediation pages: disputes screened in the selection, with their rates, funnel, overdue
follow-ups and latest cases; a dispute case opened (by hand, or from an incident: the 调解
action); one case's page, where it moves along its lifecycle and its follow-ups are recorded
and completed — all written through the services the API calls."""

from functools import cached_property
from urllib.parse import urlencode

from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.policy import allows
from safecity.core.pages.actions import object_action
from safecity.core.pages.base import ShellPage
from safecity.core.pages.forms import Refusal, ShellFormPage
from safecity.core.pages.registry import page
from safecity.core.pages.selection import Selection

from . import services
from .choices import ALLOWED_TRANSITIONS, CATEGORY_TO_TYPE, CaseSource
from .dashboard import (
    MEDIATION_STRINGS,
    local_name,
    mediation_figures,
    overdue_follow_ups,
    overdue_rows,
    recent_cases,
)
from .forms import (
    CaseForm,
    CompleteFollowUpForm,
    FollowUpForm,
    TransitionForm,
    case_fields,
    case_refusals,
)
from .models import DisputeType
from .selectors import cases_for_user, incident_in_scope


@page(
    key="mediation",
    url_name="dash-mediation",
    label=gettext_lazy("矛盾纠纷"),
    resource="mediation",
    order=60,
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
            may_open_case=allows(user, "mediation.add_disputecase"),
        )
        return context

    def page_config(self, selection: Selection) -> dict:
        return {"strings": MEDIATION_STRINGS}


# The incident page offers to open a dispute case from the incident.
object_action(
    subject="incident",
    label=gettext_lazy("调解"),
    url_name="dash-dispute-case-new",
    permission="mediation.add_disputecase",
    parameter="incident",
)


class CaseNewPage(ShellFormPage):
    """Open a dispute case: by hand, or from an incident (``?incident=<id>`` prefills it)."""

    template_name = "mediation/case_new.html"
    nav_key = "mediation"
    uses_window = False
    uses_selection = False
    forms = {"case": CaseForm}
    permissions = {"case": "mediation.add_disputecase"}
    required_permission = "mediation.add_disputecase"

    def form_kwargs(self, name: str) -> dict:
        return {**super().form_kwargs(name), "user": self.request.user}

    @cached_property
    def incident(self):
        """The incident named in the address, if it is one of the user's."""
        reference = self.request.GET.get("incident", "").strip()
        return incident_in_scope(self.request.user, reference) if reference else None

    def initial(self, name: str) -> dict:
        incident = self.incident
        if incident is None:
            return {"incident": self.request.GET.get("incident", "")}
        code = CATEGORY_TO_TYPE.get(incident.category.code, "other")
        return {
            "incident": incident.public_id,
            "type": DisputeType.objects.filter(code=code).first(),
            "summary": incident.summary,
            "source": CaseSource.CALL_110,
            "address": incident.address,
        }

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["incident"] = self.incident
        return context

    def submit_case(self, data: dict):
        user = self.request.user
        with case_refusals():
            if data["incident"]:
                incident = incident_in_scope(user, data["incident"])
                if incident is None:
                    raise Refusal([("incident", _("你的辖区内没有该警情。"))])
                return services.case_from_incident(
                    incident=incident, user=user, **case_fields(data)
                )
            return services.case_create(
                user=user,
                area=data["area"],
                lon=data["lon"],
                lat=data["lat"],
                address=data["address"],
                **case_fields(data),
            )

    def success_message(self, name: str, result) -> str:
        return _("已登记矛盾纠纷。")

    def success_url(self, name: str, result) -> str:
        return reverse("dash-dispute-case", args=[result.public_id])


class CasePage(ShellFormPage):
    """One dispute case: its facts, parties (masked as the API masks them), timeline and
    follow-ups; the steps its status allows, follow-ups recorded and completed."""

    template_name = "mediation/case_detail.html"
    nav_key = "mediation"
    uses_window = False
    uses_selection = False
    forms = {
        "transition": TransitionForm,
        "follow_up": FollowUpForm,
        "complete": CompleteFollowUpForm,
    }
    permissions = {
        "transition": "mediation.change_disputecase",
        "follow_up": "mediation.add_followup",
        "complete": "mediation.change_followup",
    }

    @cached_property
    def case(self):
        # Out of the user's jurisdiction reads as 404, as in the API.
        return get_object_or_404(
            cases_for_user(self.request.user), public_id=self.kwargs["public_id"]
        )

    def permission_area(self) -> str:
        return self.case.area_path

    def offers(self, name: str) -> bool:
        # A final status has no next step; a post from a page opened before still reaches the
        # service, which says why not.
        return name != "transition" or bool(ALLOWED_TRANSITIONS[self.case.status])

    def form_kwargs(self, name: str) -> dict:
        kwargs = super().form_kwargs(name)
        if name == "transition":
            kwargs["status"] = self.case.status
        return kwargs

    def build_form(self, name: str, data=None, files=None):
        form = super().build_form(name, data, files)
        if name == "complete" and data is not None:
            # One completion form per open follow-up: each with ids of its own.
            form.auto_id = f"id_complete_{data.get('complete-follow_up', '')}_%s"
        return form

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        case, user = self.case, self.request.user
        services.personal_data_disclosed(user=user, cases=[case], request=self.request)
        case.visible_parties = services.parties_for(user, case.parties)
        case.type_name = local_name(case.type)
        follow_ups = list(case.follow_ups.order_by("due_at", "pk"))
        bound = kwargs.get("bound_forms", {}).get("complete")
        complete_forms = {}
        if "complete" in context["forms"]:
            for follow_up in follow_ups:
                if bound is not None and bound.data.get("complete-follow_up") == str(follow_up.pk):
                    # Shown with its errors, even when someone completed it meanwhile.
                    complete_forms[follow_up.pk] = bound
                elif follow_up.done_at is None:
                    complete_forms[follow_up.pk] = CompleteFollowUpForm(
                        prefix="complete",
                        initial={"follow_up": follow_up.pk},
                        auto_id=f"id_complete_{follow_up.pk}_%s",
                    )
        for follow_up in follow_ups:
            follow_up.complete_form = complete_forms.get(follow_up.pk)
        context.update(
            case=case,
            timeline=list(case.changes.select_related("by").order_by("at", "pk")),
            follow_ups=follow_ups,
            case_is_final=not ALLOWED_TRANSITIONS[case.status],
        )
        return context

    def submit_transition(self, data: dict):
        with case_refusals():
            return services.case_transition(
                case=self.case,
                to_status=data["to"],
                user=self.request.user,
                at=data["at"],
                note=data["note"],
                agency=data["agency"],
            )

    def submit_follow_up(self, data: dict):
        with case_refusals():
            return services.followup_create(
                case=self.case, due_at=data["due_at"], note=data["note"], user=self.request.user
            )

    def submit_complete(self, data: dict):
        follow_up = get_object_or_404(self.case.follow_ups, pk=data["follow_up"])
        try:
            return services.followup_complete(
                follow_up=follow_up, outcome=data["outcome"], user=self.request.user
            )
        except services.CaseError as exc:
            # The follow-up is the form's hidden field: its refusal is the form's.
            raise Refusal([(None, str(exc.message))]) from exc

    def success_message(self, name: str, result) -> str:
        return {
            "transition": _("案件状态已更新。"),
            "follow_up": _("已添加回访。"),
            "complete": _("回访已完成。"),
        }[name]
