"""Writes to the rollups: mark stale (day, area) keys, recompute days, reconcile, rebuild.

Correctness under concurrency rests on three rules:
- A change marks its keys dirty in its own transaction with an upsert, which locks an existing
  mark; a recompute claims marks with SKIP LOCKED, so a mark whose change has not committed yet
  is never claimed (and so never cleared) by a recompute that cannot see that change.
- A recompute replaces a whole day (delete, then insert from the records) in one transaction,
  under a per-day advisory lock, so two recomputes of a day cannot interleave.
- A mark is cleared only in the transaction that rewrites its day, so a killed recompute,
  rebuild or reconcile rolls back with its marks: they stay and the next run does the work.
"""

import operator
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime, time, timedelta
from time import time_ns

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Max, Min
from django.db.transaction import TransactionManagementError
from django.utils import timezone

from safecity.core.bulk import bulk_insert

from .locks import lock_day
from .models import EVERYWHERE, DirtyDay, RollupChange, RollupGeneration
from .registry import MetricSource, get_source, merge_histograms, sources


def local_day(moment: datetime) -> date:
    """The platform's calendar day of a moment (statistics days are the platform's, whatever
    time zone a request has activated)."""
    return moment.astimezone(timezone.get_default_timezone()).date()


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """The aware start of ``day`` and of the next day, in the platform's time zone."""
    tz = timezone.get_default_timezone()
    start = datetime.combine(day, time.min, tzinfo=tz)
    end = datetime.combine(day + timedelta(days=1), time.min, tzinfo=tz)
    return start, end


def area_key_of(area_path: str | None) -> int:
    """The leaf area key of a record's area path ('' or None: placed in no area)."""
    if not area_path:
        return EVERYWHERE
    return int(area_path.rstrip("/").rsplit("/", 1)[-1])


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
    days = _days_to_rebuild(get_source(source), None, None)
    return rollups_mark_dirty(source=source, keys=[(day, area_key) for day in days])


def _ancestor_keys(path: str, lookup: dict[str, int] | None = None) -> list[int]:
    """The keys of a node and its ancestors from its materialized path, with the root (0).

    Area paths are ids ("/1/5/9/"); category paths are codes, turned into ids by ``lookup``.
    """
    parts = [part for part in path.strip("/").split("/") if part]
    if lookup is None:
        return [0, *(int(part) for part in parts)]
    return [0, *(lookup[part] for part in parts)]


def rollup_day_recompute(
    *, source: MetricSource, day: date, category_ids: dict[str, int] | None = None
) -> int:
    """Replace one day's rollups from the records, in the caller's transaction; rows written.

    The database groups the day's records by (area path, category path) with the source's
    measures; each group is then added to every ancestor of its area and of its category.
    Callers bump the source's generation (``_bump_generation``) in the same transaction.
    """
    lock_day(source.name, day)
    if category_ids is None:
        category_ids = dict(source.category_model.objects.values_list("code", "id"))
    start, end = day_bounds(day)
    records = source.records().filter(
        **{f"{source.time_field}__gte": start, f"{source.time_field}__lt": end}
    )
    names = list(source.measures)
    if source.groups is not None:
        groups = source.groups(records)
    else:
        area_field, category_field = source.area_path_field, source.category_path_field
        groups = (
            records.order_by()
            .values(area_field, category_field)
            .annotate(**{name: measure.aggregate for name, measure in source.measures.items()})
            .values_list(area_field, category_field, *names)
        )
    combine = _combiner(source)
    totals: dict[tuple[int, int], list] = {}
    for area_path, category_path, *values in groups:
        values = [0 if value is None else value for value in values]
        area_keys = _ancestor_keys(area_path)
        category_keys = _ancestor_keys(category_path, category_ids)
        for area_key in area_keys:
            for category_key in category_keys:
                key = (area_key, category_key)
                current = totals.get(key)
                totals[key] = list(values) if current is None else combine(current, values)
    source.rollup.objects.filter(day=day).delete()
    bulk_insert(
        source.rollup,
        ["day", "area_key", "category_key", *names],
        ([day, area, category, *sums] for (area, category), sums in totals.items()),
    )
    return len(totals)


def _combiner(source: MetricSource) -> Callable[[list, list], list]:
    """Adds two lists of measure values: numbers summed, histograms merged (never in place:
    a group's values are shared by all its ancestors' totals)."""
    kinds = [measure.kind for measure in source.measures.values()]
    if "histogram" not in kinds:
        return lambda first, second: [a + b for a, b in zip(first, second, strict=True)]
    adders = [merge_histograms if kind == "histogram" else operator.add for kind in kinds]
    return lambda first, second: [
        add(a, b) for add, a, b in zip(adders, first, second, strict=True)
    ]


# One more than before, and never less than the clock in milliseconds: a generation never
# comes back to a number a process has seen, even after the row is lost or the database restored.
_BUMP_GENERATION_SQL = f"""
INSERT INTO {RollupGeneration._meta.db_table} AS counter (source, generation) VALUES (%s, %s)
ON CONFLICT (source) DO UPDATE
SET generation = CASE WHEN counter.generation + 1 > EXCLUDED.generation
                      THEN counter.generation + 1 ELSE EXCLUDED.generation END
RETURNING generation
"""
_GENERATION_SQL = f"SELECT generation FROM {RollupGeneration._meta.db_table} WHERE source = %s"
# Rollup changes are kept this long (generations are at least the clock in milliseconds): a
# process whose cube is older loads it whole.
CHANGES_KEPT_MS = 24 * 3600 * 1000


def _bump_generation(source: MetricSource, first_day: date, last_day: date) -> None:
    """Count one more transaction that wrote the source's rollups — those of the days from
    ``first_day`` to ``last_day`` — in that transaction, and log the change.

    Callers bump last, just before they commit: the row stays locked until then, and a
    transaction waiting for it then holds no lock the bumping one still needs.
    """
    # Locked, so the number read is the one this bump follows (SQLite writes one at a time).
    locking = " FOR UPDATE" if connection.vendor == "postgresql" else ""
    with connection.cursor() as cursor:
        cursor.execute(_GENERATION_SQL + locking, [source.name])
        row = cursor.fetchone()
        cursor.execute(_BUMP_GENERATION_SQL, [source.name, time_ns() // 1_000_000])
        (generation,) = cursor.fetchone()
    RollupChange.objects.create(
        source=source.name,
        previous=row[0] if row else 0,
        generation=generation,
        first_day=first_day,
        last_day=last_day,
    )
    RollupChange.objects.filter(
        source=source.name, generation__lt=generation - CHANGES_KEPT_MS
    ).delete()


def rollups_recompute_dirty(*, max_days: int | None = None) -> int:
    """Recompute every day with a claimable dirty mark, one day per transaction; days done."""
    done = 0
    while max_days is None or done < max_days:
        with transaction.atomic():
            first = (
                DirtyDay.objects.select_for_update(skip_locked=True)
                .order_by("source", "day")
                .values_list("source", "day")
                .first()
            )
            if first is None:
                return done
            name, day = first
            claimed = list(
                DirtyDay.objects.select_for_update(skip_locked=True)
                .filter(source=name, day=day)
                .values_list("id", flat=True)
            )
            source = get_source(name)
            rollup_day_recompute(source=source, day=day)
            DirtyDay.objects.filter(id__in=claimed).delete()
            _bump_generation(source, day, day)
        done += 1
    return done


def rollups_reconcile(*, days: int = 60, today: date | None = None) -> int:
    """Recompute the last ``days`` days of every source, whatever their marks say."""
    today = today or timezone.localdate()
    first = today - timedelta(days=days - 1)
    return rollups_rebuild(since=first, until=today)


REBUILD_DAYS_PER_TRANSACTION = 31


def rollups_rebuild(
    *,
    since: date | None = None,
    until: date | None = None,
    progress: Callable[[int], None] | None = None,
    on_total: Callable[[int], None] | None = None,
) -> int:
    """Recompute every day from ``since`` (default: each source's first record or rollup) to
    ``until`` (default: the last one, or today); days without records are emptied. Days done.

    Days are written a month to a transaction, which first clears those days' marks: a
    rebuild interrupted half-way leaves whole days, each correct, and the rest as they were,
    marks included, for a recompute to finish.
    """
    plan = [(source, _days_to_rebuild(source, since, until)) for source in sources()]
    if on_total:
        on_total(sum(len(days) for _, days in plan))
    written = 0
    for source, days in plan:
        category_ids = dict(source.category_model.objects.values_list("code", "id"))
        for first in range(0, len(days), REBUILD_DAYS_PER_TRANSACTION):
            batch = days[first : first + REBUILD_DAYS_PER_TRANSACTION]
            with transaction.atomic():
                _clear_marks(source, batch[0], batch[-1])
                for day in batch:
                    rollup_day_recompute(source=source, day=day, category_ids=category_ids)
                _bump_generation(source, batch[0], batch[-1])
            written += len(batch)
            if progress:
                progress(len(batch))
    return written


# SKIP LOCKED: a mark held by a change in flight is left for a later recompute.
_CLEAR_MARKS_SQL = f"""
DELETE FROM {DirtyDay._meta.db_table} WHERE id IN (
    SELECT id FROM {DirtyDay._meta.db_table}
    WHERE source = %s AND day BETWEEN %s AND %s
    FOR UPDATE SKIP LOCKED
)
"""


def _clear_marks(source: MetricSource, first: date, last: date) -> None:
    """Delete the source's marks of these days, in the transaction that rewrites the days,
    before it reads their records.

    Marks committed before now are covered by the rewrite, which reads later (each statement
    sees what committed before it); if the rewrite never commits, the marks stay. A mark
    locked by a change in flight is skipped, not waited for: it stays, and a recompute that
    can see the change clears it. Waiting could deadlock, since the rebuild would lock marks in
    one order while a writer marking record by record may lock them in another. The other way
    round is safe: a writer upserting a mark deleted here waits for this transaction to end.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(_CLEAR_MARKS_SQL, [source.name, first, last])
    else:  # SQLite: one writer at a time
        DirtyDay.objects.filter(source=source.name, day__range=(first, last)).delete()


def _days_to_rebuild(source: MetricSource, since: date | None, until: date | None) -> list[date]:
    """Every day from the first to the last with records or rollups, clipped to the range."""
    bounds = source.records().aggregate(first=Min(source.time_field), last=Max(source.time_field))
    rollup_bounds = source.rollup.objects.aggregate(first=Min("day"), last=Max("day"))
    firsts = [local_day(bounds["first"])] if bounds["first"] else []
    lasts = [local_day(bounds["last"])] if bounds["last"] else []
    firsts += [rollup_bounds["first"]] if rollup_bounds["first"] else []
    lasts += [rollup_bounds["last"]] if rollup_bounds["last"] else []
    first = since or (min(firsts) if firsts else None)
    last = until or (max(lasts) if lasts else timezone.localdate())
    if first is None or last < first:
        return []
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]
