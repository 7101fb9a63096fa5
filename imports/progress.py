"""An import job's progress while it runs, kept in the cache: the job's rows are written in
one transaction, which no other connection sees until it ends, and a row of progress written
in it would be as invisible. Losing the cache loses only the figures, not the job."""

from django.core.cache import cache
from django.utils import timezone

PROGRESS_SECONDS = 24 * 3600
COUNTS = ("created", "updated", "unchanged", "rejected")


def _key(job_id) -> str:
    return f"imports:job:{job_id}:progress"


def progress_set(job_id, *, rows_done: int, report) -> None:
    figures = {name: getattr(report, name) for name in COUNTS}
    cache.set(
        _key(job_id),
        {"rows_done": rows_done, **figures, "at": timezone.now().isoformat()},
        PROGRESS_SECONDS,
    )


def progress_get(job_id) -> dict | None:
    return cache.get(_key(job_id))


def progress_clear(job_id) -> None:
    cache.delete(_key(job_id))
