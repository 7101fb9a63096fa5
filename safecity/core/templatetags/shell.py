"""Formatting of dashboard figures: values, change arrows and their colours."""

import json

from django import template
from django.utils.formats import number_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def figure(value, kind="count"):
    """A count as an integer; an amount in units of 10,000 yuan (万元), as bureaus report."""
    if value is None:
        return "—"
    if kind == "amount":
        amount = number_format(value / 10000, decimal_pos=1, use_l10n=True, force_grouping=True)
        return _("%(amount)s 万元") % {"amount": amount}
    return number_format(round(value), use_l10n=True, force_grouping=True)


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
    """Seconds as minutes and seconds (h:mm:ss past an hour)."""
    if seconds is None:
        return "—"
    hours, rest = divmod(int(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


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
