"""How a rollup cube reads the database: the rollups' generation, the days rewritten between
two generations, and rollup rows as whole-number columns (PostgreSQL's binary COPY read by
numpy, without a Python object per value)."""

import io
from datetime import date

import numpy as np
from django.db import connection

from .models import RollupChange, RollupGeneration
from .registry import MetricSource
from .snapshot import EPOCH_ORDINAL

SQLITE_EPOCH_JULIAN_DAY = 2451544.5
PGCOPY_SIGNATURE = b"PGCOPY\n\xff\r\n\x00"
SQLITE_FETCH_ROWS = 50_000


_GENERATION_SQL = f"SELECT generation FROM {RollupGeneration._meta.db_table} WHERE source = %s"


def current_generation(source: MetricSource) -> int:
    with connection.cursor() as cursor:
        cursor.execute(_GENERATION_SQL, [source.name])
        row = cursor.fetchone()
    return row[0] if row else 0


_CHANGES_SQL = (
    f"SELECT previous, generation, first_day, last_day FROM {RollupChange._meta.db_table} "
    "WHERE source = %s AND generation > %s AND generation <= %s ORDER BY generation"
)


def rewritten_days(source: MetricSource, since: int, until: int) -> list[tuple[int, int]] | None:
    """The ranges of day numbers (from 2000-01-01, inclusive) whose rollups the transactions
    after generation ``since`` up to ``until`` rewrote, or None when the change log does not
    link the two: each change names the generation it followed, and a pruned or restored log
    leaves a gap."""
    with connection.cursor() as cursor:
        cursor.execute(_CHANGES_SQL, [source.name, since, until])
        changes = cursor.fetchall()
    reached, ranges = since, []
    for previous, generation, first, last in changes:
        if previous != reached:
            return None
        reached = generation
        ranges.append((_day_number(first), _day_number(last)))
    return _joined(ranges) if reached == until else None


def _day_number(day) -> int:
    if isinstance(day, str):  # SQLite
        day = date.fromisoformat(day)
    return day.toordinal() - EPOCH_ORDINAL


def day_of(number: int) -> str:
    return date.fromordinal(number + EPOCH_ORDINAL).isoformat()


def _joined(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Overlapping or adjacent ranges as one."""
    joined: list[tuple[int, int]] = []
    for first, last in sorted(ranges):
        if joined and first <= joined[-1][1] + 1:
            joined[-1] = (joined[-1][0], max(joined[-1][1], last))
        else:
            joined.append((first, last))
    return joined


def _copied_columns(select: str, widths: list[int]) -> list[np.ndarray]:
    """PostgreSQL: the columns of ``select`` (NOT NULL integers of these byte widths) through
    one binary COPY, read by numpy without a Python object per value."""
    buffer = io.BytesIO()
    with connection.cursor() as cursor, connection.wrap_database_errors:
        cursor.cursor.copy_expert(f"COPY ({select}) TO STDOUT WITH (FORMAT binary)", buffer)
    data = buffer.getbuffer()
    header = 19 + int.from_bytes(data[15:19], "big")
    if bytes(data[:11]) != PGCOPY_SIGNATURE or bytes(data[-2:]) != b"\xff\xff":
        raise ValueError("not a binary COPY")
    layout = [("fields", ">i2")]
    for i, width in enumerate(widths):
        layout += [(f"length{i}", ">i4"), (f"value{i}", f">i{width}")]
    row = np.dtype(layout)
    size = len(data) - header - 2
    if size % row.itemsize:
        raise ValueError("binary COPY rows are not of the expected widths")
    rows = np.frombuffer(data, row, count=size // row.itemsize, offset=header)
    lengths_match = all((rows[f"length{i}"] == width).all() for i, width in enumerate(widths))
    if not lengths_match or not (rows["fields"] == len(widths)).all():
        raise ValueError("binary COPY rows are not of the expected widths")
    return [rows[f"value{i}"].astype(np.int64) for i in range(len(widths))]


def _fetched_columns(select: str, width: int) -> list[np.ndarray]:
    """SQLite: the columns of ``select``, fetched in chunks of rows."""
    with connection.cursor() as cursor:
        cursor.execute(select)
        chunks = []
        while rows := cursor.fetchmany(SQLITE_FETCH_ROWS):
            chunks.append(np.array(rows, dtype=np.int64))
    table = np.concatenate(chunks) if chunks else np.empty((0, width), np.int64)
    return [np.ascontiguousarray(column) for column in table.T]


def rollup_columns(
    source: MetricSource,
    scales: dict[str, int | None],
    measures: list[str],
    days: list[tuple[int, int]] | None = None,
) -> list[np.ndarray]:
    """Area keys, category keys, day numbers and each measure's whole-number values of the
    rollup rows (of these ranges of day numbers only), in no particular order."""
    quote = connection.ops.quote_name
    rollup = source.rollup._meta

    def column(name: str) -> str:
        return quote(rollup.get_field(name).column)

    day = column("day")
    postgresql = connection.vendor == "postgresql"
    if postgresql:
        day_number = f"{day} - DATE '2000-01-01'"
    else:  # SQLite
        day_number = f"CAST(julianday({day}) - {SQLITE_EPOCH_JULIAN_DAY} AS INTEGER)"
    values = []
    for measure in measures:
        scale = scales[measure]
        scaled = column(measure) if scale is None else f"ROUND({column(measure)} * {scale})"
        values.append(f"CAST({scaled} AS BIGINT)")
    # No ORDER BY: the rows come in the table's order and are sorted in memory. Read in
    # key order through the unique index, 2 million rows took ten times as long.
    select = (
        f"SELECT {column('area_key')}, {column('category_key')}, {day_number}, "
        f"{', '.join(values)} FROM {quote(rollup.db_table)}"
    )
    if days is not None:
        literal = "DATE '{}'" if postgresql else "'{}'"
        select += " WHERE " + " OR ".join(
            f"{day} BETWEEN {literal.format(day_of(first))} AND {literal.format(day_of(last))}"
            for first, last in days
        )
    if postgresql:
        return _copied_columns(select, [4, 4, 4] + [8] * len(measures))
    return _fetched_columns(select, 3 + len(measures))


def first_rollup_day(source: MetricSource) -> date | None:
    """The first day with any of the source's records: the earliest rollup of the whole tree
    (the first entry of the unique (area, category, day) index)."""
    quote = connection.ops.quote_name
    rollup = source.rollup._meta
    day, area, category = (
        quote(rollup.get_field(name).column) for name in ("day", "area_key", "category_key")
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT MIN({day}) FROM {quote(rollup.db_table)} WHERE {area} = 0 AND {category} = 0"
        )
        (first,) = cursor.fetchone()
    if isinstance(first, str):  # SQLite
        first = date.fromisoformat(first)
    return first
