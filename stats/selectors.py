"""Statistics reads: summaries, series and breakdowns from the rollups, scoped to the user."""

from bisect import bisect_left, bisect_right
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import connection
from django.db.models import Count, F, Q, Sum
from django.db.models.functions import ExtractHour, ExtractIsoWeekDay
from django.utils import timezone

from areas.models import Area
from areas.scoping import scope_for

from .compare import compare, number
from .cube import cube_totals
from .days import day_bounds
from .models import ALL_CATEGORIES, EVERYWHERE, CompstatSnapshot
from .registry import MetricSource
from .windows import Period, previous_period, same_period_last_year, year_earlier


@dataclass(frozen=True)
class Subject:
    """What a statistic is about: an area node and a category node of one source."""

    source: MetricSource
    area_key: int = EVERYWHERE
    area_path: str = ""
    category_key: int = ALL_CATEGORIES
    category_path: str = ""


def _sum_in_database(
    subject: Subject, periods: tuple[Period, ...], measures: list[str]
) -> list[list]:
    """The totals in one statement written out, not composed by the ORM (composing took most
    of the time), with the values converted as the ORM converts a Sum's."""
    rollup = subject.source.rollup._meta
    ops = connection.ops

    def column(name: str) -> str:
        return ops.quote_name(rollup.get_field(name).column)

    in_period = f"{column('day')} BETWEEN %s AND %s"
    bounds = [
        (ops.adapt_datefield_value(period.start), ops.adapt_datefield_value(period.end))
        for period in periods
    ]
    sums = [f"SUM(CASE WHEN {in_period} THEN {column(m)} END)" for m in measures for _ in bounds]
    statement = (
        f"SELECT {', '.join(sums)} FROM {ops.quote_name(rollup.db_table)} "
        f"WHERE {column('area_key')} = %s AND {column('category_key')} = %s "
        f"AND ({' OR '.join([in_period] * len(bounds))})"
    )
    params = [day for _ in measures for pair in bounds for day in pair]
    params += [subject.area_key, subject.category_key]
    params += [day for pair in bounds for day in pair]
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        values = iter(cursor.fetchone())
    totals = []
    for measure in measures:
        output = Sum(measure, output_field=rollup.get_field(measure))
        converters = [*ops.get_db_converters(output), *output.get_db_converters(connection)]
        measure_totals = []
        for _ in bounds:
            value = next(values)
            for convert in converters:
                value = convert(value, output, connection)
            measure_totals.append(number(value))
        totals.append(measure_totals)
    return totals


def stats_summary(*, subject: Subject, window: str, period: Period, measures: list[str]) -> dict:
    yoy, pop = same_period_last_year(period), previous_period(window, period)
    periods = (period, yoy, pop)
    # From the rollup cube when it can answer, else in one query over the subject's rollups.
    totals = cube_totals(subject, periods, measures)
    if totals is None:
        totals = _sum_in_database(subject, periods, measures)
    source_measures = subject.source.measures
    blocks = {}
    for measure, (current, yoy_base, pop_base) in zip(measures, totals, strict=True):
        kind = source_measures[measure].kind
        blocks[measure] = {
            "current": current,
            "yoy": compare(current, yoy_base, kind),
            "pop": compare(current, pop_base, kind),
        }
    return {
        "window": window,
        "period": period.as_dict(),
        "yoy_period": yoy.as_dict(),
        "pop_period": pop.as_dict(),
        "measures": blocks,
    }


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


def stats_timeseries(*, subject: Subject, period: Period, measure: str, interval: str) -> dict:
    """Buckets of the period (clipped to it) with this year's and last year's totals."""
    current = _daily(subject, period, measure)
    last_year = _daily(subject, same_period_last_year(period), measure)
    buckets: dict[date, list] = {}
    day = period.start
    while day <= period.end:
        start = max(_bucket_start(day, interval), period.start)
        bucket = buckets.setdefault(start, [start, day, 0, 0])
        bucket[1] = day
        day += timedelta(days=1)
    current_total = _range_summer(current)
    last_year_total = _range_summer(last_year)
    for bucket in buckets.values():
        first, last = bucket[0], bucket[1]
        bucket[2] = current_total(first, last)
        # A bucket starting on 29 February begins last year on 1 March: 28 February already
        # belongs to the bucket before, and counting it twice would break the year's total.
        base_first = year_earlier(first)
        if (first.month, first.day) == (2, 29):
            base_first += timedelta(days=1)
        bucket[3] = last_year_total(base_first, year_earlier(last))
    kind = subject.source.measures[measure].kind
    return {
        "measure": measure,
        "interval": interval,
        "period": period.as_dict(),
        "points": [
            {
                "from": first.isoformat(),
                "to": last.isoformat(),
                "value": value,
                "last_year": base,
                "yoy": compare(value, base, kind),
            }
            for first, last, value, base in buckets.values()
        ],
    }


def stats_breakdown_keys(
    *, subject: Subject, window: str, period: Period, measure: str, keys: dict[int, dict], by: str
) -> list[dict]:
    """Each child key (area or category) with its current value and comparisons."""
    rollup = subject.source.rollup
    periods = {
        "current": period,
        "yoy": same_period_last_year(period),
        "pop": previous_period(window, period),
    }
    filters = {"area_key": subject.area_key, "category_key": subject.category_key}
    key_field = "area_key" if by == "area" else "category_key"
    filters.pop(key_field)
    any_range = Q()
    for p in periods.values():
        any_range |= Q(day__range=(p.start, p.end))
    rows = (
        rollup.objects.filter(**filters, **{f"{key_field}__in": list(keys)})
        .filter(any_range)
        .values(key_field)
        .annotate(
            **{
                name: Sum(measure, filter=Q(day__range=(p.start, p.end)))
                for name, p in periods.items()
            }
        )
    )
    found = {row[key_field]: row for row in rows}
    kind = subject.source.measures[measure].kind
    result = []
    for key, info in keys.items():
        row = found.get(key, {})
        current = number(row.get("current"))
        result.append(
            {
                **info,
                "current": current,
                "yoy": compare(current, row.get("yoy"), kind),
                "pop": compare(current, row.get("pop"), kind),
            }
        )
    result.sort(key=lambda item: -item["current"])
    return result


def child_areas(subject: Subject) -> dict[int, dict]:
    if subject.area_key == EVERYWHERE:
        children = Area.objects.filter(parent__isnull=True)
    else:
        children = Area.objects.filter(parent_id=subject.area_key)
    return {
        area.id: {
            "id": area.id,
            "code": area.code,
            "name": area.name,
            "name_en": area.name_en,
            "kind": area.kind,
        }
        for area in children.order_by(F("sort_order").asc(nulls_last=True), "code")
    }


def child_area_path(subject: Subject, key: int) -> str:
    """The materialized path of one of child_areas(subject)."""
    return f"{subject.area_path or '/'}{key}/"


def child_categories(subject: Subject) -> dict[int, dict]:
    """The categories one level below the subject's in its source's category tree (a flat
    list of types, such as the dispute types, has children only under "all")."""
    model = subject.source.category_model
    parent = None if subject.category_key == ALL_CATEGORIES else subject.category_key
    if any(field.name == "parent" for field in model._meta.fields):
        children = model.objects.filter(parent_id=parent)
    else:
        children = model.objects.all() if parent is None else model.objects.none()
    return {
        category.id: {"code": category.code, "name": category.name, "name_en": category.name_en}
        for category in children.order_by("sort_order", "code")
    }


def hour_weekday_matrix(*, subject: Subject, period: Period) -> dict:
    """Counts by ISO weekday (1 = Monday) and local hour, straight from the records."""
    source = subject.source
    tz = timezone.get_default_timezone()
    start, _ = day_bounds(period.start)
    _, end = day_bounds(period.end)
    records = source.records().filter(
        **{f"{source.time_field}__gte": start, f"{source.time_field}__lt": end}
    )
    if subject.area_path:
        records = records.filter(**{f"{source.area_path_field}__startswith": subject.area_path})
    if subject.category_path:
        records = records.filter(
            **{f"{source.category_path_field}__startswith": subject.category_path}
        )
    counts = (
        records.order_by()
        .annotate(
            weekday=ExtractIsoWeekDay(source.time_field, tzinfo=tz),
            hour=ExtractHour(source.time_field, tzinfo=tz),
        )
        .values("weekday", "hour")
        .annotate(count=Count("pk"))
    )
    matrix = defaultdict(lambda: [0] * 24)
    for row in counts:
        matrix[row["weekday"]][row["hour"]] = row["count"]
    return {
        "period": period.as_dict(),
        "weekdays": [1, 2, 3, 4, 5, 6, 7],
        "matrix": [matrix[weekday] for weekday in range(1, 8)],
    }


def compstat_snapshots(*, user):
    """Published CompStat snapshots of the areas in the user's jurisdiction, newest first."""
    scope = scope_for(user)
    snapshots = CompstatSnapshot.objects.select_related("report").order_by(
        "-week_ending", "area_path"
    )
    if scope.everything:
        return snapshots
    if not scope.path:
        return snapshots.none()
    return snapshots.filter(area_path__startswith=scope.path)
