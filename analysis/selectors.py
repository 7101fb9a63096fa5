"""The analysis engine's reads: events of a statistics subject (area subtree, category subtree,
window), binned into h3 cells, per time step, or as points. The subject comes from
``stats.subjects.subject_for``, so the jurisdiction check is the statistics API's own; the
records are the metric source's (``stats.registry``), which must also hold ``lon``/``lat``.
A record's cell is the cell its point falls in: read from a stored cell column of that
resolution when the records hold one (``h3_r7``, ``h3_r9``), else computed from the point. (A
coarser cell is not a finer cell's h3 parent: h3 cells do not nest exactly, and a point near
an edge can lie outside its fine cell's parent.)"""

from datetime import date, timedelta

import h3
import numpy as np
from django.db import connection
from django.db.models import Count, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone
from h3.api import basic_int

from stats.days import day_bounds
from stats.selectors import Subject
from stats.windows import Period

from .cells import point_cells

# The h3 cell columns a source's records may hold, by resolution.
STORED_CELL_FIELDS = {7: "h3_r7", 9: "h3_r9"}


def subject_events(subject: Subject, period: Period) -> QuerySet:
    """The located records of the subject within the period's local days."""
    source = subject.source
    start, _ = day_bounds(period.start)
    _, end = day_bounds(period.end)
    records = source.records().filter(
        **{f"{source.time_field}__gte": start, f"{source.time_field}__lt": end},
        lat__isnull=False,
        lon__isnull=False,
    )
    if subject.area_path:
        records = records.filter(**{f"{source.area_path_field}__startswith": subject.area_path})
    if subject.category_path:
        records = records.filter(
            **{f"{source.category_path_field}__startswith": subject.category_path}
        )
    return records.order_by()


def _stored_cell_field(records: QuerySet, resolution: int) -> str:
    """The records' column holding their cell at ``resolution``, or ''."""
    name = STORED_CELL_FIELDS.get(resolution, "")
    return name if any(f.name == name for f in records.model._meta.concrete_fields) else ""


def cell_counts(subject: Subject, period: Period, resolution: int) -> dict[str, int]:
    """Events per h3 cell at ``resolution``."""
    records = subject_events(subject, period)
    stored = _stored_cell_field(records, resolution)
    if stored:
        return dict(records.exclude(**{stored: ""}).values_list(stored).annotate(n=Count("pk")))
    points = _rows(records.values_list("lat", "lon"))
    return point_cells([p[0] for p in points], [p[1] for p in points], resolution)


def _rows(values: QuerySet) -> list[tuple]:
    """A values_list's rows straight from the cursor: the ORM's per-row work was most of the
    time of reading a year of a city's points."""
    statement, params = values.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.fetchall()


def time_steps(period: Period, step: str) -> list[Period]:
    """The steps of the window, oldest first: 7-day blocks ending on the window's last day
    (days before the first whole block left out), or calendar months clipped to the window."""
    if step == "week":
        weeks = period.days // 7
        return [
            Period(
                period.end - timedelta(days=7 * (weeks - i) - 1),
                period.end - timedelta(days=7 * (weeks - i - 1)),
            )
            for i in range(weeks)
        ]
    if step == "month":
        steps = []
        first = period.start
        while first <= period.end:
            following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
            steps.append(Period(first, min(period.end, following - timedelta(days=1))))
            first = following
        return steps
    raise ValueError(f"unknown step {step!r}")


def step_cell_counts(
    subject: Subject, steps: list[Period], resolution: int
) -> dict[str, np.ndarray]:
    """Events per h3 cell at ``resolution`` and step: {cell: counts by step, oldest first}."""
    if not steps:
        return {}
    index_of_day = {}
    for index, step in enumerate(steps):
        for offset in range(step.days):
            index_of_day[step.start + timedelta(days=offset)] = index
    records = subject_events(subject, Period(steps[0].start, steps[-1].end))
    day = TruncDate(subject.source.time_field, tzinfo=timezone.get_default_timezone())
    counts: dict[str, np.ndarray] = {}
    stored = _stored_cell_field(records, resolution)
    if stored:
        rows = (
            records.exclude(**{stored: ""})
            .annotate(day=day)
            .values_list(stored, "day")
            .annotate(n=Count("pk"))
        )
    else:
        points = _rows(records.annotate(day=day).values_list("lat", "lon", "day"))
        cells: dict[int, str] = {}
        rows = []
        for lat, lon, local in points:
            number = basic_int.latlng_to_cell(lat, lon, resolution)
            cell = cells.get(number)
            if cell is None:
                cell = cells[number] = h3.int_to_str(number)
            rows.append((cell, local, 1))
    for cell, local, n in rows:
        if isinstance(local, str):  # SQLite's date, read past the ORM's converters
            local = date.fromisoformat(local)
        index = index_of_day.get(local)
        if index is None:
            continue
        series = counts.get(cell)
        if series is None:
            series = counts[cell] = np.zeros(len(steps), dtype=np.int64)
        series[index] += n
    return counts


def event_points(subject: Subject, period: Period) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The events' lon, lat and time in days (since the period's start)."""
    start, _ = day_bounds(period.start)
    rows = list(
        subject_events(subject, period).values_list("lon", "lat", subject.source.time_field)
    )
    lon = np.array([row[0] for row in rows], dtype=np.float64)
    lat = np.array([row[1] for row in rows], dtype=np.float64)
    days = np.array([(row[2] - start).total_seconds() / 86400.0 for row in rows], dtype=np.float64)
    return lon, lat, days
