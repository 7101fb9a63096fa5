"""How a briefing writes its figures, in both languages: the same value the API gives, in the
words and signs an analyst reads (counts as integers, percentages to one decimal)."""

import re

# A cell written as a figure (a count, a percentage, a change, or the dash of none): set right.
FIGURE = re.compile(r"^(?:[-+]?\d+(?:\.\d+)?%?|—)$")


def count(value) -> str:
    """A count or total as written: an integer, or two decimals for money."""
    if isinstance(value, float) and not value.is_integer():
        return f"{value:.2f}"
    return str(int(value or 0))


def signed_pct(pct) -> str:
    """A percent change for a table cell: +12.3% / -4.0%; an em dash without a base."""
    return "—" if pct is None else f"{pct:+.1f}%"


def share(value) -> str:
    """A share (0–1, as the API gives it) as a percentage to one decimal."""
    return "—" if value is None else f"{value * 100:.1f}%"


def seconds(value) -> str:
    return "—" if value is None else f"{int(value)}"


def trend(block: dict, label_zh: str, label_en: str) -> tuple[str, str]:
    """'同比上升 12.3%（去年同期 40 起）' and its English, from a comparison block."""
    base, pct = block["base"], block["pct_change"]
    if pct is None:
        if not base and block["change"]:
            return f"{label_zh}基数为 0", f"{label_en}: none in the base period"
        return f"{label_zh}持平", f"{label_en} flat"
    if pct > 0:
        zh, en = f"{label_zh}上升 {abs(pct):.1f}%", f"{label_en} up {abs(pct):.1f}%"
    elif pct < 0:
        zh, en = f"{label_zh}下降 {abs(pct):.1f}%", f"{label_en} down {abs(pct):.1f}%"
    else:
        zh, en = f"{label_zh}持平", f"{label_en} flat"
    return zh, en


def yoy_pop(block: dict) -> tuple[str, str]:
    """The 同比 and 环比 of one measure, with their bases, in one clause each language."""
    yoy_zh, yoy_en = trend(block["yoy"], "同比", "year on year")
    pop_zh, pop_en = trend(block["pop"], "环比", "on the previous period")
    return (
        f"{yoy_zh}（去年同期 {count(block['yoy']['base'])} 起），"
        f"{pop_zh}（上期 {count(block['pop']['base'])} 起）",
        f"{yoy_en} (last year {count(block['yoy']['base'])}), "
        f"{pop_en} (previous {count(block['pop']['base'])})",
    )
