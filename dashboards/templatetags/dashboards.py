"""Formatting of dashboard figures: values, change arrows and their colours."""

from django import template
from django.utils.formats import number_format
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
