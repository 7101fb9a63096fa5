"""Runs that must not overlap, across every process of every instance: ``single_flight``.

On PostgreSQL a session-level advisory lock, held by a database connection, so it dies with
the connection of a worker that is killed: nothing is left to expire. SQLite (embedded mode)
runs its tasks in the web process, so a process-local lock does.
"""

import hashlib
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection


def run_lock_key(name: str) -> int:
    """The single 64-bit advisory-lock key of a named run (apart from the two-key day locks)."""
    digest = hashlib.blake2b(f"safecity:{name}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


_process_locks: dict[str, threading.Lock] = {}
_process_locks_guard = threading.Lock()


@contextmanager
def single_flight(name: str) -> Iterator[bool]:
    """Hold ``name`` for the block if no one else does; yields whether this caller holds it.

    Never waits. On PostgreSQL a session-level advisory lock on this connection, released at
    the end of the block, or by the server when the connection dies with its process.
    """
    if connection.vendor != "postgresql":
        with _process_locks_guard:
            lock = _process_locks.setdefault(name, threading.Lock())
        if not lock.acquire(blocking=False):
            yield False
            return
        try:
            yield True
        finally:
            lock.release()
        return
    key = run_lock_key(name)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [key])
        (held,) = cursor.fetchone()
    if not held:
        yield False
        return
    try:
        yield True
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [key])
