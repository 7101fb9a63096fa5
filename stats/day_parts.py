"""Today so far: a day's rollup rows counting only the records before a time of day, read from
the records (the rollups hold whole days), so today's hours compare with the same hours of the
days they are compared with."""

from datetime import date, datetime, time

from django.utils import timezone

from .days import day_bounds
from .grouping import grouped_totals
from .registry import MetricSource


def day_part_totals(
    source: MetricSource, days: list[date], until: time
) -> dict[date, dict[tuple[int, int], list]]:
    """Per day, the source's measures (in its order) per (area key, category key) of the
    records from the day's start to before ``until`` on it."""
    category_ids = dict(source.category_model.objects.values_list("code", "id"))
    zone = timezone.get_default_timezone()
    parts = {}
    for day in set(days):
        start, _ = day_bounds(day)
        parts[day] = grouped_totals(
            source, start, datetime.combine(day, until, tzinfo=zone), category_ids
        )
    return parts


def part_value(parts: dict, day: date, key: tuple[int, int], index: int):
    """One measure's value (by its index in the source's measures) of a key on a day; 0 if
    the key had no records."""
    values = parts.get(day, {}).get(key)
    return 0 if values is None else values[index]
