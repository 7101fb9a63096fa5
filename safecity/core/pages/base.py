"""The page base every page of the shell is built on (as NetBox's apps build on its generic
views): login, the role's permission for the page's resource, the selection (area and window
pickers), the navigation from the page registry, the live alert badge, and what the page's
script reads — the shell's words and settings, the API routes, and the page's own."""

from django.conf import settings
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from accounts.backends import may_read
from alerts.choices import AlertState
from alerts.selectors import alerts_for_user

from .registry import PageEntry, get_page, registered_pages, shell_parts
from .routes import route_table
from .selection import PICKER_WINDOWS, SELECTION_PARAMS, Selection, picker_areas, selection_for

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
    "no_data": _("暂无数据"),
    "no_children": _("没有下级辖区"),
    "weekdays": _("周一,周二,周三,周四,周五,周六,周日"),
    "acknowledge": _("确认"),
    "resolve": _("解决"),
    "state_open": _("未处理"),
    "state_acknowledged": _("已确认"),
    "state_resolved": _("已解决"),
}
# The routes the shell's own scripts request on every page: area boundaries and incident
# points on maps (maps.js), links to an incident, the alert feed's buttons (feed.js) and
# the live alert socket (shell.js).
SHELL_ROUTES = (
    "area-list",
    "area-detail",
    "incident-list",
    "dash-incident",
    "alert-acknowledge",
    "alert-resolve",
    "ws-alerts",
)


def may_open(user, entry: PageEntry) -> bool:
    """Whether ``user``'s role may read the page's resource and holds its permission."""
    if not may_read(user, entry.resource):
        return False
    return not entry.permission or user.has_perm(entry.permission)


def nav_entries(user) -> list[PageEntry]:
    """The navigation's pages for ``user``, in order: every page the user may open that is
    listed in the navigation. Pages and error pages alike draw their header from it."""
    return [entry for entry in registered_pages() if entry.in_nav and may_open(user, entry)]


class ShellPage(LoginRequiredMixin, TemplateView):
    """A page of the shell. Register it with ``@page(...)``; a page under another (a detail
    under its list) sets ``nav_key`` to that page's key instead."""

    # The registered page this one is, or belongs under: its navigation entry and resource.
    nav_key = ""
    # Whether the page reads the window picker (pages about open work do not).
    uses_window = True
    # Whether the page reads the area picker (the selection); without, ``selection`` is None.
    uses_selection = True
    # The routes (URL names) the page's own script requests, besides the shell's.
    api_routes: tuple[str, ...] = ()

    def dispatch(self, request, *args, **kwargs):
        user = request.user
        if user.is_authenticated and not may_open(user, get_page(self.nav_key)):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # The selection is read even on a page without pickers: an area outside the user's
        # jurisdiction is a 404 on every page alike.
        selection = selection_for(self.request)
        context.update(
            selection=selection,
            nav=[(entry.key, reverse(entry.url_name), entry.label) for entry in self.nav_items()],
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
            shell_parts=[
                (part, part.context(self.request) if part.context else {}) for part in shell_parts()
            ],
        )
        if not self.uses_selection:
            context["selection"] = None
        return context

    def nav_items(self) -> list:
        return nav_entries(self.request.user)

    def config(self, selection: Selection) -> dict:
        """What the page's JavaScript reads (``SafeCity.config``): the shell's settings, words
        and routes, and the page's own (whose ``strings`` add to the shell's)."""
        page = self.page_config(selection)
        shell = self.shell_config(selection)
        shell["strings"] |= {key: str(text) for key, text in page.pop("strings", {}).items()}
        return page | shell

    def shell_config(self, selection: Selection) -> dict:
        area = selection.subject.area_key if selection.subject.area_path else None
        return {
            "stats": selection.stats_params(),
            "incidents": selection.list_filters(),
            "area": area,
            # The child areas drawn on maps: those the statistics break down by.
            "map_areas": {"parent": area} if area else {"kind": "city"},
            "tiles": {
                "url": settings.MAP_TILES_URL,
                "attribution": settings.MAP_TILES_ATTRIBUTION,
                "crs": settings.MAP_TILES_CRS,
            },
            "strings": {key: str(text) for key, text in JS_STRINGS.items()},
            "routes": route_table(
                (
                    *SHELL_ROUTES,
                    *(route for part in shell_parts() for route in part.routes),
                    *self.api_routes,
                )
            ),
        }

    def page_config(self, selection: Selection) -> dict:
        """The page's own configuration for its script; override per page."""
        return {}
