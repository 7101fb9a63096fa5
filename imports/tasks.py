"""The import job's task, and how a job is queued: to a worker on the real stack; in embedded
mode (tasks run eagerly, in-process) on a thread of the web process, so the request that
queued it answers at once instead of after the whole import."""

import threading

from celery import shared_task
from django.conf import settings
from django.db import connection

from .jobs import import_job_run
from .retention import import_files_prune


@shared_task(name="imports.run_job", acks_late=True)
def run_job(job_id: int) -> None:
    import_job_run(job_id=job_id)


@shared_task(name="imports.prune_files")
def prune_files() -> int:
    return import_files_prune()


def job_queue(job_id: int) -> None:
    """Start the job: call once its row is committed (``transaction.on_commit``)."""
    if run_job.app.conf.task_always_eager:
        threading.Thread(
            target=_run_on_thread, args=(job_id,), name=f"import-job-{job_id}", daemon=True
        ).start()
    else:
        run_job.apply_async(args=[job_id], queue=settings.IMPORT_QUEUE)


def _run_on_thread(job_id: int) -> None:
    try:
        run_job.apply(args=[job_id])
    finally:
        connection.close()  # the thread's own connection
