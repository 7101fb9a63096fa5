"""Formatting of dashboard figures: values, change arrows and their colours."""

import json

from django import template
from django.utils.formats import number_format
from django.utils.translation import get_language

from safecity.core.formatting import duration_text, money_text

register = template.Library()


@register.filter
def figure(value, kind="count"):
    """A count as an integer; an amount of money with its unit (``money``)."""
    if value is None:
        return "—"
    if kind == "amount":
        return money_text(value)
    return number_format(round(value), use_l10n=True, force_grouping=True)


@register.filter
def money(value) -> str:
    """An amount of yuan in the page's language: "12.3 万元", "¥123K" (safecity.core.formatting)."""
    return money_text(value)


@register.filter
def arrow(block) -> str:
    change = block.get("change") or 0
    return "▲" if change > 0 else "▼" if change < 0 else "＝"


@register.filter
def trend_class(block, higher_is_better=False) -> str:
    """'worse', 'better' or 'same': crime going up is worse, resolutions going up better."""
    change = block.get("change") or 0
    if change == 0:
        return "same"
    return "better" if (change > 0) == bool(higher_is_better) else "worse"


@register.filter
def duration(seconds) -> str:
    """Seconds in the page's language: "4 分 47 秒", "4 min 47 s" (safecity.core.formatting)."""
    return duration_text(seconds)


@register.simple_tag(takes_context=True)
def page_link(context, number) -> str:
    """The current page's query string with another page number."""
    query = context["request"].GET.copy()
    query["page"] = number
    return "?" + query.urlencode()


@register.filter
def json_script_attr(value) -> str:
    """A value as JSON for a data attribute (the template escapes it)."""
    return json.dumps(value, ensure_ascii=False)


@register.filter
def local_label(row: dict, field: str = "label") -> str:
    """A stored row's label in the active language (``label_en`` in English, when set)."""
    if (get_language() or "").startswith("en") and row.get(f"{field}_en"):
        return row[f"{field}_en"]
    return row.get(field, "")


@register.filter
def cell(row: dict, window: str) -> dict:
    return row.get(window, {})
