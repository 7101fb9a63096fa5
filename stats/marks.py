"""Stale-marking of rollups: a change marks the (day, area) keys it touched, in its own
transaction; a recompute (stats.services) rewrites those days and clears the marks.

Saves and deletes of a registered source's records mark themselves through the receivers
connected here (``watch``); bulk writes (bulk_create, COPY) send no signals, so the services
doing them call ``rollups_mark_dirty`` (or wrap a load in ``rollups_marks_batched``).
"""

from collections.abc import Iterable
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date

from django.conf import settings
from django.db import connection, transaction
from django.db.models import signals
from django.db.transaction import TransactionManagementError
from django.utils import timezone

from .days import area_key_of, local_day
from .models import EVERYWHERE, DirtyDay
from .registry import MetricSource, get_source, sources
from .services import days_to_rebuild

_recompute_deferred: ContextVar[bool] = ContextVar("stats_recompute_deferred", default=False)


@contextmanager
def recompute_deferred():
    """Within this block changes still mark their days, but ask for no recompute on commit:
    for bulk loads that end with a rebuild (or leave the marks to beat)."""
    token = _recompute_deferred.set(True)
    try:
        yield
    finally:
        _recompute_deferred.reset(token)


def rollups_mark_dirty(*, source: str, keys: Iterable[tuple[date, int]]) -> int:
    """Mark (day, area key) pairs stale, in the caller's transaction; returns how many."""
    return _mark_dirty([source], keys)


def rollups_mark_dirty_for(model, keys: Iterable[tuple[date, int]]) -> int:
    """Mark (day, area key) pairs stale for every source whose records are ``model``'s."""
    return _mark_dirty([source.name for source in sources() if source.model is model], keys)


# A day with changes in more areas than this is marked once, as a whole (area EVERYWHERE):
# a recompute redoes the whole day anyway, and a bulk load then writes a mark per day, not per
# incident.
WHOLE_DAY_AREAS = 8

_batched_marks: ContextVar[dict | None] = ContextVar("stats_batched_marks", default=None)


@contextmanager
def rollups_marks_batched():
    """Within this block (inside the transaction) marks are collected and written once, at
    its end, in one sorted statement: for bulk loads of many batches. Two such loads then lock
    the marks they share in the same order and cannot deadlock."""
    if not connection.in_atomic_block:
        raise TransactionManagementError(
            "rollups_marks_batched() belongs inside the transaction whose changes it marks"
        )
    if _batched_marks.get() is not None:
        yield  # an outer block writes them
        return
    collected: dict[str, set] = {}
    token = _batched_marks.set(collected)
    try:
        yield
    finally:
        _batched_marks.reset(token)
    # Not reached on an error: the transaction rolls back and there is nothing to mark.
    for name, keys in sorted(collected.items()):
        _mark_dirty([name], keys)


# PostgreSQL: the marks of a whole batch in one statement, from arrays.
_MARK_DIRTY_SQL = f"""
INSERT INTO {DirtyDay._meta.db_table} (source, day, area_key, marked_at)
SELECT source, day, area_key, %s
FROM unnest(%s::varchar[], %s::date[], %s::integer[]) AS mark(source, day, area_key)
ON CONFLICT (source, day, area_key) DO UPDATE SET marked_at = EXCLUDED.marked_at
"""


def _coarsened(keys: Iterable[tuple[date, int]]) -> list[tuple[date, int]]:
    by_day: dict[date, set[int]] = {}
    for day, area in keys:
        by_day.setdefault(day, set()).add(area)
    marks = []
    for day, areas in sorted(by_day.items()):
        if len(areas) > WHOLE_DAY_AREAS:
            marks.append((day, EVERYWHERE))
        else:
            marks.extend((day, area) for area in sorted(areas))
    return marks


def _mark_dirty(source_names: list[str], keys: Iterable[tuple[date, int]]) -> int:
    batched = _batched_marks.get()
    if batched is not None:
        keys = set(keys)
        for name in source_names:
            batched.setdefault(name, set()).update(keys)
        return len(keys) * len(source_names)
    # Sorted, so concurrent writers lock existing marks in one order and cannot deadlock.
    coarse = _coarsened(keys)
    marks = [(name, day, area) for name in source_names for day, area in coarse]
    if not marks:
        return 0
    # An upsert, not "ignore conflicts": it locks an existing mark until this transaction ends,
    # so no recompute can claim and clear it before this change is visible.
    if connection.vendor == "postgresql":
        names, days, areas = (list(column) for column in zip(*marks, strict=True))
        with connection.cursor() as cursor:
            cursor.execute(_MARK_DIRTY_SQL, [timezone.now(), names, days, areas])
    else:
        DirtyDay.objects.bulk_create(
            [DirtyDay(source=name, day=day, area_key=area) for name, day, area in marks],
            batch_size=2000,
            update_conflicts=True,
            unique_fields=["source", "day", "area_key"],
            update_fields=["marked_at"],
        )
    if settings.STATS_RECOMPUTE_ON_COMMIT and not _recompute_deferred.get():
        from .tasks import recompute_dirty

        # One request per transaction, however many batches it marked.
        if not any(entry[1] == recompute_dirty.delay for entry in connection.run_on_commit):
            transaction.on_commit(recompute_dirty.delay)
    return len(marks)


def rollups_mark_every_day(*, source: str, area_key: int) -> int:
    """Mark every day of a source's history stale for one area: after a change that alters
    how its records are rolled up, not the records themselves."""
    days = days_to_rebuild(get_source(source), None, None)
    return rollups_mark_dirty(source=source, keys=[(day, area_key) for day in days])


def record_key(source: MetricSource, record) -> tuple | None:
    """The (day, area key) a record counts under in its source's rollups."""
    moment = getattr(record, source.time_field, None)
    if moment is None:
        return None
    return local_day(moment), area_key_of(getattr(record, source.area_path_field, ""))


def watch(source: MetricSource) -> None:
    """Mark the days of the source's records as single saves and deletes change them."""
    uid = f"stats-{source.name}"
    signals.post_init.connect(
        _remember_key(source), sender=source.model, weak=False, dispatch_uid=uid
    )
    signals.post_save.connect(
        _mark_saved(source), sender=source.model, weak=False, dispatch_uid=uid
    )
    signals.post_delete.connect(
        _mark_deleted(source), sender=source.model, weak=False, dispatch_uid=uid
    )


def _remember_key(source: MetricSource):
    def receiver(instance, **kwargs):
        # The key the record counted under when loaded, so a save that moves it marks both.
        if source.time_field in instance.__dict__:
            instance._stats_loaded_key = record_key(source, instance)

    return receiver


def _mark_saved(source: MetricSource):
    def receiver(instance, raw=False, **kwargs):
        if raw:
            return
        keys = {record_key(source, instance), getattr(instance, "_stats_loaded_key", None)}
        rollups_mark_dirty(source=source.name, keys=[key for key in keys if key])
        instance._stats_loaded_key = record_key(source, instance)

    return receiver


def _mark_deleted(source: MetricSource):
    def receiver(instance, **kwargs):
        keys = {record_key(source, instance), getattr(instance, "_stats_loaded_key", None)}
        rollups_mark_dirty(source=source.name, keys=[key for key in keys if key])

    return receiver
