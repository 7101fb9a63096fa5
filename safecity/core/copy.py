"""Bulk insert through PostgreSQL's COPY, the fastest way to write many new rows.

``bulk_create`` builds one INSERT with a parameter per value and makes a model instance per
row; for tens of thousands of rows that Python work dominates. COPY streams the rows as CSV,
written by the csv module in C. It bypasses model save() and signals, so callers pass complete
rows: every NOT NULL column, defaults included.
"""

import csv
import io
from collections.abc import Iterable, Sequence

from django.db import connections, models


def can_copy(using: str = "default") -> bool:
    return connections[using].vendor == "postgresql"


def copy_insert(
    model: type[models.Model],
    columns: Sequence[str],
    rows: Iterable[Sequence],
    *,
    using: str = "default",
) -> None:
    """COPY ``rows`` (one value per column, in order) into ``model``'s table.

    ``columns`` are database column names. Runs inside the caller's transaction; a constraint
    violation raises Django's IntegrityError there. In the CSV an unquoted empty field is NULL,
    which is what None becomes; text columns that cannot be NULL are told apart with
    FORCE_NOT_NULL, so an empty string stays an empty string.
    """
    connection = connections[using]
    quote = connection.ops.quote_name
    by_column = {field.column: field for field in model._meta.concrete_fields}
    unknown = [column for column in columns if column not in by_column]
    if unknown:
        raise ValueError(f"{model.__name__} has no column(s) {', '.join(unknown)}")
    not_null_text = [
        quote(column)
        for column in columns
        if isinstance(by_column[column], models.CharField | models.TextField)
        and not by_column[column].null
    ]

    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    buffer.seek(0)
    options = "FORMAT csv"
    if not_null_text:
        options += f", FORCE_NOT_NULL ({', '.join(not_null_text)})"
    statement = (
        f"COPY {quote(model._meta.db_table)} ({', '.join(quote(c) for c in columns)}) "
        f"FROM STDIN WITH ({options})"
    )
    with connection.cursor() as cursor, connection.wrap_database_errors:
        # Django wraps psycopg2's cursor; COPY needs the driver's own (and Django's error types).
        cursor.cursor.copy_expert(statement, buffer)
