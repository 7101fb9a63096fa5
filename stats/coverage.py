"""Where a statistic's data ends, and whether compared periods have data behind them.

Windows end at the last complete day (yesterday) unless "today so far" is asked for: then today
counts up to a time of day, and so does the last day of each period it is compared with. A
comparison whose periods reach before the source's first data, or past the data's end, is
flagged instead of given a percentage: 'no_data' when a period lies wholly outside the data,
'partial_data' when partly.
"""

from dataclasses import dataclass
from datetime import date, time, timedelta

from .windows import Period

NO_DATA = "no_data"
PARTIAL_DATA = "partial_data"
# Why: a period reaches before the source's first data, or past the last day with whole data.
BEFORE_FIRST_DATA = "before_first_data"
AFTER_LAST_DATA = "after_last_data"

Gap = tuple[str, str]


@dataclass(frozen=True)
class Cutoff:
    """The end of the data a statistic reads: the complete days before ``today``, or with
    ``until`` today up to that time of day (today so far)."""

    today: date
    until: time | None = None

    @property
    def last_day(self) -> date:
        """The last day whose data a comparison may stand on."""
        return self.today if self.until is not None else self.today - timedelta(days=1)

    def cuts(self, period: Period) -> bool:
        """Whether the period's last day, and that of each period it is compared with, count
        only up to ``until``: today so far."""
        return self.until is not None and period.end == self.today

    def as_dict(self) -> dict | None:
        """The response's label of today so far (None: complete days only)."""
        if self.until is None:
            return None
        return {"day": self.today.isoformat(), "until": self.until.strftime("%H:%M")}


def coverage_gap(periods: tuple[Period, ...], first_day: date | None, last_day: date) -> Gap | None:
    """(flag, reason) when any of the periods lies wholly or partly outside the days with
    data, from ``first_day`` (None: the source has none) to ``last_day``; else None."""
    for period in periods:
        if first_day is None or period.end < first_day:
            return NO_DATA, BEFORE_FIRST_DATA
        if period.start > last_day:
            return NO_DATA, AFTER_LAST_DATA
    for period in periods:
        if period.start < first_day:
            return PARTIAL_DATA, BEFORE_FIRST_DATA
        if period.end > last_day:
            return PARTIAL_DATA, AFTER_LAST_DATA
    return None
