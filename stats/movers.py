"""Top movers: which child categories and child areas of a subject rose or fell most, judged
by the Poisson z-score of their 同比 (or 环比) change, so a large share of a small count does
not outrank a real shift in a large one."""

from .compare import NOTABLE_Z
from .coverage import Cutoff
from .selectors import Subject, child_areas, child_categories, stats_breakdown_keys
from .windows import Period, previous_period, year_before

# The fields of a breakdown row naming its category or area, kept in a mover.
NAMING = ("id", "code", "name", "name_en", "kind")


def stats_top_movers(
    *,
    subject: Subject,
    window: str,
    period: Period,
    measure: str = "count",
    against: str = "yoy",
    limit: int = 5,
    cutoff: Cutoff | None = None,
    by: tuple[str, ...] = ("category", "area"),
) -> dict:
    """The child categories and child areas with the largest significant rises and falls
    (|z| ≥ NOTABLE_Z against the period ``against`` names, 'yoy' or 'pop'), at most ``limit``
    of each, the largest first. Comparisons without data behind them (no z) never move.
    ``by``: which of the two to answer (a briefing looking into subcategories wants only
    'category'); the answer has "categories" and/or "areas" accordingly."""
    compared = year_before(window, period) if against == "yoy" else previous_period(window, period)
    result = {
        "window": window,
        "period": period.as_dict(),
        "against": against,
        "compared_period": compared.as_dict(),
        "measure": measure,
        "min_z": NOTABLE_Z,
    }
    children = {"category": child_categories, "area": child_areas}
    for kind in by:
        keys = children[kind](subject)
        rows = stats_breakdown_keys(
            subject=subject,
            window=window,
            period=period,
            measure=measure,
            keys=keys,
            by=kind,
            cutoff=cutoff,
        )
        movers = [_mover(row, row[against]) for row in rows if row[against]["z"] is not None]
        rises = sorted((m for m in movers if m["z"] >= NOTABLE_Z), key=lambda m: -m["z"])
        falls = sorted((m for m in movers if m["z"] <= -NOTABLE_Z), key=lambda m: m["z"])
        result["categories" if kind == "category" else "areas"] = {
            "rises": rises[:limit],
            "falls": falls[:limit],
        }
    return result


def _mover(row: dict, block: dict) -> dict:
    return {
        **{name: row[name] for name in NAMING if name in row},
        "current": row["current"],
        "base": block["base"],
        "change": block["change"],
        "pct_change": block["pct_change"],
        "z": block["z"],
        "flag": block["flag"],
    }
