"""Response compliance: how many incidents were dispatched and on scene within their area's
standard, with medians and 90th percentiles, for any area and period, against last year.

Everything is read from the ``responses`` rollups of the statistics engine. Each incident is
judged against the standard of its own area when its day is rolled up, so an area's figure
honours the different standards of the areas inside it (3 minutes in the centre, 5 outside).
Response times are whole seconds from the call: to dispatch, and to arrival on scene (a time
before the call counts as 0). A changed standard marks the rollups of its area stale, so the
whole history, last year included, is judged against the standards in force today.
"""

import math
from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Q

from stats.marks import rollups_mark_every_day
from stats.models import ALL_CATEGORIES
from stats.windows import Period, same_period_last_year

from .metrics import SOURCE
from .models import ResponseDaily
from .services import standard_for, standards_by_area

PHASES = ("dispatch", "arrive")
# Shares of arrivals within these minutes, whatever the standard: the 1/3/5-minute circles.
ARRIVAL_MARKS = (1, 3, 5)


def standard_changed(instance, **kwargs) -> None:
    """A standard set, changed or removed: its area's history is judged again."""
    rollups_mark_every_day(source=SOURCE, area_key=instance.area_id)


def percentile(histogram: dict, fraction: float) -> int | None:
    """The nearest-rank percentile of a {seconds: count} histogram: the smallest value with at
    least ``fraction`` of all counts at or below it (None when empty)."""
    total = sum(histogram.values())
    if not total:
        return None
    rank = max(1, math.ceil(fraction * total))
    seen = 0
    for value in sorted(histogram, key=int):
        seen += histogram[value]
        if seen >= rank:
            return int(value)
    raise AssertionError("unreachable: the ranks add up to the total")


@dataclass
class _Totals:
    dispatched: int = 0
    dispatch_within: int = 0
    arrived: int = 0
    arrive_within: int = 0
    dispatch_seconds: Counter = field(default_factory=Counter)
    arrive_seconds: Counter = field(default_factory=Counter)

    def add(self, row: ResponseDaily) -> None:
        self.dispatched += row.dispatched
        self.dispatch_within += row.dispatch_within
        self.arrived += row.arrived
        self.arrive_within += row.arrive_within
        self.dispatch_seconds.update(row.dispatch_seconds)
        self.arrive_seconds.update(row.arrive_seconds)

    def phase(self, name: str) -> dict:
        count = getattr(self, "dispatched" if name == "dispatch" else "arrived")
        within = getattr(self, f"{name}_within")
        histogram = getattr(self, f"{name}_seconds")
        block = {
            "incidents": count,
            "within_standard": within,
            "share": _share(within, count),
            "median_seconds": percentile(histogram, 0.5),
            "p90_seconds": percentile(histogram, 0.9),
        }
        if name == "arrive":
            for minutes in ARRIVAL_MARKS:
                inside = sum(n for value, n in histogram.items() if int(value) <= minutes * 60)
                block[f"within_{minutes}min"] = _share(inside, count)
        return block


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _change(current, base):
    return None if current is None or base is None else round(current - base, 4)


def compliance(*, area_key: int, area_path: str, period: Period) -> dict:
    """Dispatch and arrival compliance of an area subtree over ``period`` and the same period
    last year, with the change (shares in fractions, times in seconds)."""
    return compliance_of_areas(areas={area_key: area_path}, period=period)[area_key]


def compliance_of_areas(*, areas: dict[int, str], period: Period) -> dict[int, dict]:
    """``compliance`` of several areas ({key: path}) at once, from one read of the rollups."""
    last_year = same_period_last_year(period)
    totals = {key: (_Totals(), _Totals()) for key in areas}
    rows = ResponseDaily.objects.filter(area_key__in=list(areas), category_key=ALL_CATEGORIES)
    rows = rows.filter(
        Q(day__range=(period.start, period.end)) | Q(day__range=(last_year.start, last_year.end))
    )
    for row in rows:
        current, base = totals[row.area_key]
        (current if period.start <= row.day <= period.end else base).add(row)
    table = standards_by_area()
    return {
        key: _compliance_block(*totals[key], standard_for(path, table=table), period, last_year)
        for key, path in areas.items()
    }


def _compliance_block(current, base, standard, period, last_year) -> dict:
    result = {
        "period": period.as_dict(),
        "yoy_period": last_year.as_dict(),
        "standard": {"dispatch_seconds": standard[0], "arrive_seconds": standard[1]},
    }
    for name in PHASES:
        now, then = current.phase(name), base.phase(name)
        now["yoy"] = {
            **{key: then[key] for key in ("incidents", "share", "median_seconds", "p90_seconds")},
            "share_change": _change(now["share"], then["share"]),
            "median_change": _change(now["median_seconds"], then["median_seconds"]),
        }
        result[name] = now
    return result
