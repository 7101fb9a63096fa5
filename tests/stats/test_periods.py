"""Whole calendar periods and what they compare with; to-date windows ending on a month's last
day; where data ends (complete days, today so far) and comparisons without data behind them.

Expected periods are built here from the calendar (day by day), not from the code under test.
"""

from datetime import date, time, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from stats.compare import compare
from stats.coverage import (
    AFTER_LAST_DATA,
    BEFORE_FIRST_DATA,
    NO_DATA,
    PARTIAL_DATA,
    Cutoff,
    coverage_gap,
)
from stats.windows import (
    CALENDAR_WINDOWS,
    Period,
    Window,
    bucket_window,
    default_period,
    previous_period,
    window_period,
    year_before,
)

days = st.dates(min_value=date(2001, 1, 1), max_value=date(2098, 12, 31))


def key(window: str, day: date):
    """What identifies the calendar period of ``day``: its ISO week, month, quarter or year."""
    if window == Window.WEEK:
        return day.isocalendar()[:2]
    if window == Window.MONTH:
        return day.year, day.month
    if window == Window.QUARTER:
        return day.year, (day.month - 1) // 3
    return day.year


def days_of(window: str, day: date) -> list[date]:
    """Every day in the same calendar period as ``day``, found by walking the calendar."""
    first = last = day
    while key(window, first - timedelta(days=1)) == key(window, day):
        first -= timedelta(days=1)
    while key(window, last + timedelta(days=1)) == key(window, day):
        last += timedelta(days=1)
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


@pytest.mark.parametrize("window", CALENDAR_WINDOWS)
@given(day=days)
def test_a_calendar_window_is_the_whole_period_containing_its_date(window, day):
    every = days_of(window, day)
    assert window_period(window, day) == Period(every[0], every[-1])


def test_a_week_runs_from_monday_to_sunday():
    period = window_period(Window.WEEK, date(2024, 5, 31))
    assert (period.start.isoweekday(), period.end.isoweekday(), period.days) == (1, 7, 7)


@pytest.mark.parametrize("window", CALENDAR_WINDOWS)
@given(last_day=days)
def test_by_default_a_calendar_window_is_the_last_whole_period_ended_by_the_last_day(
    window, last_day
):
    period = default_period(window, last_day)
    assert period.end <= last_day
    assert period == window_period(window, period.start)
    # The next period has not ended yet.
    assert window_period(window, period.end + timedelta(days=1)).end > last_day


@pytest.mark.parametrize("window", CALENDAR_WINDOWS)
@given(day=days)
def test_a_calendar_window_compares_with_the_whole_period_before(window, day):
    period = window_period(window, day)
    before = period.start - timedelta(days=1)
    every = days_of(window, before)
    assert previous_period(window, period) == Period(every[0], every[-1])


@pytest.mark.parametrize("window", [Window.MONTH, Window.QUARTER, Window.YEAR])
@given(day=days)
def test_a_calendar_window_compares_with_the_same_whole_period_a_year_earlier(window, day):
    period = window_period(window, day)
    every = days_of(window, date(day.year - 1, day.month, 1))
    assert year_before(window, period) == Period(every[0], every[-1])


def test_whole_february_compares_with_whole_february_both_ways():
    leap = window_period(Window.MONTH, date(2024, 2, 10))
    assert year_before(Window.MONTH, leap) == Period(date(2023, 2, 1), date(2023, 2, 28))
    after_leap = window_period(Window.MONTH, date(2025, 2, 10))
    assert year_before(Window.MONTH, after_leap) == Period(date(2024, 2, 1), date(2024, 2, 29))


@given(day=days)
def test_a_week_compares_with_the_same_iso_week_a_year_earlier(day):
    period = window_period(Window.WEEK, day)
    year, week, _ = period.start.isocalendar()
    base = year_before(Window.WEEK, period)
    assert base.days == 7 and base.start.isoweekday() == 1
    base_year, base_week, _ = base.start.isocalendar()
    assert base_year == year - 1
    # Week 53 of a long year compares with week 52 when the year before has no week 53.
    assert base_week == week or (week == 53 and base_week == 52)


def test_month_to_date_ending_on_30_june_compares_with_the_whole_of_may():
    period = window_period(Window.MONTH_TO_DATE, date(2023, 6, 30))
    assert previous_period(Window.MONTH_TO_DATE, period) == Period(
        date(2023, 5, 1), date(2023, 5, 31)
    )


@given(day=days)
def test_month_to_date_ending_on_a_months_last_day_compares_with_the_whole_month_before(day):
    last = days_of(Window.MONTH, day)[-1]
    period = window_period(Window.MONTH_TO_DATE, last)
    every = days_of(Window.MONTH, period.start - timedelta(days=1))
    assert previous_period(Window.MONTH_TO_DATE, period) == Period(every[0], every[-1])


@given(day=days)
def test_quarter_to_date_ending_on_a_quarters_last_day_compares_with_the_whole_quarter_before(
    day,
):
    last = days_of(Window.QUARTER, day)[-1]
    period = window_period(Window.QUARTER_TO_DATE, last)
    every = days_of(Window.QUARTER, period.start - timedelta(days=1))
    assert previous_period(Window.QUARTER_TO_DATE, period) == Period(every[0], every[-1])


def test_month_to_date_ending_on_28_february_compares_with_whole_february_a_year_earlier():
    period = window_period(Window.MONTH_TO_DATE, date(2025, 2, 28))
    assert year_before(Window.MONTH_TO_DATE, period) == Period(date(2024, 2, 1), date(2024, 2, 29))


def test_month_to_date_before_the_months_end_compares_with_the_same_dates():
    period = window_period(Window.MONTH_TO_DATE, date(2024, 6, 15))
    assert previous_period(Window.MONTH_TO_DATE, period) == Period(
        date(2024, 5, 1), date(2024, 5, 15)
    )
    assert year_before(Window.MONTH_TO_DATE, period) == Period(date(2023, 6, 1), date(2023, 6, 15))


def test_year_to_date_ending_on_31_december_compares_with_the_whole_year_before():
    period = window_period(Window.YEAR_TO_DATE, date(2024, 12, 31))
    assert previous_period(Window.YEAR_TO_DATE, period) == Period(
        date(2023, 1, 1), date(2023, 12, 31)
    )


@pytest.mark.parametrize(
    ("interval", "bucket", "window"),
    [
        ("day", Period(date(2024, 2, 29), date(2024, 2, 29)), Window.DAY),
        ("week", Period(date(2024, 5, 27), date(2024, 6, 2)), Window.WEEK),
        ("week", Period(date(2024, 5, 28), date(2024, 6, 2)), Window.CUSTOM),
        ("month", Period(date(2024, 2, 1), date(2024, 2, 29)), Window.MONTH),
        ("month", Period(date(2024, 2, 1), date(2024, 2, 28)), Window.CUSTOM),
    ],
)
def test_a_series_bucket_is_the_window_its_days_make(interval, bucket, window):
    assert bucket_window(interval, bucket) == window


def test_the_last_day_with_data_is_yesterday_unless_today_so_far_is_asked_for():
    today = date(2024, 6, 2)
    assert Cutoff(today).last_day == date(2024, 6, 1)
    assert Cutoff(today, time(10, 0)).last_day == today


def test_today_so_far_cuts_only_a_period_ending_today():
    cutoff = Cutoff(date(2024, 6, 2), time(10, 0))
    assert cutoff.cuts(Period(date(2024, 5, 27), date(2024, 6, 2)))
    assert not cutoff.cuts(Period(date(2024, 5, 27), date(2024, 6, 1)))
    assert not Cutoff(date(2024, 6, 2)).cuts(Period(date(2024, 5, 27), date(2024, 6, 2)))
    assert cutoff.as_dict() == {"day": "2024-06-02", "until": "10:00"}


FIRST, LAST = date(2023, 1, 10), date(2024, 6, 1)


@pytest.mark.parametrize(
    ("base", "gap"),
    [
        (Period(date(2023, 2, 1), date(2023, 2, 28)), None),
        (Period(FIRST, FIRST), None),
        (Period(date(2023, 1, 1), date(2023, 1, 31)), (PARTIAL_DATA, BEFORE_FIRST_DATA)),
        (Period(date(2022, 1, 1), date(2022, 1, 31)), (NO_DATA, BEFORE_FIRST_DATA)),
        (Period(date(2024, 5, 20), date(2024, 6, 2)), (PARTIAL_DATA, AFTER_LAST_DATA)),
        (Period(date(2024, 6, 2), date(2024, 6, 9)), (NO_DATA, AFTER_LAST_DATA)),
    ],
)
def test_a_comparison_is_flagged_when_a_period_lies_outside_the_data(base, gap):
    current = Period(date(2024, 2, 1), date(2024, 2, 29))
    assert coverage_gap((current, base), FIRST, LAST) == gap


def test_every_comparison_of_a_source_without_data_has_no_data():
    period = Period(date(2024, 2, 1), date(2024, 2, 29))
    assert coverage_gap((period, period), None, LAST) == (NO_DATA, BEFORE_FIRST_DATA)


def test_a_comparison_without_data_has_neither_a_percentage_nor_a_z_score():
    block = compare(40, 10, gap=(NO_DATA, BEFORE_FIRST_DATA))
    assert block == {
        "base": 10,
        "change": 30,
        "pct_change": None,
        "z": None,
        "flag": NO_DATA,
        "reason": BEFORE_FIRST_DATA,
    }
