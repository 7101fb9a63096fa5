"""Writes to the rollups: mark stale (day, area) keys, recompute days, reconcile, rebuild.

Correctness under concurrency rests on three rules:
- A change marks its keys dirty in its own transaction with an upsert, which locks an existing
  mark; a recompute claims marks with SKIP LOCKED, so a mark whose change has not committed yet
  is never claimed (and so never cleared) by a recompute that cannot see that change.
- A recompute replaces a whole day (delete, then insert from the records) in one transaction,
  under a per-day advisory lock, so two recomputes of a day cannot interleave.
- A killed recompute rolls back: its marks stay and the next run does the work again.
"""

import zlib
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Max, Min
from django.utils import timezone

from areas.models import Area

from .models import EVERYWHERE, DirtyDay
from .registry import MetricSource, get_source, sources


def local_day(moment: datetime) -> date:
    return timezone.localtime(moment).date()


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
    marks = [DirtyDay(source=source, day=day, area_key=area) for day, area in set(keys)]
    if not marks:
        return 0
    # An upsert, not "ignore conflicts": it locks an existing mark until this transaction ends,
    # so no recompute can claim and clear it before this change is visible.
    DirtyDay.objects.bulk_create(
        marks,
        batch_size=2000,
        update_conflicts=True,
        unique_fields=["source", "day", "area_key"],
        update_fields=["marked_at"],
    )
    if settings.STATS_RECOMPUTE_ON_COMMIT and not _recompute_deferred.get():
        from .tasks import recompute_dirty

        transaction.on_commit(recompute_dirty.delay)
    return len(marks)


def _lock_day(source: MetricSource, day: date) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_xact_lock(%s, %s)",
                [zlib.crc32(source.name.encode()) & 0x7FFFFFFF, day.toordinal()],
            )
    # SQLite: write transactions (IMMEDIATE) are already one at a time.


def _tree_nodes(model) -> str:
    """SQL for (key, path) of every node of a path tree, plus the virtual root (0, '')."""
    table = connection.ops.quote_name(model._meta.db_table)
    return f"SELECT id AS node_key, path AS node_path FROM {table} UNION ALL SELECT 0, ''"


def _prefix_of(path_sql: str, node_sql: str) -> str:
    # A plain prefix test: LIKE would read the underscores of category codes as wildcards.
    return f"substr({path_sql}, 1, length({node_sql})) = {node_sql}"


def rollup_day_recompute(*, source: MetricSource, day: date) -> None:
    """Replace one day's rollups from the records, in the caller's transaction.

    The records of the day are grouped by (area path, category path) with the source's
    measures, by the ORM; the database then adds each group to every ancestor of its area and
    of its category (paths are prefixes of their descendants' paths) and writes the sums.
    """
    _lock_day(source, day)
    start, end = day_bounds(day)
    groups = (
        source.records()
        .filter(**{f"{source.time_field}__gte": start, f"{source.time_field}__lt": end})
        .order_by()
        .values(source.area_path_field, source.category_path_field)
        .annotate(**{name: measure.aggregate for name, measure in source.measures.items()})
    )
    groups_sql, params = groups.query.get_compiler(connection=connection).as_sql()
    quote = connection.ops.quote_name
    names = list(source.measures)
    area_path = f"g.{quote(source.area_path_field)}"
    category_path = f"g.{quote(source.category_path_field)}"
    statement = (
        f"INSERT INTO {quote(source.rollup._meta.db_table)} "
        f"(day, area_key, category_key, {', '.join(quote(n) for n in names)}) "
        f"SELECT %s, a.node_key, c.node_key, "
        f"{', '.join(f'COALESCE(SUM(g.{quote(n)}), 0)' for n in names)} "
        # CROSS JOIN fixes SQLite's join order (groups, then areas, then categories), so each
        # prefix test runs as soon as it can; PostgreSQL plans the same query freely.
        f"FROM ({groups_sql}) g "
        f"CROSS JOIN ({_tree_nodes(Area)}) a "
        f"CROSS JOIN ({_tree_nodes(source.category_model)}) c "
        f"WHERE {_prefix_of(area_path, 'a.node_path')} "
        f"AND {_prefix_of(category_path, 'c.node_path')} "
        f"GROUP BY a.node_key, c.node_key"
    )
    source.rollup.objects.filter(day=day).delete()
    with connection.cursor() as cursor:
        cursor.execute(statement, [connection.ops.adapt_datefield_value(day), *params])


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
            rollup_day_recompute(source=get_source(name), day=day)
            DirtyDay.objects.filter(id__in=claimed).delete()
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

    Days are written a month to a transaction: a rebuild interrupted half-way leaves whole
    days, each correct, and the rest as they were.
    """
    plan = [(source, _days_to_rebuild(source, since, until)) for source in sources()]
    for source, days in plan:
        if days:
            # Marks committed before now are covered by this rebuild, which reads later; the
            # delete waits for a mark locked by an ingest in flight, whose change it then sees.
            DirtyDay.objects.filter(source=source.name, day__range=(days[0], days[-1])).delete()
    if on_total:
        on_total(sum(len(days) for _, days in plan))
    written = 0
    for source, days in plan:
        for first in range(0, len(days), REBUILD_DAYS_PER_TRANSACTION):
            batch = days[first : first + REBUILD_DAYS_PER_TRANSACTION]
            with transaction.atomic():
                for day in batch:
                    rollup_day_recompute(source=source, day=day)
            written += len(batch)
            if progress:
                progress(len(batch))
    return written


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
