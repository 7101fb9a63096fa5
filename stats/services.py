"""Writes to the rollups: recompute days, reconcile, rebuild (stats.marks marks them stale).

Correctness under concurrency rests on three rules:
- A change marks its keys dirty in its own transaction with an upsert, which locks an existing
  mark; a recompute claims marks with SKIP LOCKED, so a mark whose change has not committed yet
  is never claimed (and so never cleared) by a recompute that cannot see that change.
- A recompute replaces a whole day (delete, then insert from the records) in one transaction,
  under a per-day advisory lock, so two recomputes of a day cannot interleave.
- A mark is cleared only in the transaction that rewrites its day, so a killed recompute,
  rebuild or reconcile rolls back with its marks: they stay and the next run does the work.
"""

from collections.abc import Callable
from datetime import date, timedelta
from time import time_ns

from django.db import connection, transaction
from django.db.models import Max, Min
from django.utils import timezone

from safecity.core.bulk import bulk_insert

from .days import day_bounds, local_day
from .grouping import grouped_totals
from .locks import lock_day
from .models import DirtyDay, RollupChange, RollupGeneration
from .registry import MetricSource, get_source, sources


def rollup_day_recompute(
    *, source: MetricSource, day: date, category_ids: dict[str, int] | None = None
) -> int:
    """Replace one day's rollups from the records, in the caller's transaction; rows written.

    Callers bump the source's generation (``_bump_generation``) in the same transaction.
    """
    lock_day(source.name, day)
    if category_ids is None:
        category_ids = dict(source.category_model.objects.values_list("code", "id"))
    start, end = day_bounds(day)
    totals = grouped_totals(source, start, end, category_ids)
    names = list(source.measures)
    source.rollup.objects.filter(day=day).delete()
    bulk_insert(
        source.rollup,
        ["day", "area_key", "category_key", *names],
        ([day, area, category, *sums] for (area, category), sums in totals.items()),
    )
    return len(totals)


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
    plan = [(source, days_to_rebuild(source, since, until)) for source in sources()]
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


def days_to_rebuild(source: MetricSource, since: date | None, until: date | None) -> list[date]:
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
