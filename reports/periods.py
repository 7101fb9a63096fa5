"""The days a briefing covers and the days it is compared with, in one place.

A weekly briefing is the statistics engine's window ``week`` (the last complete ISO week,
Monday to Sunday), a monthly one its window ``month`` (the last complete calendar month); the
briefing asks the engine with that window, so 同比 and 环比 are the engine's: for a month, 环比 the
whole previous calendar month and 同比 the same month a year earlier (whole February to whole
February); for a week, 环比 the week before and 同比 the same ISO week a year earlier. The dates
and numbers printed are those of ``GET /api/v1/stats/summary?window=month&date=<last day>``.

Days chosen by hand that are exactly one whole week (for a weekly briefing) or month (for a
monthly one) are that calendar window too, so a briefing made by hand for last week says what
the scheduled one says. Any other days (a campaign's, or a span chosen by hand) are a custom
window: 同比 the same dates a year earlier, 环比 as many days just before.
"""

from datetime import date
from typing import NamedTuple

from stats.windows import (
    Period,
    Window,
    calendar_period,
    default_period,
    last_complete_day,
    previous_period,
    year_before,
)

from .choices import ReportKind

# The engine's calendar window of each kind that has one.
KIND_WINDOWS = {ReportKind.WEEKLY: Window.WEEK, ReportKind.MONTHLY: Window.MONTH}


class ReportPeriod(NamedTuple):
    """A briefing's window (as the statistics API names it), its days and comparison days."""

    window: str
    period: Period
    yoy: Period
    pop: Period

    def api_query(self) -> dict:
        """The statistics API's query parameters naming these days and window."""
        if self.window == Window.CUSTOM:
            return {"window": "custom", "from": str(self.period.start), "to": str(self.period.end)}
        return {"window": self.window, "date": str(self.period.end)}


def report_period(
    kind: str, *, today: date, start: date | None = None, end: date | None = None
) -> ReportPeriod:
    """The period of a briefing of ``kind`` made on ``today``: the engine's last complete
    ``week`` for weekly, ``month`` for monthly; ``start``/``end`` (a campaign's dates, or days
    chosen by hand) win over both, ending on the last complete day at the latest."""
    last_day = last_complete_day(today)
    calendar = KIND_WINDOWS.get(kind)
    if start is not None and end is not None:
        period = Period(start, min(end, last_day))
        if period.end < period.start:
            raise ValueError("the period has no whole day before today")
        whole = calendar is not None and calendar_period(calendar, start) == period
        window = calendar if whole else Window.CUSTOM
    else:
        window = calendar or Window.WEEK
        period = default_period(window, last_day)
    return ReportPeriod(
        window, period, year_before(window, period), previous_period(window, period)
    )
