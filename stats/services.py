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
from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models.functions import TruncDate
from django.utils import timezone

from safecity.core.bulk import bulk_insert

from .models import ALL_CATEGORIES, EVERYWHERE, DirtyDay
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
    if settings.STATS_RECOMPUTE_ON_COMMIT:
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


def _day_rows(source: MetricSource, day: date, category_ids: dict[str, int]) -> list[list]:
    """The rollup rows of one day: every (area node, category node) pair with records."""
    start, end = day_bounds(day)
    names = list(source.measures)
    area_field, category_field = source.area_path_field, source.category_path_field
    groups = (
        source.records()
        .filter(**{f"{source.time_field}__gte": start, f"{source.time_field}__lt": end})
        .order_by()
        .values(area_field, category_field)
        .annotate(**{name: measure.aggregate for name, measure in source.measures.items()})
    )
    cube: dict[tuple[int, int], list] = defaultdict(lambda: [0] * len(names))
    for group in groups:
        area_path = group[area_field]
        area_keys = [EVERYWHERE]
        if area_path:
            area_keys += [int(part) for part in area_path.strip("/").split("/")]
        category_keys = [ALL_CATEGORIES]
        category_keys += [
            category_ids[code] for code in group[category_field].strip("/").split("/") if code
        ]
        values = [group[name] or 0 for name in names]
        for area_key in area_keys:
            for category_key in category_keys:
                totals = cube[(area_key, category_key)]
                for index, value in enumerate(values):
                    totals[index] += value
    return [[day, area, category, *totals] for (area, category), totals in cube.items()]


def rollup_day_recompute(
    *, source: MetricSource, day: date, category_ids: dict[str, int] | None = None
) -> int:
    """Replace one day's rollups from the records, in the caller's transaction; rows written."""
    _lock_day(source, day)
    rows = _day_rows(source, day, category_ids or source.category_ids())
    source.rollup.objects.filter(day=day).delete()
    bulk_insert(source.rollup, ["day", "area_key", "category_key", *source.measures], rows)
    return len(rows)


def rollups_recompute_dirty(*, max_days: int | None = None) -> int:
    """Recompute every day with a claimable dirty mark, one day per transaction; days done."""
    done = 0
    category_ids: dict[str, dict[str, int]] = {}
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
            if name not in category_ids:
                category_ids[name] = source.category_ids()
            rollup_day_recompute(source=source, day=day, category_ids=category_ids[name])
            DirtyDay.objects.filter(id__in=claimed).delete()
        done += 1
    return done


def rollups_reconcile(*, days: int = 60, today: date | None = None) -> int:
    """Recompute the last ``days`` days of every source, whatever their marks say."""
    today = today or timezone.localdate()
    first = today - timedelta(days=days - 1)
    return rollups_rebuild(since=first, until=today)


def rollups_rebuild(
    *,
    since: date | None = None,
    until: date | None = None,
    progress: Callable[[int], None] | None = None,
    on_total: Callable[[int], None] | None = None,
) -> int:
    """Recompute every day from ``since`` (default: each source's first record) to ``until``
    (default: the last record or today); days without records are emptied. Days written."""
    plan: list[tuple[MetricSource, list[date]]] = []
    for source in sources():
        plan.append((source, _days_to_rebuild(source, since, until)))
    if on_total:
        on_total(sum(len(days) for _, days in plan))
    written = 0
    for source, days in plan:
        category_ids = source.category_ids()
        for day in days:
            with transaction.atomic():
                rollup_day_recompute(source=source, day=day, category_ids=category_ids)
            written += 1
            if progress:
                progress(1)
    return written


def _days_to_rebuild(source: MetricSource, since: date | None, until: date | None) -> list[date]:
    tz = timezone.get_default_timezone()
    record_days = set(
        source.records()
        .order_by()
        .annotate(local_day=TruncDate(source.time_field, tzinfo=tz))
        .values_list("local_day", flat=True)
        .distinct()
    )
    rollup_days = set(source.rollup.objects.values_list("day", flat=True).distinct())
    days = record_days | rollup_days  # rollup days without records must be emptied
    if since is not None:
        days = {day for day in days if day >= since}
        days |= _every_day(since, until or timezone.localdate())
    if until is not None:
        days = {day for day in days if day <= until}
    return sorted(days)


def _every_day(first: date, last: date) -> set[date]:
    return {first + timedelta(days=n) for n in range((last - first).days + 1)}
