from celery import shared_task

from . import services


@shared_task(name="audit.archive", acks_late=True)
def archive() -> int:
    """Daily: events past retention into a verified archive file, then out of the table."""
    archived = services.audit_archive()
    return archived.count if archived else 0
