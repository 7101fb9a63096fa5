"""How long an import's files are kept: the upload goes when its job ends; the report of its
rejected rows (errors CSV) is kept ``IMPORT_ERRORS_KEPT_DAYS`` days for downloading, then
removed by beat (``imports.prune_files``). The job's record and its audit entry stay."""

from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from .choices import ENDED_STATES
from .models import ImportJob


def import_files_prune(*, now: datetime | None = None) -> int:
    """Remove the error reports of jobs ended longer ago than the setting; how many."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.IMPORT_ERRORS_KEPT_DAYS)
    ended = ImportJob.objects.filter(state__in=ENDED_STATES, finished_at__lt=cutoff).exclude(
        errors_name=""
    )
    removed = 0
    for job in ended.iterator():
        path = job.errors_path()
        if path is not None:
            path.unlink(missing_ok=True)
        ImportJob.objects.filter(pk=job.pk).update(errors_name="")
        removed += 1
    return removed
