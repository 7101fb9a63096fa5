"""How the pages write money and durations, in the active language: one formatter each, the
same rules as static/js/shell/format.js (tests/core/test_formatting.py checks the two agree).

Money: Chinese magnitudes (元, 万元, 亿元) in Chinese, ¥ with K, M, B in English, thousands
grouped by commas in both. Durations: "4 分 47 秒" in Chinese, "4 min 47 s" in English."""

import math
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import get_language

# Each language's magnitudes, largest first: (factor, unit); the last is the plain unit.
MONEY_UNITS = {
    "zh": [(10**8, "亿元"), (10**4, "万元"), (1, "元")],
    "en": [(10**9, "B"), (10**6, "M"), (10**3, "K"), (1, "")],
}
DURATION_UNITS = {"zh": ("小时", "分", "秒"), "en": ("h", "min", "s")}


def _english(english: bool | None) -> bool:
    if english is None:
        return (get_language() or "").startswith("en")
    return english


def _rounded(value: float, decimals: int) -> Decimal:
    # The exact value of the float, half away from zero: as Intl.NumberFormat rounds.
    return Decimal(value).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def _is_missing(value) -> bool:
    if value is None or value == "":
        return True
    try:
        return math.isnan(float(value))
    except (TypeError, ValueError):
        return True


def money_text(value, *, english: bool | None = None) -> str:
    """An amount of yuan: "8,500 元", "12.3 万元", "1.2 亿元"; "¥8,500", "¥12.3K", "¥1.2M"."""
    if _is_missing(value):
        return "—"
    english = _english(english)
    units = MONEY_UNITS["en" if english else "zh"]
    amount = abs(float(value))
    sign = "-" if float(value) < 0 else ""
    index = next(
        (i for i, (factor, _) in enumerate(units[:-1]) if amount >= factor), len(units) - 1
    )
    decimals = 0 if index == len(units) - 1 else 1
    scaled = _rounded(amount / units[index][0], decimals)
    # 9,999.96 万 rounds to 10,000.0 万: written as 1.0 亿.
    if index > 0 and scaled * units[index][0] >= units[index - 1][0]:
        index -= 1
        decimals = 1
        scaled = _rounded(amount / units[index][0], decimals)
    number = f"{scaled:,.{decimals}f}"
    if english:
        return f"{sign}¥{number}{units[index][1]}"
    return f"{sign}{number} {units[index][1]}"


def duration_text(seconds, *, english: bool | None = None) -> str:
    """Whole seconds as "1 小时 2 分 3 秒" / "1 h 2 min 3 s", naming only parts not zero."""
    if _is_missing(seconds):
        return "—"
    words = DURATION_UNITS["en" if _english(english) else "zh"]
    total = math.floor(abs(float(seconds)))
    parts = (total // 3600, total % 3600 // 60, total % 60)
    shown = [f"{count} {word}" for count, word in zip(parts, words, strict=True) if count]
    text = " ".join(shown) or f"0 {words[2]}"
    return f"-{text}" if float(seconds) < 0 else text
