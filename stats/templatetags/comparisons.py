"""Comparisons on pages: why a change is not shown ("—" with the reason on hover), and the
label of a window counting today so far."""

from django import template
from django.utils.translation import gettext as _

from stats.coverage import AFTER_LAST_DATA, BEFORE_FIRST_DATA, NO_DATA, PARTIAL_DATA

register = template.Library()


@register.filter
def gap_reason(block: dict) -> str:
    """Why a comparison block (or CompStat cell) has no percent change: its periods lack data
    (flag 'no_data' or 'partial_data'); '' when they do not."""
    reason = block.get("reason") if block else None
    whole = block.get("flag") == NO_DATA if block else False
    if reason == BEFORE_FIRST_DATA:
        if whole:
            return _("无可比数据：对比期在该数据源的首日数据之前")
        return _("数据不全：对比期有部分日子在该数据源的首日数据之前")
    if reason == AFTER_LAST_DATA:
        if whole:
            return _("无可比数据：时段在最后一个完整日之后")
        return _("数据不全：时段含今日或以后尚不完整的日子")
    return ""


@register.filter
def today_so_far(label: dict | None) -> str:
    """The label of a window that counts today up to a time ({"day", "until"})."""
    if not label:
        return ""
    return _("今日截至 %(until)s，与对比期同一时段相比") % {"until": label["until"]}


def gap_strings() -> dict[str, str]:
    """The reasons as a page's script shows them on hover (``SafeCity.t("gap_<flag>_<reason>")``),
    in the active language."""
    return {
        f"gap_{flag}_{reason}": gap_reason({"flag": flag, "reason": reason})
        for flag in (NO_DATA, PARTIAL_DATA)
        for reason in (BEFORE_FIRST_DATA, AFTER_LAST_DATA)
    }
