"""Reporting windows and the periods they are compared with (同比 and 环比)."""

import calendar
from datetime import date, timedelta
from typing import NamedTuple

from django.db import models
from django.utils.translation import gettext_lazy as _


class Window(models.TextChoices):
    DAY = "day", _("当日")
    # Whole calendar periods: the one containing the date, by default the last complete one.
    WEEK = "week", _("自然周")
    MONTH = "month", _("自然月")
    QUARTER = "quarter", _("自然季度")
    YEAR = "year", _("自然年")
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


# The whole calendar periods, and the to-date windows that grow towards each.
CALENDAR_WINDOWS = (Window.WEEK, Window.MONTH, Window.QUARTER, Window.YEAR)
TO_DATE_WINDOWS = (
    Window.WEEK_TO_DATE,
    Window.MONTH_TO_DATE,
    Window.QUARTER_TO_DATE,
    Window.YEAR_TO_DATE,
)


def last_complete_day(today: date) -> date:
    """The day windows end on by default: yesterday, the last day whose records are all in."""
    return today - timedelta(days=1)


def window_period(window: str, end: date, start: date | None = None) -> Period:
    """The days of ``window`` ending on ``end`` (``start`` is for custom windows); for a
    calendar window, the whole week, month, quarter or year containing ``end``."""
    if window == Window.CUSTOM:
        if start is None:
            raise ValueError("a custom window needs a start date")
        if start > end:
            raise ValueError("the window ends before it starts")
        return Period(start, end)
    if window in CALENDAR_WINDOWS:
        return calendar_period(window, end)
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


def default_period(window: str, last_day: date) -> Period:
    """The whole calendar period of ``window`` given when no date is: the last one that has
    ended by ``last_day`` (the last complete day)."""
    period = calendar_period(window, last_day)
    if period.end > last_day:
        period = calendar_period(window, period.start - timedelta(days=1))
    return period


def calendar_period(window: str, day: date) -> Period:
    """The whole ISO week (Monday to Sunday), month, quarter or year containing ``day``."""
    if window == Window.WEEK:
        monday = day - timedelta(days=day.weekday())
        return Period(monday, monday + timedelta(days=6))
    if window == Window.MONTH:
        return Period(day.replace(day=1), month_end(day.year, day.month))
    if window == Window.QUARTER:
        first_month = 3 * ((day.month - 1) // 3) + 1
        return Period(date(day.year, first_month, 1), month_end(day.year, first_month + 2))
    if window == Window.YEAR:
        return Period(date(day.year, 1, 1), date(day.year, 12, 31))
    raise ValueError(f"{window!r} is not a calendar window")


def month_end(year: int, month: int) -> date:
    # calendar.monthrange also works out the weekday: several times the cost of this.
    return date(year, month, calendar.mdays[month] + (month == 2 and calendar.isleap(year)))


def is_month_end(day: date) -> bool:
    return day.day >= 28 and (day + timedelta(days=1)).day == 1


def bucket_window(interval: str, bucket: Period) -> str:
    """The window a series bucket is: a day, a whole week or month, or else (a bucket clipped
    by its series' period) custom days. A bucket compares as a summary of that window does."""
    if interval == "day":
        return Window.DAY
    if interval in ("week", "month"):
        whole = Window.WEEK if interval == "week" else Window.MONTH
        if calendar_period(whole, bucket.start) == bucket:
            return whole
    return Window.CUSTOM


def year_earlier(day: date) -> date:
    """The same date a year earlier; 29 February becomes 28 February."""
    if day.month == 2 and day.day == 29:
        return date(day.year - 1, 2, 28)
    return date(day.year - 1, day.month, day.day)


def same_period_last_year(period: Period) -> Period:
    """The same dates a year earlier (29 February as 28 February)."""
    start, end = period
    try:
        return Period(start.replace(year=start.year - 1), end.replace(year=end.year - 1))
    except ValueError:  # 29 February
        return Period(year_earlier(start), year_earlier(end))


def year_before(window: str, period: Period) -> Period:
    """The period 同比 compares with. A whole calendar period: the same one a year earlier
    (the same ISO week number; whole February for whole February). A to-date window ending on
    its month's last day: up to that month's last day a year earlier. Otherwise the same
    dates a year earlier (29 February as 28 February)."""
    if window == Window.WEEK:
        year, week, _weekday = period.start.isocalendar()
        # The ISO year before has week 53 only in some years; week 52 stands in for it.
        if week == 53 and date(year - 1, 12, 28).isocalendar()[1] < 53:
            week = 52
        return calendar_period(window, date.fromisocalendar(year - 1, week, 1))
    if window in CALENDAR_WINDOWS:
        start = period.start
        return calendar_period(window, start.replace(year=start.year - 1))
    end = period.end
    if window in TO_DATE_WINDOWS and window != Window.WEEK_TO_DATE and is_month_end(end):
        start = period.start
        return Period(start.replace(year=start.year - 1), month_end(end.year - 1, end.month))
    return same_period_last_year(period)


# To-date windows compare with the same days this many months earlier.
MONTHS_BEFORE = {Window.MONTH_TO_DATE: 1, Window.QUARTER_TO_DATE: 3}


def previous_period(window: str, period: Period) -> Period:
    """The period 环比 compares with: for a whole calendar period the whole one before; for
    month and quarter to date the previous month or quarter up to the same day (up to its last
    day when the window ends on its month's last day, so 1–30 June compares with all of May);
    year to date ending on 31 December the whole year before; otherwise the window of the
    same length just before."""
    if window in CALENDAR_WINDOWS:
        return calendar_period(window, period.start - timedelta(days=1))
    months = MONTHS_BEFORE.get(window)
    if months:
        return Period(_months_earlier(period.start, months), _months_earlier(period.end, months))
    if window == Window.YEAR_TO_DATE and (period.end.month, period.end.day) == (12, 31):
        return calendar_period(Window.YEAR, date(period.end.year - 1, 1, 1))
    # Day ordinals, not timedelta arithmetic: summaries from the rollup cube take only
    # microseconds, and this was a noticeable part of them.
    start, end = period.start.toordinal(), period.end.toordinal()
    length = end - start + 1
    return Period(date.fromordinal(start - length), date.fromordinal(end - length))


def _months_earlier(day: date, months: int) -> date:
    """The same day of the month ``months`` earlier, or that month's last day if it is shorter
    or ``day`` is its month's last day."""
    month_index = day.year * 12 + day.month - 1 - months
    year, month = divmod(month_index, 12)
    month += 1
    if day.day <= 27:
        return date(year, month, day.day)
    last = month_end(year, month)
    if is_month_end(day):
        return last
    return date(year, month, min(day.day, last.day))
