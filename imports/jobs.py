"""Running an import job: the one service its Celery task calls. The import runs as the job's
user (their jurisdiction applies: rows outside it are rejected), reports progress between
chunks, stops when asked, and ends with counts, the first rejected rows, an errors CSV and an
audit record."""

import logging
from types import SimpleNamespace

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from audit import context as audit_context
from audit.choices import AuditOutcome
from audit.services import audit_record
from safecity.core.locks import single_flight

from .choices import JobState
from .mapping import MappingError, mapping_from_spec
from .models import ImportJob
from .problems import FileProblem
from .progress import progress_clear, progress_set
from .readers import open_table
from .running import ImportOutcome, run_import, write_errors

logger = logging.getLogger(__name__)
WORKER_LOST = "the worker running the import stopped before it ended: nothing was saved"
# Rejected rows a job's answer carries; all of them are in its errors CSV.
FIRST_ERRORS = 20


def import_job_run(*, job_id: int) -> None:
    """Run the queued job ``job_id``. A job ended is left alone; one another run is running
    too (a task delivered twice) is left to it; one marked running by a run that died (its
    worker killed: its transaction, and so its rows, went with it) fails, saying so."""
    with single_flight(f"imports:job:{job_id}") as holder:
        if holder:
            _run_held(job_id)


def _run_held(job_id: int) -> None:
    with transaction.atomic():
        job = (
            ImportJob.objects.select_for_update(of=("self",)).select_related("user").get(pk=job_id)
        )
        if job.state == JobState.RUNNING:
            job_end(job, JobState.FAILED, error=WORKER_LOST)
            return
        if job.state != JobState.QUEUED:
            return
        if job.cancel_requested:
            job_end(job, JobState.CANCELLED, error="cancelled before it started")
            return
        job.state, job.started_at = JobState.RUNNING, timezone.now()
        job.save(update_fields=["state", "started_at"])
    context = audit_context.activate(_job_context(job))
    try:
        outcome = _run(job)
    except (MappingError, FileProblem, PermissionDenied) as exc:
        job_end(job, JobState.FAILED, error=str(exc))
        return
    except Exception as exc:
        logger.exception("import job %s failed", job.public_id)
        job_end(job, JobState.FAILED, error=f"the import failed: {type(exc).__name__}")
        raise
    finally:
        audit_context.deactivate(context)
        progress_clear(job.public_id)
    _finish(job, outcome)


def _job_context(job: ImportJob):
    """The audit context of the job's writes: its user, as if the request went on."""
    request = SimpleNamespace(user=job.user, auth=None)
    return audit_context.RequestContext(
        request=request, ip=None, user_agent="", method="TASK", path=f"imports/{job.public_id}"
    )


def _run(job: ImportJob) -> ImportOutcome:
    mapping = mapping_from_spec(
        job.spec, time_zone=job.time_zone or None, crs=job.coordinate_system or None
    )
    table = open_table(
        job.file_path(),
        name=job.file_name,
        file_format=job.file_format,
        encoding=mapping.encoding,
        sheet=mapping.sheet,
    )
    with table:
        rows_total = table.rows_total
        if rows_total is None:
            # A workbook that declares no size (as write-only exporters make them): one
            # streamed pass counts its rows, so the job's progress has a total.
            rows_total = sum(1 for _ in table.records())
        if job.rows_total != rows_total:
            job.rows_total = rows_total  # the job is saved whole when it ends
            ImportJob.objects.filter(pk=job.pk).update(rows_total=rows_total)
        return run_import(
            table=table,
            mapping=mapping,
            source_system=job.source_system,
            user=job.user,
            atomic=job.atomic,
            dry_run=job.dry_run,
            on_progress=lambda rows_done, totals: progress_set(
                job.public_id, rows_done=rows_done, report=totals
            ),
            # Read on the import's own connection: a committed request shows at once.
            cancelled=lambda: ImportJob.objects.filter(pk=job.pk, cancel_requested=True).exists(),
        )


def _finish(job: ImportJob, outcome: ImportOutcome) -> None:
    report = outcome.report
    job.created, job.updated = report.created, report.updated
    job.unchanged, job.rejected = report.unchanged, report.rejected
    job.rows_done, job.kept = outcome.rows_done, outcome.kept
    job.first_errors = [error.as_dict() for error in report.errors[:FIRST_ERRORS]]
    if report.errors:
        job.errors_name = f"{job.public_id}.errors.csv"
        with open(job.errors_path(), "w", encoding="utf-8", newline="") as handle:
            write_errors(handle, outcome)
    if outcome.not_kept_because == "cancelled":
        state, error = JobState.CANCELLED, "cancelled: nothing was saved"
    elif outcome.all_rejected:
        state, error = JobState.FAILED, "every row was rejected: nothing was saved"
    elif outcome.not_kept_because == "atomic":
        state, error = JobState.FAILED, f"{report.rejected} row(s) rejected: nothing was saved"
    else:
        state, error = JobState.SUCCEEDED, ""
    job_end(job, state, error=error)


def job_end(job: ImportJob, state: str, *, error: str = "") -> None:
    """End ``job`` in ``state``: saved, its upload removed, audited."""
    job.state, job.error, job.finished_at = state, error, timezone.now()
    job.save()
    job.file_path().unlink(missing_ok=True)
    audit_record(
        action="bulk_ingest",
        obj=job,
        user=job.user,
        outcome=AuditOutcome.SUCCESS if state == JobState.SUCCEEDED else AuditOutcome.FAILED,
        detail=(
            f"import {state}: {job.created} created, {job.updated} updated, "
            f"{job.unchanged} unchanged, {job.rejected} rejected"
            + (" (dry run)" if job.dry_run else "")
        ),
        changes={
            "file_name": job.file_name,
            "sha256": job.sha256,
            "size": job.size,
            "mapping": job.mapping_name,
            "mapping_version": job.mapping_number,
            "source_system": job.source_system,
            "dry_run": job.dry_run,
            "atomic": job.atomic,
            "counts": {
                "created": job.created,
                "updated": job.updated,
                "unchanged": job.unchanged,
                "rejected": job.rejected,
            },
            "error": error,
        },
    )
