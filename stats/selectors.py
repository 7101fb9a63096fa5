"""Statistics reads: summaries and breakdowns from the rollups, scoped to the user (series:
stats.series; top movers: stats.movers)."""

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
from .coverage import Cutoff, Gap, coverage_gap
from .cube import NOT_HELD, cube_first_day, cube_totals
from .day_parts import day_part_totals, part_value
from .days import day_bounds
from .models import ALL_CATEGORIES, EVERYWHERE, CompstatSnapshot
from .registry import MetricSource
from .rollup_reads import first_rollup_day
from .windows import Period, iso_day, previous_period, year_before


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


def first_data_day(source: MetricSource) -> date | None:
    """The first day with any of the source's records (None: none yet): from the rollup cube
    when it holds the current rollups, else the first entry of the rollups' index."""
    held = cube_first_day(source)
    return first_rollup_day(source) if held is NOT_HELD else held


def comparison_gaps(
    first_day: date | None, period: Period, bases: dict[str, Period], cutoff: Cutoff
) -> dict[str, Gap | None]:
    """Per comparison (yoy, pop), whether it or the period lies outside the source's data,
    which begins on ``first_day``."""
    last = cutoff.last_day
    return {name: coverage_gap((period, base), first_day, last) for name, base in bases.items()}


def whole_days(period: Period, cutoff: Cutoff, base_periods) -> tuple[Period, ...]:
    """The periods as summed from the rollups: without their last day when it counts only
    up to the cutoff's time (today so far; that day is read from the records)."""
    periods = (period, *base_periods)
    if not cutoff.cuts(period):
        return periods
    return tuple(Period(p.start, p.end - timedelta(days=1)) for p in periods)


def stats_summary(
    *,
    subject: Subject,
    window: str,
    period: Period,
    measures: list[str],
    cutoff: Cutoff | None = None,
) -> dict:
    """Per measure, the period's value with 同比 (yoy) and 环比 (pop) blocks. ``cutoff``: where
    the data ends (default: the complete days before today)."""
    cutoff = cutoff or Cutoff(timezone.localdate())
    yoy, pop = year_before(window, period), previous_period(window, period)
    periods = whole_days(period, cutoff, (yoy, pop))
    # From the rollup cube when it can answer, else in one query over the subject's rollups.
    totals = cube_totals(subject, periods, measures)
    if totals is None:
        totals = _sum_in_database(subject, periods, measures)
    source_measures = subject.source.measures
    if cutoff.cuts(period):
        last_days = [period.end, yoy.end, pop.end]
        parts = day_part_totals(subject.source, last_days, cutoff.until)
        key, order = (subject.area_key, subject.category_key), list(source_measures)
        for measure, measure_totals in zip(measures, totals, strict=True):
            index = order.index(measure)
            for i, day in enumerate(last_days):
                measure_totals[i] += number(part_value(parts, day, key, index))
    first_day = first_data_day(subject.source)
    gaps = comparison_gaps(first_day, period, {"yoy": yoy, "pop": pop}, cutoff)
    blocks = {}
    for measure, (current, yoy_base, pop_base) in zip(measures, totals, strict=True):
        kind = source_measures[measure].kind
        blocks[measure] = {
            "current": current,
            "yoy": compare(current, yoy_base, kind, gaps["yoy"]),
            "pop": compare(current, pop_base, kind, gaps["pop"]),
        }
    return {
        "window": window,
        "period": period.as_dict(),
        "yoy_period": yoy.as_dict(),
        "pop_period": pop.as_dict(),
        "today_so_far": cutoff.as_dict() if cutoff.cuts(period) else None,
        "data_from": _iso(first_day),
        "measures": blocks,
    }


def _iso(day: date | None) -> str | None:
    return None if day is None else iso_day(day)


def stats_breakdown_keys(
    *,
    subject: Subject,
    window: str,
    period: Period,
    measure: str,
    keys: dict[int, dict],
    by: str,
    cutoff: Cutoff | None = None,
) -> list[dict]:
    """Each child key (area or category) with its current value and comparisons."""
    cutoff = cutoff or Cutoff(timezone.localdate())
    rollup = subject.source.rollup
    bases = {"yoy": year_before(window, period), "pop": previous_period(window, period)}
    summed = dict(zip(("current", *bases), whole_days(period, cutoff, bases.values()), strict=True))
    filters = {"area_key": subject.area_key, "category_key": subject.category_key}
    key_field = "area_key" if by == "area" else "category_key"
    filters.pop(key_field)
    any_range = Q()
    for p in summed.values():
        any_range |= Q(day__range=(p.start, p.end))
    rows = (
        rollup.objects.filter(**filters, **{f"{key_field}__in": list(keys)})
        .filter(any_range)
        .values(key_field)
        .annotate(
            **{
                name: Sum(measure, filter=Q(day__range=(p.start, p.end)))
                for name, p in summed.items()
            }
        )
    )
    found = {row[key_field]: row for row in rows}
    last_days = {"current": period.end, **{name: base.end for name, base in bases.items()}}
    parts = (
        day_part_totals(subject.source, list(last_days.values()), cutoff.until)
        if cutoff.cuts(period)
        else {}
    )
    index = list(subject.source.measures).index(measure)
    gaps = comparison_gaps(first_data_day(subject.source), period, bases, cutoff)
    kind = subject.source.measures[measure].kind
    result = []
    for key, info in keys.items():
        row = found.get(key, {})
        pair = (key, subject.category_key) if by == "area" else (subject.area_key, key)
        values = {
            name: number(row.get(name)) + number(part_value(parts, day, pair, index))
            for name, day in last_days.items()
        }
        current = values["current"]
        result.append(
            {
                **info,
                "current": current,
                "yoy": compare(current, values["yoy"], kind, gaps["yoy"]),
                "pop": compare(current, values["pop"], kind, gaps["pop"]),
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
