"""Reads of imports: mappings (shared by everyone who imports) and jobs (each user's own;
administrators see all)."""

from django.db.models import QuerySet
from django.utils import timezone

from accounts.backends import is_administrator

from .choices import JobState
from .models import ImportJob, ImportMapping, MappingVersion
from .progress import progress_get


def mappings_all() -> QuerySet[ImportMapping]:
    return ImportMapping.objects.prefetch_related("versions")


def mapping_version_latest(name: str) -> MappingVersion | None:
    """The newest version of the stored mapping ``name``, or None."""
    return (
        MappingVersion.objects.select_related("mapping")
        .filter(mapping__name=name)
        .order_by("-number")
        .first()
    )


def jobs_for_user(user) -> QuerySet[ImportJob]:
    """The jobs ``user`` may see: their own; an administrator's, everyone's."""
    jobs = ImportJob.objects.select_related("user")
    if is_administrator(user):
        return jobs
    return jobs.filter(user=user)


def job_progress(job: ImportJob) -> dict:
    """rows done and the counts so far (from the running import's progress while it runs),
    rows a second, and the seconds an import at that rate still needs."""
    figures = {
        "rows_done": job.rows_done,
        "created": job.created,
        "updated": job.updated,
        "unchanged": job.unchanged,
        "rejected": job.rejected,
    }
    if job.state == JobState.RUNNING:
        figures.update(
            {k: v for k, v in (progress_get(job.public_id) or {}).items() if k in figures}
        )
    rate = seconds_left = None
    if job.started_at and figures["rows_done"]:
        elapsed = ((job.finished_at or timezone.now()) - job.started_at).total_seconds()
        rate = round(figures["rows_done"] / elapsed, 1) if elapsed > 0 else None
        if rate and job.state == JobState.RUNNING and job.rows_total:
            seconds_left = max(0, round((job.rows_total - figures["rows_done"]) / rate))
    return {**figures, "rate": rate, "seconds_left": seconds_left}
