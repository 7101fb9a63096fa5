"""The dashboard pages. Each renders its first figures on the server from the services the
API uses; maps and series load after, from the JSON API, in the page's JavaScript module."""

from datetime import datetime, time, timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, QueryDict
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from accounts.backends import may_read
from alerts.choices import AlertState, Severity
from alerts.selectors import alerts_for_user
from audit.services import audit_record
from campaigns.selectors import campaigns_for_user
from incidents.choices import IncidentSource, IncidentStatus
from incidents.models import Category, Incident
from incidents.selectors import IncidentFilterError, incident_get, incident_list
from patrols.choices import UnitStatus
from stats.compstat import COLUMNS, DEFAULT_REPORT, areas_for_tables, compstat_tables
from stats.models import EVERYWHERE, CompstatReport
from stats.selectors import compstat_snapshots

from .alerts import ALERT_STRINGS, alert_list
from .campaigns import CAMPAIGN_STRINGS, campaign_detail, campaign_labels, campaign_rows
from .mediation import (
    MEDIATION_STRINGS,
    mediation_figures,
    overdue_follow_ups,
    overdue_rows,
    recent_cases,
)
from .patrols import PATROL_STRINGS, compliance_rows, coverage_params, units_in
from .selection import PICKER_WINDOWS, SELECTION_PARAMS, Selection, picker_areas, selection_for
from .tiles import kpi_tiles

# The navigation: (page key, url name, label).
NAV = [
    ("overview", "dash-overview", _("总览")),
    ("incidents", "dash-incidents", _("警情")),
    ("compstat", "dash-compstat", _("CompStat")),
    ("campaigns", "dash-campaigns", _("专项行动")),
    ("patrols", "dash-patrols", _("巡逻")),
    ("mediation", "dash-mediation", _("矛盾纠纷")),
    ("alerts", "dash-alerts", _("告警")),
    ("audit", "audit-events", _("审计日志")),
]
# The resource (accounts.scopes) each page shows; a role that may not read it gets 403, and
# the page is not in its navigation.
PAGE_RESOURCES = {
    "overview": "incidents",
    "incidents": "incidents",
    "compstat": "stats",
    "campaigns": "campaigns",
    "patrols": "patrols",
    "mediation": "mediation",
    "alerts": "alerts",
    "audit": "audit",
}

# Words the pages' JavaScript shows, in the active language.
JS_STRINGS = {
    "yoy": _("同比"),
    "pop": _("环比"),
    "this_period": _("本期"),
    "last_year": _("去年同期"),
    "incidents": _("警情"),
    "areas": _("辖区"),
    "hexes": _("热力六边形"),
    "points": _("警情点位"),
    "load_failed": _("数据加载失败"),
    "no_children": _("没有下级辖区"),
    "weekdays": _("周一,周二,周三,周四,周五,周六,周日"),
    "acknowledge": _("确认"),
    "resolve": _("解决"),
    "state_open": _("未处理"),
    "state_acknowledged": _("已确认"),
    "state_resolved": _("已解决"),
}


def incident_window(selection: Selection) -> dict:
    """The selection as incident-list filters: the window's local days as instants."""
    zone = timezone.get_current_timezone()
    start = datetime.combine(selection.period.start, time.min, tzinfo=zone)
    end = datetime.combine(selection.period.end + timedelta(days=1), time.min, tzinfo=zone)
    params = {"since": start.isoformat(), "until": end.isoformat()}
    if selection.subject.area_path:
        params["area"] = str(selection.subject.area_key)
    return params


class DashboardPage(LoginRequiredMixin, TemplateView):
    """A page of the shell: navigation, area and window pickers, live alerts."""

    nav_key = ""
    # Whether the page reads the window picker (pages about open work do not).
    uses_window = True

    def dispatch(self, request, *args, **kwargs):
        user = request.user
        if user.is_authenticated and not may_read(user, PAGE_RESOURCES[self.nav_key]):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        selection = selection_for(self.request)
        context.update(
            selection=selection,
            nav=[(key, reverse(name), label) for key, name, label in self.nav_items()],
            nav_key=self.nav_key,
            picker_areas=picker_areas(self.request.user),
            picker_windows=PICKER_WINDOWS,
            uses_window=self.uses_window,
            # The page's own filters ride along when the area or window changes.
            picker_carry=[
                (name, value)
                for name, values in self.request.GET.lists()
                if name not in (*SELECTION_PARAMS, "page", "snapshot")
                for value in values
            ],
            open_alert_count=alerts_for_user(self.request.user)
            .filter(state=AlertState.OPEN)
            .count(),
            page_config=self.config(selection),
        )
        return context

    def nav_items(self) -> list:
        user = self.request.user
        return [item for item in NAV if may_read(user, PAGE_RESOURCES[item[0]])]

    def config(self, selection: Selection) -> dict:
        """What the page's JavaScript reads (``SafeCity.config``): the shell's settings and
        words, and the page's own (whose ``strings`` add to the shell's)."""
        page = self.page_config(selection)
        shell = self.shell_config(selection)
        shell["strings"] |= {key: str(text) for key, text in page.pop("strings", {}).items()}
        return page | shell

    def shell_config(self, selection: Selection) -> dict:
        area = selection.subject.area_key if selection.subject.area_path else None
        return {
            "stats": selection.stats_params(),
            "incidents": incident_window(selection),
            "area": area,
            # The child areas drawn on maps: those the statistics break down by.
            "map_areas": {"parent": area} if area else {"kind": "city"},
            "tiles": {"url": settings.MAP_TILES_URL, "attribution": settings.MAP_TILES_ATTRIBUTION},
            "strings": {key: str(text) for key, text in JS_STRINGS.items()},
        }

    def page_config(self, selection: Selection) -> dict:
        """The page's own configuration for its script; override per page."""
        return {}


class OverviewPage(DashboardPage):
    template_name = "dashboards/overview.html"
    nav_key = "overview"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["tiles"] = kpi_tiles(context["selection"])
        return context

    def page_config(self, selection: Selection) -> dict:
        return {"interval": "day" if selection.period.days <= 92 else "week"}


class IncidentsPage(DashboardPage):
    """The filtered incident list beside its map; the filters are the API's own FilterSet."""

    template_name = "dashboards/incidents.html"
    nav_key = "incidents"
    page_size = 50

    def filters(self, selection: Selection) -> dict:
        chosen = {
            name: self.request.GET.get(name, "").strip()
            for name in ("category", "status", "source", "q")
        }
        return incident_window(selection) | {k: v for k, v in chosen.items() if v}

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


class IncidentPage(DashboardPage):
    """One incident: facts, response times and the timeline of its status changes."""

    template_name = "dashboards/incident.html"
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


class CompstatPage(DashboardPage):
    """The CompStat tables of an area (or of each district or station in it), live or as
    published, with exports and a print layout."""

    template_name = "dashboards/compstat.html"
    nav_key = "compstat"
    uses_window = False

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        selection = context["selection"]
        reports = list(CompstatReport.objects.order_by("code"))
        chosen = self.request.GET.get("report") or DEFAULT_REPORT
        report = next((r for r in reports if r.code == chosen), reports[0] if reports else None)
        level = self.request.GET.get("level", "")
        level = level if level in ("district", "station") else ""
        # The city's weekly tables are published for "everywhere" (unplaced incidents too).
        keys = [selection.subject.area_key]
        if selection.area is not None and selection.area.parent_id is None:
            keys.append(EVERYWHERE)
        published = compstat_snapshots(user=self.request.user).filter(area_key__in=keys)
        snapshots = list(published[:52])
        snapshot = None
        if self.request.GET.get("snapshot", "").isdigit():
            snapshot = get_object_or_404(
                compstat_snapshots(user=self.request.user), pk=int(self.request.GET["snapshot"])
            )
        end = selection.period.end
        query = {"report": report.code if report else "", "date": end.isoformat()}
        if selection.subject.area_path:
            query["area"] = selection.subject.area_key
        if level:
            query["level"] = level
        if snapshot is not None:
            tables = [snapshot.table]
            export = reverse("stats-snapshot", args=[snapshot.pk])
            export_query = ""
        else:
            areas = areas_for_tables(
                area_key=selection.subject.area_key,
                area_path=selection.subject.area_path,
                level=level or None,
            )
            tables = compstat_tables(report=report, areas=areas, end=end) if report else []
            export, export_query = reverse("stats-compstat"), urlencode(query)
        context.update(
            reports=reports,
            report=report,
            level=level,
            snapshots=snapshots,
            snapshot=snapshot,
            tables=tables,
            columns=[(str(window), window.label) for window in COLUMNS],
            end=end,
            export=export,
            export_query=export_query,
        )
        return context


class CampaignsPage(DashboardPage):
    """The campaigns covering the chosen area, with their time and KPI progress."""

    template_name = "dashboards/campaigns.html"
    nav_key = "campaigns"
    uses_window = False

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        area = context["selection"].area
        context["rows"] = campaign_rows(self.request.user, area, timezone.localdate())
        return context


class CampaignPage(DashboardPage):
    """One campaign: its KPI items by responsible unit, battles and operations on the server;
    results, sweeps and remediation areas from the campaigns API after."""

    template_name = "dashboards/campaign.html"
    nav_key = "campaigns"
    uses_window = False

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


class PatrolsPage(DashboardPage):
    """Patrol zones with live unit positions, response compliance by area, and coverage of
    the hotspots."""

    template_name = "dashboards/patrols.html"
    nav_key = "patrols"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        total, rows = compliance_rows(context["selection"])
        context.update(compliance_total=total, compliance_rows=rows, units=self.units)
        return context

    def page_config(self, selection: Selection) -> dict:
        self.units = list(units_in(self.request.user, selection))
        area = selection.subject.area_key if selection.subject.area_path else None
        return {
            "units": {
                unit.code: {
                    "name": unit.name,
                    "kind": unit.get_kind_display(),
                    "status": unit.status,
                }
                for unit in self.units
            },
            "unit_statuses": {value: str(label) for value, label in UnitStatus.choices},
            # Times shown as the server renders them, whatever the browser's zone.
            "time_zone": settings.TIME_ZONE,
            "zones": {"kind": "patrol_zone", "within": area},
            "coverage": coverage_params(area),
            "strings": PATROL_STRINGS,
        }


class MediationPage(DashboardPage):
    """Disputes screened in the selection: headline figures with 同比/环比, rates and the funnel
    on the server; the funnel chart, types and areas from the mediation stats API after; the
    overdue follow-ups and the latest cases (parties masked as the API masks them)."""

    template_name = "dashboards/mediation.html"
    nav_key = "mediation"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user, selection = self.request.user, context["selection"]
        filters = incident_window(selection)
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


class AlertsPage(DashboardPage):
    """The latest alerts in scope, filtered by state and severity, then live over the socket;
    each open alert can be acknowledged or resolved in place."""

    template_name = "dashboards/alerts.html"
    nav_key = "alerts"
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
