"""The statistics' days and keys: pure helpers every other statistics module stands on.

A statistics day is the platform's calendar day (TIME_ZONE), whatever time zone a request has
activated; a record's area key is the leaf of its materialized area path.
"""

from datetime import date, datetime, time, timedelta

from django.utils import timezone

from .models import EVERYWHERE


def local_day(moment: datetime) -> date:
    """The platform's calendar day of a moment."""
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


def ancestor_keys(path: str, lookup: dict[str, int] | None = None) -> list[int]:
    """The keys of a node and its ancestors from its materialized path, with the root (0).

    Area paths are ids ("/1/5/9/"); category paths are codes, turned into ids by ``lookup``.
    """
    parts = [part for part in path.strip("/").split("/") if part]
    if lookup is None:
        return [0, *(int(part) for part in parts)]
    return [0, *(lookup[part] for part in parts)]
