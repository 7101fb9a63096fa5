"""The statistics engine's lock of one day's rewrite (runs that must not overlap take
safecity.core.locks's ``single_flight``).

On PostgreSQL the day lock is an advisory lock held until the rewriting transaction ends, so it
dies with the connection of a worker that is killed. SQLite (embedded mode) writes one
transaction at a time, so a day needs no lock there.
"""

import zlib
from datetime import date

from django.db import connection


def day_lock_key(source_name: str, day: date) -> tuple[int, int]:
    """The (source, day) pair of advisory-lock keys a rewrite of that day holds."""
    return zlib.crc32(source_name.encode()) & 0x7FFFFFFF, day.toordinal()


def lock_day(source_name: str, day: date) -> None:
    """Wait for, then hold until the caller's transaction ends, the right to rewrite a day."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", day_lock_key(source_name, day))
    # SQLite: write transactions (IMMEDIATE) are already one at a time.
