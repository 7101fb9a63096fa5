"""Writes of imports: mappings saved as new versions; import jobs created (their upload
checked and stored, their run queued) and cancelled. A job's run is ``jobs.import_job_run``."""

import hashlib
import uuid
from pathlib import Path

from django.conf import settings
from django.db import transaction

from accounts.policy import require
from audit.services import audit_record

from .choices import ENDED_STATES, JobState
from .jobs import job_end
from .mapping import mapping_from_spec
from .models import ImportJob, ImportMapping, MappingVersion
from .problems import FileProblem
from .readers import open_table
from .selectors import mapping_version_latest
from .tasks import job_queue


def mapping_save(*, name: str, spec: dict, user=None, description: str = "") -> MappingVersion:
    """Save ``spec`` (checked first: MappingError says what is wrong) as the next version of
    the mapping ``name``, creating the mapping if it is new."""
    mapping_from_spec(spec)
    with transaction.atomic():
        mapping, _ = ImportMapping.objects.select_for_update().get_or_create(
            name=name, defaults={"description": description}
        )
        if description and mapping.description != description:
            mapping.description = description
            mapping.save(update_fields=["description"])
        latest = mapping.versions.order_by("-number").values_list("number", flat=True).first()
        version = MappingVersion.objects.create(
            mapping=mapping, number=(latest or 0) + 1, spec=spec, author=user
        )
        audit_record(
            action="create",
            obj=version,
            object_repr=str(version),
            user=user,
        )
    return version


class ImportRefused(ValueError):
    """An upload refused before a job was made (too large, no mapping); the message says why."""


def import_job_create(
    *,
    user,
    upload,
    mapping_name: str = "",
    spec: dict | None = None,
    dry_run: bool = False,
    atomic: bool = False,
    source_system: str,
    time_zone: str = "",
    coordinate_system: str = "",
) -> ImportJob:
    """Store ``upload``, check it against the mapping (the stored mapping ``mapping_name``'s
    latest version, or the inline ``spec``) and queue its import. MappingError, FileProblem or
    ImportRefused, with nothing kept, when the mapping or the file cannot be used."""
    require(user, "incidents.add_incident")
    if upload.size > settings.IMPORT_UPLOAD_MAX_BYTES:
        raise ImportRefused(
            f"{upload.name}: {upload.size:,} bytes, more than the limit of "
            f"{settings.IMPORT_UPLOAD_MAX_BYTES:,} (IMPORT_UPLOAD_MAX_BYTES)"
        )
    version = None
    if spec is None:
        version = mapping_version_latest(mapping_name)
        if version is None:
            raise ImportRefused(f"no stored mapping named {mapping_name!r}")
        spec = version.spec
    mapping = mapping_from_spec(spec, time_zone=time_zone or None, crs=coordinate_system or None)
    public_id = uuid.uuid4()
    stored_name = f"{public_id}.upload"
    path, digest = _store(upload, stored_name)
    try:
        table = open_table(
            path,
            name=upload.name,
            file_format=mapping.file_format,
            encoding=mapping.encoding,
            sheet=mapping.sheet,
        )
        with table:
            table.check_columns(mapping.columns)
    except FileProblem:
        path.unlink(missing_ok=True)
        raise
    job = ImportJob.objects.create(
        public_id=public_id,
        user=user,
        stored_name=stored_name,
        file_name=upload.name[:255],
        sha256=digest,
        size=upload.size,
        file_format=table.file_format,
        mapping_version=version,
        mapping_name=version.mapping.name if version else "",
        mapping_number=version.number if version else None,
        spec=spec,
        dry_run=dry_run,
        atomic=atomic,
        source_system=source_system,
        time_zone=time_zone,
        coordinate_system=coordinate_system,
        rows_total=table.rows_total,
    )
    transaction.on_commit(lambda: job_queue(job.pk))
    return job


def _store(upload, stored_name: str) -> tuple[Path, str]:
    """The upload written under IMPORT_FILES_DIR (private to the platform), and its SHA-256."""
    folder = Path(settings.IMPORT_FILES_DIR)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / stored_name
    digest = hashlib.sha256()
    with open(path, "wb") as handle:
        for piece in upload.chunks():
            digest.update(piece)
            handle.write(piece)
    return path, digest.hexdigest()


def import_job_cancel(*, job: ImportJob, user) -> ImportJob:
    """Ask the job to stop: a queued job ends now; a running one rolls back at its next chunk
    (nothing of it is kept). An ended job is left as it is."""
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job.pk)
        if job.state in ENDED_STATES:
            return job
        job.cancel_requested = True
        job.save(update_fields=["cancel_requested"])
        audit_record(action="update", obj=job, user=user, detail="cancel requested")
        if job.state == JobState.QUEUED:
            # Under the row's lock: a worker about to start it finds it ended and leaves it.
            job_end(job, JobState.CANCELLED, error="cancelled before it started")
    return job
