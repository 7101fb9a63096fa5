"""The dashboard pages. Each renders its first figures on the server from the services the
API uses; maps and series load after, from the JSON API, in the page's JavaScript module."""

from datetime import datetime, time, timedelta

from django.conf import settings
from django.contrib.auth.mixins import LoginRequiredMixin
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from alerts.choices import AlertState
from alerts.selectors import alerts_for_user

from .selection import PICKER_WINDOWS, Selection, picker_areas, selection_for
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
]

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

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        selection = selection_for(self.request)
        context.update(
            selection=selection,
            nav=[(key, reverse(name), label) for key, name, label in NAV],
            nav_key=self.nav_key,
            picker_areas=picker_areas(self.request.user),
            picker_windows=PICKER_WINDOWS,
            uses_window=self.uses_window,
            open_alert_count=alerts_for_user(self.request.user)
            .filter(state=AlertState.OPEN)
            .count(),
            page_config=self.config(selection),
        )
        return context

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
