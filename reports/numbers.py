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


# The engine's flags of a comparison without (whole) data behind it: no percentage is given.
GAP_FLAGS = ("no_data", "partial_data")


def gap(block: dict) -> str | None:
    """The block's flag when its periods lack data ('no_data', 'partial_data'), else None."""
    flag = block.get("flag")
    return flag if flag in GAP_FLAGS else None


def change_cell(block: dict) -> str:
    """A comparison block's percent change for a table cell; "—" where the engine gives none
    (no base, or a base period without data behind it)."""
    return "—" if gap(block) else signed_pct(block["pct_change"])


def base_cell(block: dict) -> str:
    """A comparison block's base for a table cell; "—" where its period has no data at all."""
    return "—" if gap(block) == "no_data" else count(block["base"])


# What a sentence says of a comparison without data behind it: why, in both languages.
GAP_WORDS = {
    ("no_data", "before_first_data"): ("对比期早于首日数据", "it lies before the first data"),
    ("no_data", "after_last_data"): ("对比期尚无完整数据", "it has no complete days yet"),
    ("partial_data", "before_first_data"): (
        "对比期部分早于首日数据",
        "it lies partly before the first data",
    ),
    ("partial_data", "after_last_data"): (
        "对比期含尚不完整的日子",
        "it includes days not yet complete",
    ),
}


def share(value) -> str:
    """A share (0–1, as the API gives it) as a percentage to one decimal."""
    return "—" if value is None else f"{value * 100:.1f}%"


def seconds(value) -> str:
    return "—" if value is None else f"{int(value)}"


def trend(block: dict, label_zh: str, label_en: str) -> tuple[str, str]:
    """'同比上升 12.3%（去年同期 40 起）' and its English, from a comparison block."""
    base, pct = block["base"], block["pct_change"]
    flag = gap(block)
    if flag:
        why_zh, why_en = GAP_WORDS.get((flag, block.get("reason")), ("", ""))
        zh = f"{label_zh}无可比数据" + (f"（{why_zh}）" if why_zh else "")
        en = f"no comparable data {label_en}" + (f" ({why_en})" if why_en else "")
        return zh, en
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
    # The base's count is said only where it is a whole period's: a flagged block has none.
    if not gap(block["yoy"]):
        yoy_zh += f"（去年同期 {count(block['yoy']['base'])} 起）"
        yoy_en += f" (last year {count(block['yoy']['base'])})"
    if not gap(block["pop"]):
        pop_zh += f"（上期 {count(block['pop']['base'])} 起）"
        pop_en += f" (previous {count(block['pop']['base'])})"
    return f"{yoy_zh}，{pop_zh}", f"{yoy_en}, {pop_en}"
