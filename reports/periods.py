"""The days a briefing covers and the days it is compared with, in one place.

Every kind's period is worked out here and nowhere else, so that when the statistics engine
offers calendar windows (whole weeks and months, with their own 同比/环比 periods) this is the
one function to switch to them. Until then a briefing asks the engine for a custom window of
its days: 同比 is the same days a year earlier, 环比 the same number of days just before (for a
week exactly the week before; for a month the days before it, not always the calendar month).
"""

from datetime import date, timedelta
from typing import NamedTuple

from stats.windows import Period, Window, previous_period, same_period_last_year


class ReportPeriod(NamedTuple):
    """A briefing's window (as the statistics API names it), its days and comparison days."""

    window: str
    period: Period
    yoy: Period
    pop: Period


def report_period(
    kind: str, *, today: date, start: date | None = None, end: date | None = None
) -> ReportPeriod:
    """The period of a briefing of ``kind`` made on ``today``: the last whole ISO week (Monday
    to Sunday) for weekly, the last whole month for monthly; ``start``/``end`` (a campaign's
    dates, or days chosen by hand) win over both, ending yesterday at the latest."""
    if start is not None and end is not None:
        period = Period(start, min(end, today - timedelta(days=1)))
    elif kind == "monthly":
        last = today.replace(day=1) - timedelta(days=1)
        period = Period(last.replace(day=1), last)
    else:
        this_monday = today - timedelta(days=today.weekday())
        period = Period(this_monday - timedelta(days=7), this_monday - timedelta(days=1))
    if period.end < period.start:
        raise ValueError("the period has no whole day before today")
    window = Window.CUSTOM
    return ReportPeriod(
        window, period, same_period_last_year(period), previous_period(window, period)
    )
