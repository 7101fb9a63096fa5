"""Bulk insert of many new rows, without a model instance per row.

``bulk_create`` makes a model instance per row and prepares every value through its field;
for tens of thousands of rows that Python work dominates. ``bulk_insert`` takes plain value
rows instead: on PostgreSQL it streams them with COPY (as CSV, written by the csv module in C),
elsewhere it runs one executemany with only the values that need it adapted.
``bulk_insert_started`` lets the COPY run while the caller prepares the next rows. Both bypass
save() and signals, so callers pass complete rows: every NOT NULL column, defaults included.
"""

import csv
import io
import json
import os
import threading
from collections.abc import Callable, Iterable, Sequence
from itertools import islice

from django.conf import settings
from django.db import connections, models

EXECUTEMANY_BATCH = 5000


def bulk_insert(
    model: type[models.Model],
    columns: Sequence[str],
    rows: Iterable[Sequence],
    *,
    using: str = "default",
) -> None:
    """Insert ``rows`` (one value per column, in order) into ``model``'s table.

    ``columns`` are database column names. Runs inside the caller's transaction; a constraint
    violation raises Django's IntegrityError there.
    """
    bulk_insert_started(model, columns, rows, using=using)()


def bulk_insert_started(
    model: type[models.Model],
    columns: Sequence[str],
    rows: Iterable[Sequence],
    *,
    using: str = "default",
) -> Callable[[], None]:
    """``bulk_insert`` that returns once the rows are handed over, with a function that waits
    for the insert to finish and raises what it raised.

    On PostgreSQL the COPY runs in a worker thread, on this thread's connection and in its
    transaction; the server works through the rows while the caller goes on, on the other
    core, with work that does not use the database. Until it has waited, the caller must not
    use the connection. Elsewhere the rows are inserted before this returns.
    """
    by_column = {field.column: field for field in model._meta.concrete_fields}
    unknown = [column for column in columns if column not in by_column]
    if unknown:
        raise ValueError(f"{model.__name__} has no column(s) {', '.join(unknown)}")
    fields = [by_column[column] for column in columns]
    connection = connections[using]
    if connection.vendor != "postgresql":
        _executemany(connection, model, fields, rows)
        return _done
    statement, buffer = _copy_input(connection, model, fields, rows)
    connection.ensure_connection()
    driver_connection = connection.connection
    failure: list[BaseException] = []

    def copy() -> None:
        # Django's connection object refuses other threads; the driver's own does not, and
        # this thread is its only user until wait() returns.
        try:
            with connection.wrap_database_errors, driver_connection.cursor() as cursor:
                cursor.copy_expert(statement, buffer, size=COPY_READ_SIZE)
        except BaseException as exc:  # re-raised in the caller's thread by wait()
            failure.append(exc)

    worker = threading.Thread(target=copy, name=f"copy-{model._meta.db_table}", daemon=True)
    worker.start()

    def wait() -> None:
        worker.join()
        if failure:
            raise failure[0]

    return wait


def _done() -> None:
    pass


# Characters psycopg2 reads from the buffer at a time (its default is 8 KiB).
COPY_READ_SIZE = 1 << 18


def _copy_input(connection, model, fields, rows) -> tuple[str, io.StringIO]:
    """The COPY statement and its CSV input."""
    quote = connection.ops.quote_name
    # In the CSV an unquoted empty field is NULL, which is what None becomes; FORCE_NOT_NULL
    # keeps an empty string an empty string in the text columns that cannot be NULL.
    not_null_text = [
        quote(field.column)
        for field in fields
        if isinstance(field, models.CharField | models.TextField) and not field.null
    ]
    json_columns = [
        (i, field.encoder) for i, field in enumerate(fields) if isinstance(field, models.JSONField)
    ]
    if json_columns:
        rows = (_json_encoded(row, json_columns) for row in rows)
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    buffer.seek(0)
    options = "FORMAT csv"
    if not_null_text:
        options += f", FORCE_NOT_NULL ({', '.join(not_null_text)})"
    statement = (
        f"COPY {quote(model._meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "
        f"FROM STDIN WITH ({options})"
    )
    return statement, buffer


def uuid4_texts(count: int) -> list[str]:
    """``count`` random (version 4) UUIDs as text, from one read of the system's random source
    (``uuid.uuid4()`` reads it once per UUID, a system call each)."""
    raw = bytearray(os.urandom(16 * count))
    raw[6::16] = bytes(byte & 0x0F | 0x40 for byte in raw[6::16])  # version 4
    raw[8::16] = bytes(byte & 0x3F | 0x80 for byte in raw[8::16])  # RFC 4122 variant
    text = raw.hex()
    return [
        f"{text[i : i + 8]}-{text[i + 8 : i + 12]}-{text[i + 12 : i + 16]}-"
        f"{text[i + 16 : i + 20]}-{text[i + 20 : i + 32]}"
        for i in range(0, 32 * count, 32)
    ]


def _json_encoded(row: Sequence, columns: list) -> list:
    row = list(row)
    for i, encoder in columns:
        if row[i] is not None:
            row[i] = json.dumps(row[i], cls=encoder)
    return row


def _executemany(connection, model, fields, rows) -> None:
    quote = connection.ops.quote_name
    adapters = [_adapter(connection, field) for field in fields]
    needs_adapting = [(i, adapt) for i, adapt in enumerate(adapters) if adapt is not None]
    statement = (
        f"INSERT INTO {quote(model._meta.db_table)} "
        f"({', '.join(quote(f.column) for f in fields)}) "
        f"VALUES ({', '.join(['%s'] * len(fields))})"
    )
    rows = iter(rows)
    with connection.cursor() as cursor:
        while batch := list(islice(rows, EXECUTEMANY_BATCH)):
            if needs_adapting:
                batch = [list(row) for row in batch]
                for row in batch:
                    for i, adapt in needs_adapting:
                        if row[i] is not None:
                            row[i] = adapt(row[i])
            cursor.executemany(statement, batch)


def _adapter(connection, field) -> Callable | None:
    """How a value of ``field`` becomes a driver value; None where the value already is one."""
    if isinstance(field, models.DateTimeField):
        if connection.vendor == "sqlite" and settings.USE_TZ:
            # What the backend's adapter does to an aware value, without its checks per call.
            tz = connection.timezone
            return lambda value: (
                str(value.astimezone(tz).replace(tzinfo=None))
                if value.tzinfo is not None
                else connection.ops.adapt_datetimefield_value(value)
            )
        return connection.ops.adapt_datetimefield_value
    if isinstance(field, models.DateField):
        return connection.ops.adapt_datefield_value
    if isinstance(field, models.UUIDField | models.JSONField):
        return lambda value: field.get_db_prep_value(value, connection, prepared=False)
    return None


def analyze_after_load(*models_loaded: type[models.Model], using: str = "default") -> None:
    """Refresh PostgreSQL's statistics of tables a bulk load just filled.

    Until autovacuum gets round to it, the planner takes a freshly loaded table for nearly
    empty and picks plans that read all of a district's rows to show a page of them.
    """
    connection = connections[using]
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in models_loaded:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
