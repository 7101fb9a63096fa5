"""Reporting windows, the periods they are compared with, and the comparison block."""

import math
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from stats import windows
from stats.compare import NOTABLE_Z, SIGNIFICANT_Z, compare, rounded
from stats.windows import (
    Period,
    Window,
    previous_period,
    same_period_last_year,
    window_period,
    year_earlier,
)

# A Friday in a leap year, the last day of May.
FRIDAY = date(2024, 5, 31)


def poisson_z(current: float, base: float) -> float:
    return 2 * (math.sqrt(current) - math.sqrt(base))


def test_day_window_is_the_day_itself():
    assert window_period(Window.DAY, FRIDAY) == Period(FRIDAY, FRIDAY)


def test_week_to_date_starts_on_the_monday_before():
    period = window_period(Window.WEEK_TO_DATE, FRIDAY)
    assert period.start == date(2024, 5, 27)
    assert period.start.weekday() == 0


def test_week_to_date_on_a_monday_is_that_day_alone():
    monday = date(2024, 5, 27)
    assert window_period(Window.WEEK_TO_DATE, monday) == Period(monday, monday)


def test_week_to_date_on_a_sunday_covers_the_whole_week():
    sunday = date(2024, 6, 2)
    assert window_period(Window.WEEK_TO_DATE, sunday) == Period(date(2024, 5, 27), sunday)


def test_month_to_date_starts_on_the_first_of_the_month():
    assert window_period(Window.MONTH_TO_DATE, FRIDAY).start == date(2024, 5, 1)


@pytest.mark.parametrize(
    ("end", "first"),
    [
        (date(2024, 1, 1), date(2024, 1, 1)),
        (date(2024, 3, 31), date(2024, 1, 1)),
        (date(2024, 4, 1), date(2024, 4, 1)),
        (date(2024, 5, 31), date(2024, 4, 1)),
        (date(2024, 9, 30), date(2024, 7, 1)),
        (date(2024, 12, 31), date(2024, 10, 1)),
    ],
)
def test_quarter_to_date_starts_on_the_first_day_of_the_quarter(end, first):
    assert window_period(Window.QUARTER_TO_DATE, end) == Period(first, end)


def test_year_to_date_starts_on_the_first_of_january():
    assert window_period(Window.YEAR_TO_DATE, FRIDAY) == Period(date(2024, 1, 1), FRIDAY)


@pytest.mark.parametrize(
    ("window", "days"),
    [(Window.ROLLING_7, 7), (Window.ROLLING_28, 28), (Window.ROLLING_365, 365)],
)
def test_rolling_window_covers_its_number_of_days_ending_on_the_date(window, days):
    period = window_period(window, FRIDAY)
    assert period.end == FRIDAY
    assert period.start == FRIDAY - timedelta(days=days - 1)
    assert period.days == days


def test_custom_window_spans_start_to_end():
    start = date(2024, 2, 10)
    assert window_period(Window.CUSTOM, FRIDAY, start) == Period(start, FRIDAY)


def test_custom_window_of_one_day_is_allowed():
    assert window_period(Window.CUSTOM, FRIDAY, FRIDAY).days == 1


def test_custom_window_needs_a_start():
    with pytest.raises(ValueError, match="start"):
        window_period(Window.CUSTOM, FRIDAY)


def test_custom_window_refuses_an_end_before_its_start():
    with pytest.raises(ValueError, match="before"):
        window_period(Window.CUSTOM, date(2024, 5, 1), date(2024, 5, 2))


def test_unknown_window_is_refused():
    with pytest.raises(ValueError, match="unknown window"):
        window_period("fortnight", FRIDAY)


def test_period_as_dict_gives_iso_dates():
    period = Period(date(2024, 1, 1), FRIDAY)
    assert period.as_dict() == {"from": "2024-01-01", "to": "2024-05-31"}


def test_year_earlier_keeps_month_and_day():
    assert year_earlier(FRIDAY) == date(2023, 5, 31)


def test_same_period_last_year_turns_29_february_into_28_february():
    leap_day = date(2024, 2, 29)
    assert same_period_last_year(Period(leap_day, leap_day)) == Period(
        date(2023, 2, 28), date(2023, 2, 28)
    )


def test_same_period_last_year_of_a_window_ending_on_29_february_ends_on_28_february():
    period = Period(date(2024, 2, 1), date(2024, 2, 29))
    assert same_period_last_year(period) == Period(date(2023, 2, 1), date(2023, 2, 28))


def test_previous_period_of_month_to_date_clamps_31_may_to_30_april():
    period = window_period(Window.MONTH_TO_DATE, date(2024, 5, 31))
    assert previous_period(Window.MONTH_TO_DATE, period) == Period(
        date(2024, 4, 1), date(2024, 4, 30)
    )


def test_previous_period_of_month_to_date_clamps_to_29_february_in_a_leap_year():
    period = window_period(Window.MONTH_TO_DATE, date(2024, 3, 31))
    assert previous_period(Window.MONTH_TO_DATE, period) == Period(
        date(2024, 2, 1), date(2024, 2, 29)
    )


def test_previous_period_of_month_to_date_in_january_is_last_december():
    period = window_period(Window.MONTH_TO_DATE, date(2024, 1, 15))
    assert previous_period(Window.MONTH_TO_DATE, period) == Period(
        date(2023, 12, 1), date(2023, 12, 15)
    )


def test_previous_period_of_quarter_to_date_is_the_previous_quarter_to_the_same_day():
    period = window_period(Window.QUARTER_TO_DATE, date(2024, 5, 15))
    assert previous_period(Window.QUARTER_TO_DATE, period) == Period(
        date(2024, 1, 1), date(2024, 2, 15)
    )


def test_previous_period_of_quarter_to_date_clamps_the_day():
    period = window_period(Window.QUARTER_TO_DATE, date(2024, 5, 31))
    assert previous_period(Window.QUARTER_TO_DATE, period) == Period(
        date(2024, 1, 1), date(2024, 2, 29)
    )


def test_previous_period_of_the_first_quarter_is_last_years_fourth_quarter():
    period = window_period(Window.QUARTER_TO_DATE, date(2024, 3, 31))
    assert previous_period(Window.QUARTER_TO_DATE, period) == Period(
        date(2023, 10, 1), date(2023, 12, 31)
    )


@pytest.mark.parametrize(
    "window", [Window.DAY, Window.ROLLING_7, Window.ROLLING_28, Window.ROLLING_365]
)
def test_previous_period_of_a_rolling_window_is_as_long_and_ends_the_day_before(window):
    period = window_period(window, FRIDAY)
    previous = previous_period(window, period)
    assert previous.days == period.days
    assert previous.end == period.start - timedelta(days=1)


def test_previous_period_of_year_to_date_is_as_long_and_ends_on_31_december():
    period = window_period(Window.YEAR_TO_DATE, FRIDAY)
    assert previous_period(Window.YEAR_TO_DATE, period) == Period(
        date(2023, 8, 2), date(2023, 12, 31)
    )


def test_compare_from_zero_is_new_without_a_percent_change():
    block = compare(5, 0)
    assert block["pct_change"] is None
    assert block["flag"] == "new"
    assert block["change"] == 5


def test_compare_treats_a_missing_base_as_zero():
    block = compare(3, None)
    assert block["base"] == 0
    assert block["flag"] == "new"


def test_compare_zero_to_zero_is_neither_new_nor_flagged():
    block = compare(0, 0)
    assert block["pct_change"] is None
    assert block["flag"] is None
    assert block["z"] == 0


def test_compare_gives_the_percent_change_of_the_base_to_one_decimal():
    assert compare(4, 3)["pct_change"] == 33.3


def test_compare_gives_the_poisson_z_score_to_two_decimals():
    assert compare(40, 25)["z"] == round(poisson_z(40, 25), 2)


def test_compare_does_not_flag_two_becoming_four():
    block = compare(4, 2)
    assert block["pct_change"] == 100.0
    assert block["flag"] is None


def test_compare_flags_two_thousand_becoming_four_thousand_as_significant():
    block = compare(4000, 2000)
    assert block["pct_change"] == 100.0
    assert block["flag"] == "significant"


def test_compare_flags_a_rise_with_z_between_two_and_three_as_notable():
    current, base = 125, 100
    assert NOTABLE_Z <= abs(poisson_z(current, base)) < SIGNIFICANT_Z
    assert compare(current, base)["flag"] == "notable"


def test_compare_flags_a_fall_with_z_between_two_and_three_as_notable():
    current, base = 100, 125
    assert NOTABLE_Z <= abs(poisson_z(current, base)) < SIGNIFICANT_Z
    assert compare(current, base)["flag"] == "notable"


def test_compare_flags_a_fall_with_z_beyond_three_as_significant():
    current, base = 50, 100
    assert abs(poisson_z(current, base)) >= SIGNIFICANT_Z
    assert compare(current, base)["flag"] == "significant"


def test_compare_of_amounts_has_no_z_score():
    block = compare(Decimal("4000.00"), Decimal("2000.00"), kind="amount")
    assert block["z"] is None
    assert block["flag"] is None
    assert block["pct_change"] == 100.0


def test_compare_of_amounts_gives_plain_numbers_for_decimals():
    block = compare(Decimal("12.50"), Decimal("10.00"), kind="amount")
    assert block["base"] == 10.0 and isinstance(block["base"], float)
    assert block["change"] == 2.5


@given(st.floats(allow_nan=False, allow_infinity=False), st.sampled_from([0, 1, 2, 3]))
def test_fast_rounding_gives_pythons_round_for_any_float(value, digits):
    assert_same_float(rounded(value, digits), round(value, digits))


@given(st.integers(-(10**12), 10**12), st.integers(1, 10**12))
def test_fast_rounding_gives_pythons_round_for_percent_changes(change, base):
    value = 100.0 * change / base
    assert_same_float(rounded(value, 1), round(value, 1))


@given(
    st.integers(-(10**9), 10**9),
    st.sampled_from([0, 1, 2, 3]),
    st.floats(min_value=-1e-5, max_value=1e-5),
)
def test_fast_rounding_gives_pythons_round_next_to_a_half(whole, digits, nudge):
    value = (whole + 0.5 + nudge) / 10**digits
    assert_same_float(rounded(value, digits), round(value, digits))


def assert_same_float(fast: float, expected: float) -> None:
    assert fast == expected
    assert math.copysign(1.0, fast) == math.copysign(1.0, expected)


def test_days_are_written_out_as_iso_dates_from_a_bounded_table(monkeypatch):
    monkeypatch.setattr(windows, "ISO_DAYS_KEPT", 3)
    monkeypatch.setattr(windows, "_ISO_DAYS", {})
    days = [FRIDAY + timedelta(days=offset) for offset in range(7)]
    assert [windows.iso_day(day) for day in days * 2] == [day.isoformat() for day in days * 2]
    assert len(windows._ISO_DAYS) <= 3
