"""The 研判 (analysis) page: hot-spot map, emerging hot-spot categories and the near-repeat
table of the shell's area and window, and a category of the page's own. The figures load from
the analysis API in the page's script, as the overview's series do."""

from urllib.parse import urlencode

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from safecity.core.pages.base import ShellPage
from safecity.core.pages.registry import page
from safecity.core.pages.selection import Selection
from stats.registry import get_source
from stats.subjects import DEFAULT_SOURCE
from stats.windows import Window

from .emerging import ALL_CATEGORIES
from .forecast.page import FORECAST_ROUTES, FORECAST_STRINGS, forecast_page_config
from .hotspots import CLASS_NAMES
from .results import MIN_STEPS

STRINGS = {
    "hot_99": _("热点 99%"),
    "hot_95": _("热点 95%"),
    "hot_90": _("热点 90%"),
    "not_significant": _("不显著"),
    "cold_90": _("冷点 90%"),
    "cold_95": _("冷点 95%"),
    "cold_99": _("冷点 99%"),
    "new": _("新增"),
    "consecutive": _("连续"),
    "intensifying": _("加强"),
    "persistent": _("持续"),
    "diminishing": _("减弱"),
    "sporadic": _("零星"),
    "oscillating": _("振荡"),
    "historical": _("历史"),
    "hot": _("热点"),
    "cold": _("冷点"),
    "none": _("无模式"),
    "cells": _("网格数"),
    "count": _("警情数"),
    "metres": _("米"),
    "days": _("天"),
    "beyond": _("以上"),
    "no_zone": _("未发现显著的近重复模式"),
    "zone": _("近重复范围：%(metres)s 米内、%(days)s 天内"),
    "events": _("事件数"),
    "period": _("期间"),
    "week": _("周"),
    "month": _("月"),
}


@page(key="analysis", url_name="analysis-page", label=_("研判"), resource="stats", order=38)
class AnalysisPage(ShellPage):
    template_name = "analysis/analysis.html"
    api_routes = (
        "analysis-hotspots",
        "analysis-emerging",
        "analysis-near-repeat",
        *FORECAST_ROUTES,
    )

    def category_code(self) -> str:
        code = self.request.GET.get("category", "")
        model = get_source(DEFAULT_SOURCE).category_model
        return code if code and model.objects.filter(code=code).exists() else ""

    def analysis_params(self, selection: Selection) -> dict:
        params = selection.stats_params()
        code = self.category_code()
        if code:
            params["category"] = code
        return params

    def emerging_params(self, selection: Selection) -> dict:
        """The selection's window when it holds enough weekly steps, else the year to its end."""
        params = self.analysis_params(selection)
        if selection.period.days < 7 * MIN_STEPS:
            params = {k: v for k, v in params.items() if k not in ("from", "to")}
            params.update(window=Window.ROLLING_365, date=selection.period.end.isoformat())
        return params

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        selection = context["selection"]
        params = self.analysis_params(selection)
        model = get_source(DEFAULT_SOURCE).category_model
        near_repeat_params = {**params}
        near_repeat_params.setdefault("category", settings.ANALYSIS_NEAR_REPEAT_CATEGORIES[0])

        def export(route: str, query: dict, kind: str) -> str:
            return f"{reverse(route)}?{urlencode({**query, 'format': kind})}"

        context.update(
            categories=list(model.objects.filter(is_active=True).order_by("path")),
            category=self.category_code(),
            exports={
                "hotspots_geojson": export("analysis-hotspots", params, "geojson"),
                "hotspots_csv": export("analysis-hotspots", params, "csv"),
                "emerging_geojson": export(
                    "analysis-emerging", self.emerging_params(selection), "geojson"
                ),
                "emerging_csv": export("analysis-emerging", self.emerging_params(selection), "csv"),
                "near_repeat_csv": export("analysis-near-repeat", near_repeat_params, "csv"),
            },
        )
        return context

    def page_config(self, selection: Selection) -> dict:
        params = self.analysis_params(selection)
        near_repeat = {**params}
        near_repeat.setdefault("category", settings.ANALYSIS_NEAR_REPEAT_CATEGORIES[0])
        return {
            "analysis": params,
            "emerging": self.emerging_params(selection),
            "near_repeat": near_repeat,
            "classes": list(CLASS_NAMES.values()),
            "emerging_categories": list(ALL_CATEGORIES),
            "forecast": forecast_page_config(selection),
            "strings": {**STRINGS, **FORECAST_STRINGS},
        }
