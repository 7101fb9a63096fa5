"""Comparison maths: a period against its base (同比, 环比), with change, percent change and,
for counts, the Poisson z-score and its flag ('new', 'notable', 'significant'; or 'no_data'
and 'partial_data' with a reason when the periods lack data); plain numbers and rounding for
JSON."""

from decimal import Decimal
from math import copysign, floor, sqrt

NOTABLE_Z = 2.0
SIGNIFICANT_Z = 3.0


def number(value):
    """A plain number for JSON: decimals as floats, None as 0."""
    if isinstance(value, Decimal):
        return float(value)
    return value or 0


# Below this a scaled value's float error (half an ulp, at most 2**-23) stays well inside the
# 1e-6 band kept around each rounding boundary; beyond it round() decides.
FAST_ROUND_LIMIT = 2.0**30
POWERS_OF_TEN = (1, 10, 100, 1000)


def rounded(value: float, digits: int) -> float:
    """round(value, digits), the same float, for 0 <= digits <= 3. Python's round goes
    through a decimal string (dtoa), the costliest step of a comparison block; here the scaled
    value is rounded in binary, and round() is left only the cases where that could differ:
    within 1e-6 of a half, or too large for the scaled value's error to stay below that."""
    scale = POWERS_OF_TEN[digits]
    scaled = value * scale
    if -FAST_ROUND_LIMIT < scaled < FAST_ROUND_LIMIT:
        whole = floor(scaled)
        fraction = scaled - whole
        if not 0.499999 < fraction < 0.500001:
            nearest = whole + 1 if fraction > 0.5 else whole
            # int / int is the float nearest the decimal, as round's string conversion gives.
            return nearest / scale if nearest else copysign(0.0, value)
    return round(value, digits)


def compare(current, base, kind: str = "count", gap: tuple[str, str] | None = None) -> dict:
    """A comparison block: change, percent change (None when the base is 0) and, for counts,
    the Poisson z-score 2(√current − √base) with its flag.

    ``gap``: (flag, reason) when the compared periods lack data (stats.coverage): then the
    block has that flag and reason, and neither a percent change nor a z-score.

    Written for speed (a summary from the rollup cube builds two in a few microseconds): ints,
    the common case, skip number(), and the block is built once."""
    if current.__class__ is not int:
        current = number(current)
    if base.__class__ is not int:
        base = number(base)
    change = current - base
    if gap is not None:
        flag, reason = gap
        return {
            "base": base,
            "change": change,
            "pct_change": None,
            "z": None,
            "flag": flag,
            "reason": reason,
        }
    flag = None
    if base:
        pct_change = rounded(100.0 * change / base, 1)
    else:
        pct_change = None
        if current:
            flag = "new"
    if kind != "count":
        return {"base": base, "change": change, "pct_change": pct_change, "z": None, "flag": flag}
    z = 2 * (sqrt(current if current > 0 else 0) - sqrt(base if base > 0 else 0))
    if flag is None:
        if z >= SIGNIFICANT_Z or z <= -SIGNIFICANT_Z:
            flag = "significant"
        elif z >= NOTABLE_Z or z <= -NOTABLE_Z:
            flag = "notable"
    z_rounded = rounded(z, 2)
    return {"base": base, "change": change, "pct_change": pct_change, "z": z_rounded, "flag": flag}
