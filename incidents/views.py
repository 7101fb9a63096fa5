"""The incident pages: the filtered list beside its map, and one incident's detail."""

from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import Http404, QueryDict
from django.utils.translation import gettext_lazy as _

from audit.services import audit_record
from safecity.core.pages.base import ShellPage
from safecity.core.pages.registry import page
from safecity.core.pages.selection import Selection

from .choices import IncidentSource, IncidentStatus
from .models import Category, Incident
from .selectors import IncidentFilterError, incident_get, incident_list


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
            incidents, filter_errors = Incident.objects.none(), exc.errors
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
        )
        return context

    def page_config(self, selection: Selection) -> dict:
        return {
            "filters": self.filters(selection),
            "strings": {"map_truncated": _("地图只显示最新的 %s 起")},
        }


class IncidentPage(ShellPage):
    """One incident: facts, response times and the timeline of its status changes."""

    template_name = "incidents/incident_detail.html"
    nav_key = "incidents"
    uses_window = False

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        try:
            incident = incident_get(user=self.request.user, public_id=self.kwargs["public_id"])
        except Incident.DoesNotExist as exc:
            raise Http404 from exc
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
        )
        return context
