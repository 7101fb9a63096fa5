"""What the patrols page renders on the server: response compliance of the chosen area and of
each area inside it, from the same functions as ``/api/v1/patrols/compliance/?by=children``,
and the patrol units of the area, scoped as the units API scopes them."""

from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from safecity.core.formatting import duration_text
from safecity.core.pages.selection import Selection
from stats.selectors import child_area_path, child_areas

from .compliance import ARRIVAL_MARKS, compliance, compliance_of_areas
from .models import PatrolUnit

# Words the patrols script shows, in the active language.
PATROL_STRINGS = {
    "zones": _("防区"),
    "units": _("巡逻单元"),
    "alignment": _("警力与警情吻合度"),
    "zone_colours": _("防区颜色：警力与警情吻合度（近24小时）"),
    "hotspot_minutes": _("热点时长占比"),
    "hotspot_cells": _("热点面积占比"),
    "unit_minutes": _("巡逻时长（单元·分钟）"),
    "live": _("实时"),
    "reconnecting": _("正在重连"),
    "last_seen": _("最新定位"),
    "no_coverage": _("近24小时没有巡逻或警情记录"),
}


# Coverage is read over the last day: the live picture, as the coverage API's default.
COVERAGE_SPAN = timedelta(days=1)

# The compliance table's columns: a path into the compliance block, and how it reads.
COLUMNS = [
    ("dispatch.incidents", "count"),
    ("dispatch.share", "share"),
    ("dispatch.median_seconds", "seconds"),
    ("arrive.incidents", "count"),
    ("arrive.share", "share"),
    *((f"arrive.within_{minutes}min", "share") for minutes in ARRIVAL_MARKS),
    ("arrive.median_seconds", "seconds"),
    ("arrive.p90_seconds", "seconds"),
    ("arrive.yoy.share_change", "change"),
]


@dataclass
class Cell:
    key: str
    kind: str
    value: float | None

    @property
    def trend(self) -> str:
        """For a change: a higher share within the standard is better."""
        if self.kind != "change" or not self.value:
            return ""
        return "better" if self.value > 0 else "worse"

    @property
    def text(self) -> str:
        if self.value is None:
            return "—"
        if self.kind == "share":
            return f"{self.value * 100:.1f}%"
        if self.kind == "change":
            points = self.value * 100
            return f"{points:+.1f}" if round(points, 1) else "±0.0"
        if self.kind == "seconds":
            return duration_text(self.value)
        return f"{self.value:,}"


@dataclass
class ComplianceRow:
    """One area's dispatch and arrival compliance; ``area`` None for the chosen area itself."""

    area: dict | None
    name: str
    figures: dict
    query: str = ""

    @property
    def cells(self) -> list[Cell]:
        """The row's figures in the table's column order (see COLUMNS)."""
        cells = []
        for key, kind in COLUMNS:
            value = self.figures
            for part in key.split("."):
                value = value[part]
            cells.append(Cell(key, kind, value))
        return cells


def _local_name(area: dict) -> str:
    if (get_language() or "").startswith("en") and area.get("name_en"):
        return area["name_en"]
    return area["name"]


def compliance_rows(selection: Selection) -> tuple[ComplianceRow, list[ComplianceRow]]:
    """The chosen area's compliance over the selected window, and each child area's."""
    subject, period = selection.subject, selection.period
    total = ComplianceRow(
        area=None,
        name=selection.area_name,
        figures=compliance(area_key=subject.area_key, area_path=subject.area_path, period=period),
    )
    children = child_areas(subject)
    figures = compliance_of_areas(
        areas={key: child_area_path(subject, key) for key in children}, period=period
    )
    rows = []
    for key, area in children.items():
        query = selection.query.copy()
        query["area"] = str(key)
        rows.append(ComplianceRow(area, _local_name(area), figures[key], query.urlencode()))
    return total, rows


def coverage_params(area_key: int | None) -> dict:
    """The coverage API's parameters for the page: the last day, to the minute, so the page
    and a reader of the same parameters get the same figures."""
    until = timezone.now().replace(second=0, microsecond=0)
    since = until - COVERAGE_SPAN
    return {"area": area_key, "since": since.isoformat(), "until": until.isoformat()}


def units_in(user, selection: Selection):
    """The user's patrol units at home in the chosen area."""
    units = PatrolUnit.objects.for_user(user).select_related("home_zone")
    if selection.subject.area_path:
        units = units.filter(home_path__startswith=selection.subject.area_path)
    return units.order_by("code")
