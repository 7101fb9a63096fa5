"""Reporting windows and the periods they are compared with (同比 and 环比)."""

import calendar
from datetime import date, timedelta
from typing import NamedTuple

from django.db import models
from django.utils.translation import gettext_lazy as _


class Window(models.TextChoices):
    DAY = "day", _("当日")
    WEEK_TO_DATE = "wtd", _("本周以来")
    ROLLING_7 = "7d", _("近7天")
    ROLLING_28 = "28d", _("近28天")
    MONTH_TO_DATE = "mtd", _("本月以来")
    QUARTER_TO_DATE = "qtd", _("本季度以来")
    YEAR_TO_DATE = "ytd", _("今年以来")
    ROLLING_365 = "365d", _("近365天")
    CUSTOM = "custom", _("自定义")


class Period(NamedTuple):
    """The days from ``start`` to ``end``, both included. A named tuple, not a frozen
    dataclass: a summary from the rollup cube builds three and takes only microseconds, and a
    frozen dataclass's __init__ costs several times a tuple's."""

    start: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def as_dict(self) -> dict:
        return {"from": iso_day(self.start), "to": iso_day(self.end)}


# Days written out, kept: a summary writes six, and date.isoformat() was a fifth of its time.
_ISO_DAYS: dict[date, str] = {}
ISO_DAYS_KEPT = 100_000


def iso_day(day: date) -> str:
    """day.isoformat(), from a table of the days already written."""
    text = _ISO_DAYS.get(day)
    if text is None:
        if len(_ISO_DAYS) >= ISO_DAYS_KEPT:
            _ISO_DAYS.clear()
        text = _ISO_DAYS[day] = day.isoformat()
    return text


def window_period(window: str, end: date, start: date | None = None) -> Period:
    """The days of ``window`` ending on ``end`` (``start`` is for custom windows)."""
    if window == Window.CUSTOM:
        if start is None:
            raise ValueError("a custom window needs a start date")
        if start > end:
            raise ValueError("the window ends before it starts")
        return Period(start, end)
    first = {
        Window.DAY: end,
        Window.WEEK_TO_DATE: end - timedelta(days=end.weekday()),
        Window.ROLLING_7: end - timedelta(days=6),
        Window.ROLLING_28: end - timedelta(days=27),
        Window.MONTH_TO_DATE: end.replace(day=1),
        Window.QUARTER_TO_DATE: date(end.year, 3 * ((end.month - 1) // 3) + 1, 1),
        Window.YEAR_TO_DATE: date(end.year, 1, 1),
        Window.ROLLING_365: end - timedelta(days=364),
    }.get(window)
    if first is None:
        raise ValueError(f"unknown window {window!r}")
    return Period(first, end)


def year_earlier(day: date) -> date:
    """The same date a year earlier; 29 February becomes 28 February."""
    if day.month == 2 and day.day == 29:
        return date(day.year - 1, 2, 28)
    return date(day.year - 1, day.month, day.day)


def same_period_last_year(period: Period) -> Period:
    start, end = period
    try:
        return Period(start.replace(year=start.year - 1), end.replace(year=end.year - 1))
    except ValueError:  # 29 February
        return Period(year_earlier(start), year_earlier(end))


# Calendar windows compare with the same days this many months earlier.
MONTHS_BEFORE = {Window.MONTH_TO_DATE: 1, Window.QUARTER_TO_DATE: 3}


def previous_period(window: str, period: Period) -> Period:
    """The period 环比 compares with: the previous month or quarter up to the same day for
    those calendar windows, otherwise the window of the same length just before."""
    months = MONTHS_BEFORE.get(window)
    if months:
        return Period(_months_earlier(period.start, months), _months_earlier(period.end, months))
    # Day ordinals, not timedelta arithmetic: summaries from the rollup cube take only
    # microseconds, and this was a noticeable part of them.
    start, end = period.start.toordinal(), period.end.toordinal()
    length = end - start + 1
    return Period(date.fromordinal(start - length), date.fromordinal(end - length))


def _months_earlier(day: date, months: int) -> date:
    """The same day of the month ``months`` earlier, or that month's last day if it is shorter."""
    month_index = day.year * 12 + day.month - 1 - months
    year, month = divmod(month_index, 12)
    month += 1
    if day.day <= 28:
        return date(year, month, day.day)
    # calendar.monthrange also works out the weekday: several times the cost of this.
    length = calendar.mdays[month] + (month == 2 and calendar.isleap(year))
    return date(year, month, min(day.day, length))
