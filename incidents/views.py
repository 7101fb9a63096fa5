"""The incident pages: the filtered list beside its map, recording an incident, and one
incident's detail with its lifecycle steps, transfer and facts for those who may change it."""

from functools import cached_property
from urllib.parse import urlencode

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse, QueryDict
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views import View

from accounts.backends import may_read
from accounts.policy import allows
from audit.services import audit_record
from patrols.models import PatrolUnit
from patrols.services import suggested_units
from safecity.core.pages.actions import actions_for
from safecity.core.pages.base import ShellPage
from safecity.core.pages.forms import Refusal, ShellFormPage
from safecity.core.pages.messages import shown_errors
from safecity.core.pages.registry import page
from safecity.core.pages.selection import Selection

from .choices import ALLOWED_TRANSITIONS, IncidentSource, IncidentStatus
from .forms import (
    STEP_LABELS,
    STEP_STATUS,
    DispatchForm,
    FactsForm,
    IncidentEntryForm,
    TransferForm,
    TransitionForm,
    dispatch_note,
    entry_row,
    facts_row,
    transition_refusal,
)
from .ingest.rows import RowError
from .models import Category, Incident
from .selectors import IncidentFilterError, incident_get, incident_list, places_matching
from .services import TransitionError, incident_create, incident_transition, incident_update

ADD, CHANGE = "incidents.add_incident", "incidents.change_incident"
# What the services refuse on a form: shown next to the field, in the page's language.
REFUSALS = (ValidationError, Refusal, RowError, PermissionDenied)
# The list's filters as its form names them, for their errors.
FILTER_LABELS = {
    "since": _("从"),
    "until": _("至"),
    "area": _("辖区"),
    "category": _("类别"),
    "status": _("状态"),
    "source": _("来源"),
    "q": _("地址或案情"),
}


@page(key="incidents", url_name="dash-incidents", label=_("警情"), resource="incidents", order=20)
class IncidentsPage(ShellPage):
    """The filtered incident list beside its map; the filters are the API's own FilterSet."""

    template_name = "incidents/incident_list.html"
    page_size = 50

    def filters(self, selection: Selection) -> dict:
        chosen = {
            name: self.request.GET.get(name, "").strip()
            for name in ("category", "status", "source", "q")
        }
        return selection.list_filters() | {k: v for k, v in chosen.items() if v}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        selection = context["selection"]
        filters = self.filters(selection)
        try:
            query = QueryDict(mutable=True)
            query.update(filters)
            incidents = incident_list(user=self.request.user, filters=query)
            filter_errors = {}
        except IncidentFilterError as exc:
            incidents = Incident.objects.none()
            filter_errors = shown_errors(exc.errors, FILTER_LABELS)
        page = Paginator(
            incidents.select_related("district", "station").order_by("-reported_at", "-id"),
            self.page_size,
        ).get_page(self.request.GET.get("page"))
        context.update(
            page=page,
            filters=filters,
            filter_errors=filter_errors,
            categories=Category.objects.filter(is_active=True).order_by("path"),
            statuses=IncidentStatus.choices,
            sources=IncidentSource.choices,
            export_query=urlencode(filters),
            may_add=allows(self.request.user, ADD),
        )
        return context

    def page_config(self, selection: Selection) -> dict:
        return {
            "filters": self.filters(selection),
            "strings": {"map_truncated": _("地图只显示最新的 %s 起")},
        }


class IncidentCreatePage(ShellFormPage):
    """Recording an incident: its point on a map, the address, category, times and facts."""

    template_name = "incidents/incident_form.html"
    nav_key = "incidents"
    uses_window = False
    uses_selection = False
    api_routes = ("incident-places",)
    required_permission = ADD
    forms = {"incident": IncidentEntryForm}
    permissions = {"incident": ADD}
    refusals = REFUSALS

    def submit_incident(self, data: dict) -> Incident:
        return incident_create(data=entry_row(data), user=self.request.user)

    def success_message(self, name: str, result: Incident) -> str:
        return gettext("已登记警情 %(ref)s。") % {"ref": result.source_ref}

    def success_url(self, name: str, result: Incident) -> str:
        return reverse("dash-incident", args=[result.public_id])

    def page_config(self, selection: Selection) -> dict:
        return point_picker_config(self.request.user)


def point_picker_config(user) -> dict:
    """What the point picker's script reads: the jurisdiction it outlines, and its words."""
    home = user.home_area
    return {
        "jurisdiction": None if home is None else home.pk,
        "strings": {
            "point": _("警情位置"),
            "no_places": _("没有找到地点"),
            "searching": _("正在查找…"),
        },
    }


class IncidentPlacesView(LoginRequiredMixin, View):
    """The entry form's address search: places in the user's jurisdiction, as JSON."""

    def get(self, request):
        if not may_read(request.user, "incidents"):
            raise PermissionDenied
        query = request.GET.get("q", "")[:100]
        return JsonResponse({"results": places_matching(user=request.user, query=query)})


class IncidentPage(ShellFormPage):
    """One incident: facts, response times and the timeline of its status changes; for those
    who may change it there, the lifecycle steps allowed from its status, a transfer to another
    agency and its facts."""

    template_name = "incidents/incident_detail.html"
    nav_key = "incidents"
    uses_window = False
    api_routes = ("incident-places",)
    forms = {
        "dispatch": DispatchForm,
        "on_scene": TransitionForm,
        "close": TransitionForm,
        "file": TransitionForm,
        "solve": TransitionForm,
        "transfer": TransferForm,
        "facts": FactsForm,
    }
    permissions = dict.fromkeys(forms, CHANGE)
    refusals = REFUSALS

    @cached_property
    def incident(self) -> Incident:
        """The incident, if in the user's scope: out of scope reads (and posts) as 404."""
        try:
            return incident_get(user=self.request.user, public_id=self.kwargs["public_id"])
        except Incident.DoesNotExist as exc:
            raise Http404 from exc

    def permission_area(self) -> str:
        return self.incident.area_path

    def offers(self, name: str) -> bool:
        step = STEP_STATUS.get(name)
        return step is None or step in ALLOWED_TRANSITIONS[self.incident.status]

    @cached_property
    def units(self) -> dict[str, str]:
        """The units the user may send, code → name."""
        return dict(
            PatrolUnit.objects.for_user(self.request.user)
            .order_by("code")
            .values_list("code", "name")
        )

    def form_kwargs(self, name: str) -> dict:
        kwargs = super().form_kwargs(name)
        if name == "dispatch":
            units = PatrolUnit.objects.for_user(self.request.user)
            kwargs |= {
                "suggested": suggested_units(incident=self.incident, units=units),
                "units": self.units.items(),
            }
        return kwargs

    def initial(self, name: str) -> dict:
        incident = self.incident
        if name == "facts":
            return {
                "category": incident.category.code,
                **{
                    field: getattr(incident, field)
                    for field in FactsForm.base_fields
                    if field != "category"
                },
            }
        if name == "transfer" and incident.transfer_agency:
            return {
                field: getattr(incident, field)
                for field in ("transfer_agency", "transferred_at", "transfer_outcome")
            }
        return {}

    def step(self, name: str, data: dict, note: str | None = None) -> Incident:
        try:
            return incident_transition(
                incident=self.incident,
                to_status=STEP_STATUS[name],
                user=self.request.user,
                at=data["at"],
                note=data.get("note", "") if note is None else note,
            )
        except TransitionError as exc:
            raise transition_refusal(exc) from exc

    def submit_dispatch(self, data: dict) -> Incident:
        return self.step("dispatch", data, note=dispatch_note(data, self.units))

    def submit_on_scene(self, data: dict) -> Incident:
        return self.step("on_scene", data)

    def submit_close(self, data: dict) -> Incident:
        return self.step("close", data)

    def submit_file(self, data: dict) -> Incident:
        return self.step("file", data)

    def submit_solve(self, data: dict) -> Incident:
        return self.step("solve", data)

    def submit_transfer(self, data: dict) -> Incident:
        return incident_update(incident=self.incident, data=data, user=self.request.user)

    def submit_facts(self, data: dict) -> Incident:
        return incident_update(incident=self.incident, data=facts_row(data), user=self.request.user)

    def success_message(self, name: str, result: Incident) -> str:
        if name in STEP_STATUS:
            return gettext("已记录：%(status)s。") % {"status": result.get_status_display()}
        if name == "transfer":
            return gettext("已记录移交。")
        return gettext("已保存警情信息。")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        incident = self.incident
        audit_record(action="view", obj=incident, request=self.request)
        context.update(
            incident=incident,
            timeline=incident.timeline(),
            area_chain=[
                area
                for area in (
                    incident.district,
                    incident.station,
                    incident.patrol_zone,
                    incident.beat,
                )
                if area is not None
            ],
            boundary=incident.area.geometry if incident.area else None,
            # What other domains offer to do with it (open a dispute case ...).
            object_actions=actions_for(
                "incident", self.request.user, incident.public_id, area_path=incident.area_path
            ),
            step_forms=[
                (name, context["forms"][name], STEP_LABELS[name])
                for name in STEP_STATUS
                if name in context["forms"]
            ],
        )
        return context

    def page_config(self, selection: Selection) -> dict:
        return point_picker_config(self.request.user)
