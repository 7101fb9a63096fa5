"""Statistics series: a period in buckets (days, weeks, months), each with last year's value.

A bucket compares exactly as a summary of its days does (stats.windows.bucket_window): a day
with the same day a year earlier (29 February with 28 February), a whole week or month with
the whole one a year earlier (whole February with whole February), a bucket clipped by the
period with the same dates a year earlier.
"""

from bisect import bisect_left, bisect_right
from datetime import date, timedelta

from django.utils import timezone

from .compare import compare, number
from .coverage import Cutoff, coverage_gap
from .day_parts import day_part_totals, part_value
from .selectors import Subject, first_data_day
from .windows import Period, bucket_window, year_before


def _daily(subject: Subject, period: Period, measure: str) -> dict[date, float]:
    rows = subject.source.rollup.objects.filter(
        area_key=subject.area_key,
        category_key=subject.category_key,
        day__range=(period.start, period.end),
    ).values_list("day", measure)
    return {day: number(value) for day, value in rows}


def _range_summer(values: dict[date, float]):
    """A function giving the total of ``values`` over a range of days, by prefix sums."""
    days = sorted(values)
    prefix = [0]
    for day in days:
        prefix.append(prefix[-1] + values[day])

    def total(first: date, last: date):
        if first > last:
            return 0
        return prefix[bisect_right(days, last)] - prefix[bisect_left(days, first)]

    return total


def _bucket_start(day: date, interval: str) -> date:
    if interval == "week":
        return day - timedelta(days=day.weekday())
    if interval == "month":
        return day.replace(day=1)
    return day


def series_buckets(period: Period, interval: str) -> list[Period]:
    """The period's days, day by day, or in calendar weeks or months clipped to it."""
    buckets: dict[date, list] = {}
    day = period.start
    while day <= period.end:
        start = max(_bucket_start(day, interval), period.start)
        buckets.setdefault(start, [start, day])[1] = day
        day += timedelta(days=1)
    return [Period(first, last) for first, last in buckets.values()]


def stats_timeseries(
    *,
    subject: Subject,
    period: Period,
    measure: str,
    interval: str,
    cutoff: Cutoff | None = None,
) -> dict:
    """Buckets of the period (clipped to it) with this year's and last year's totals."""
    cutoff = cutoff or Cutoff(timezone.localdate())
    buckets = series_buckets(period, interval)
    bases = [year_before(bucket_window(interval, bucket), bucket) for bucket in buckets]
    base_span = Period(min(base.start for base in bases), max(base.end for base in bases))
    current_total = _range_summer(_daily(subject, period, measure))
    last_year_total = _range_summer(_daily(subject, base_span, measure))
    # Today so far: the last bucket's last day, and its base's, count up to the same time.
    cut = cutoff.cuts(period)
    parts = (
        day_part_totals(subject.source, [period.end, bases[-1].end], cutoff.until) if cut else {}
    )
    key, index = (
        (subject.area_key, subject.category_key),
        list(subject.source.measures).index(measure),
    )
    first_day, last_day = first_data_day(subject.source), cutoff.last_day
    kind = subject.source.measures[measure].kind
    points = []
    for bucket, base in zip(buckets, bases, strict=True):
        if cut and bucket.end == period.end:
            one_day = timedelta(days=1)
            value = current_total(bucket.start, bucket.end - one_day)
            value += number(part_value(parts, bucket.end, key, index))
            base_value = last_year_total(base.start, base.end - one_day)
            base_value += number(part_value(parts, base.end, key, index))
        else:
            value = current_total(bucket.start, bucket.end)
            base_value = last_year_total(base.start, base.end)
        gap = coverage_gap((bucket, base), first_day, last_day)
        points.append(
            {
                "from": bucket.start.isoformat(),
                "to": bucket.end.isoformat(),
                "value": value,
                "last_year": base_value,
                "last_year_period": base.as_dict(),
                "yoy": compare(value, base_value, kind, gap),
            }
        )
    return {
        "measure": measure,
        "interval": interval,
        "period": period.as_dict(),
        "today_so_far": cutoff.as_dict() if cut else None,
        "points": points,
    }
