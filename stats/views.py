"""The statistics pages: the overview (the shell's home: KPI tiles, series, breakdowns and the
map) and CompStat. Each renders its first figures on the server from the services the API
uses; series and map layers load after, from the JSON API, in the page's script."""

from urllib.parse import urlencode

from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from safecity.core.pages.base import ShellPage
from safecity.core.pages.registry import page
from safecity.core.pages.selection import Selection

from .compstat import COLUMNS, DEFAULT_REPORT, areas_for_tables, compstat_tables
from .models import EVERYWHERE, CompstatReport
from .movers import stats_top_movers
from .selectors import compstat_snapshots
from .templatetags.comparisons import gap_strings
from .tiles import kpi_tiles


@page(key="overview", url_name="dash-overview", label=_("总览"), resource="incidents", order=10)
class OverviewPage(ShellPage):
    template_name = "stats/overview.html"
    api_routes = ("stats-timeseries", "stats-breakdown", "incident-hexes")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        selection = context["selection"]
        context["tiles"] = kpi_tiles(selection)
        context["movers"] = stats_top_movers(
            subject=selection.subject,
            window=selection.window,
            period=selection.period,
            cutoff=selection.cutoff,
        )
        return context

    def page_config(self, selection: Selection) -> dict:
        # Why a ranking row shows "—" instead of a change: the title of its cell.
        gaps = gap_strings()
        return {"interval": "day" if selection.period.days <= 92 else "week", "strings": gaps}


@page(key="compstat", url_name="dash-compstat", label=_("CompStat"), resource="stats", order=30)
class CompstatPage(ShellPage):
    """The CompStat tables of an area (or of each district or station in it), live or as
    published, with exports and a print layout."""

    template_name = "stats/compstat.html"
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
            # A published table covers the week it was published for, not the date picked.
            end = snapshot.week_ending
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
