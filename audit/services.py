"""Recording audit events, and archiving the ones past retention."""

import gzip
import hashlib
import logging
import os
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from uuid import UUID

import orjson
from django.conf import settings
from django.db import connection, models, transaction
from django.db.models import Count, Max, Min
from django.utils import timezone
from django.utils.functional import Promise

from . import context as audit_context
from .choices import AuditAction, AuditOutcome
from .models import AuditArchive, AuditEvent

logger = logging.getLogger(__name__)

SYSTEM = "system"
ANONYMOUS = "anonymous"
REPR_LENGTH = 200
ARCHIVE_BATCH = 5000
# Any constant: one archiving run at a time across every worker.
ARCHIVE_LOCK_KEY = 0x5AFEC17A


# --- Recording --------------------------------------------------------------------------------
def audit_record(
    *,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    changes: dict | None = None,
    outcome: str = AuditOutcome.SUCCESS,
    detail: str = "",
    user=None,
    request=None,
    actor_username: str = "",
) -> AuditEvent:
    """Record one event. Who and from where come from the current request (see
    ``audit.context``) unless ``user`` or ``request`` is given; outside a request the
    platform itself acts (“system”). ``actor_username`` names a claimed identity when there
    is no user (the username a failed login tried)."""
    current = audit_context.current()
    context = audit_context.context_for(request) if request is not None else current
    if user is None and context is not None:
        user = context.user
    actor_id, username = _actor(user, in_request=context is not None)
    if actor_id is None and actor_username:
        username = actor_username
    if obj is not None:
        object_type = object_type or object_label(obj)
        object_id = object_id or ("" if obj.pk is None else str(obj.pk))
        object_repr = object_repr or safe_repr(obj)
    event = AuditEvent.objects.create(
        actor_id=actor_id,
        actor_username=username[:150],
        action=action,
        object_type=object_type[:100],
        object_id=str(object_id)[:64],
        object_repr=object_repr[:REPR_LENGTH],
        changes=json_safe(changes or {}),
        outcome=outcome,
        detail=detail,
        ip=context.ip if context else None,
        user_agent=context.user_agent if context else "",
        method=context.method if context else "",
        path=context.path if context else "",
        token_id=context.token_id if context else None,
    )
    about_current_request = current is not None and (
        request is None or _same_request(request, current.request)
    )
    if outcome != AuditOutcome.SUCCESS and about_current_request:
        current.outcome_recorded = True
    return event


def _actor(user, *, in_request: bool) -> tuple[int | None, str]:
    if user is not None and getattr(user, "is_authenticated", False):
        return user.pk, user.get_username()
    return None, ANONYMOUS if in_request or user is not None else SYSTEM


def _same_request(request, other) -> bool:
    return getattr(request, "_request", request) is getattr(other, "_request", other)


def object_label(obj: models.Model) -> str:
    """``app_label.model`` of the concrete model, so a proxy's rows share its history."""
    return obj._meta.concrete_model._meta.label_lower


def safe_repr(obj) -> str:
    try:
        return str(obj)[:REPR_LENGTH]
    except Exception:  # a __str__ that reads a related row already deleted
        return f"{object_label(obj)} {obj.pk}"[:REPR_LENGTH]


def audit_changes(before: dict, after: dict) -> dict:
    """``{field: [before, after]}`` for the fields whose JSON-safe values differ."""
    changes = {}
    for name in [*before, *(key for key in after if key not in before)]:
        old, new = json_safe(before.get(name)), json_safe(after.get(name))
        if old != new:
            changes[str(name)] = [old, new]
    return changes


def json_safe(value):
    """The value as plain JSON types: dates as ISO 8601, decimals and UUIDs as strings,
    model instances as their primary key."""
    if value is None or isinstance(value, bool | int | str):
        return value.value if isinstance(value, models.Choices) else value
    if isinstance(value, float):
        return value if value == value and abs(value) != float("inf") else str(value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, timedelta):
        return value.total_seconds()
    if isinstance(value, Decimal | UUID | Promise):
        return str(value)
    if isinstance(value, models.Model):
        return json_safe(value.pk)
    if isinstance(value, dict):
        return {str(key): json_safe(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = [json_safe(item) for item in value]
        return sorted(items, key=repr) if isinstance(value, set | frozenset) else items
    if isinstance(value, bytes | memoryview):
        return f"<{len(bytes(value))} bytes>"
    return str(value)


# --- Archiving --------------------------------------------------------------------------------
ARCHIVE_FIELDS = [field.attname for field in AuditEvent._meta.concrete_fields]


class ArchiveError(RuntimeError):
    """An archive file that did not read back as written; nothing was deleted."""


@dataclass(frozen=True)
class _Written:
    count: int
    sha256: str


def audit_archive(*, now: datetime | None = None) -> AuditArchive | None:
    """Move the events older than ``AUDIT_RETENTION_DAYS`` to a gzip JSON-lines file in
    ``AUDIT_ARCHIVE_DIR`` and the ledger, then delete them: all or nothing, and only rows
    that are in a file read back and verified. None when nothing is old enough.

    The run takes an unbroken range of ids, stopping before the oldest event still within
    retention, so every row in a ledger range is in its file: the database trigger lets only
    such rows be deleted."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.AUDIT_RETENTION_DAYS)
    directory = Path(settings.AUDIT_ARCHIVE_DIR)
    directory.mkdir(parents=True, exist_ok=True)
    with transaction.atomic():
        _lock_archiving()
        boundary = AuditEvent.objects.filter(at__gte=cutoff).aggregate(id=Min("id"))["id"]
        old = AuditEvent.objects.filter(at__lt=cutoff)
        if boundary is not None:
            old = old.filter(id__lt=boundary)
        span = old.aggregate(
            first_id=Min("id"), last_id=Max("id"), first_at=Min("at"), last_at=Max("at"),
            count=Count("id"),
        )  # fmt: skip
        if not span["count"]:
            return None
        path = directory / f"audit-{span['first_id']:012d}-{span['last_id']:012d}.jsonl.gz"
        try:
            written = _write_archive(old.order_by("id"), path)
            _verify_archive(path, written, first_id=span["first_id"], last_id=span["last_id"])
            if written.count != span["count"]:
                raise ArchiveError(f"{path}: {written.count} events written, {span['count']} due")
            archive = AuditArchive.objects.create(
                path=str(path),
                first_id=span["first_id"],
                last_id=span["last_id"],
                first_at=span["first_at"],
                last_at=span["last_at"],
                count=written.count,
                sha256=written.sha256,
            )
            deleted = _delete_archived(archive, cutoff)
            if deleted != written.count:
                raise ArchiveError(f"{path}: {written.count} events archived, {deleted} deleted")
        except BaseException:
            path.unlink(missing_ok=True)
            raise
        audit_record(
            action=AuditAction.ARCHIVE,
            obj=archive,
            detail=f"{archive.count} events {archive.first_id}–{archive.last_id} → {path.name}",
        )
    logger.info("archived %s audit events to %s", archive.count, path)
    return archive


def _lock_archiving() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ARCHIVE_LOCK_KEY])


class _HashingWriter:
    """A binary file that digests what is written to it."""

    def __init__(self, raw):
        self.raw = raw
        self.digest = hashlib.sha256()

    def write(self, data) -> int:
        self.digest.update(data)
        return self.raw.write(data)

    def flush(self) -> None:
        self.raw.flush()


def _write_archive(events, path: Path) -> _Written:
    partial = path.with_name(path.name + ".partial")
    count, last_id = 0, None
    with open(partial, "wb") as raw:
        hashing = _HashingWriter(raw)
        with gzip.GzipFile(fileobj=hashing, mode="wb", mtime=0) as archive:
            while True:
                batch = events if last_id is None else events.filter(id__gt=last_id)
                rows = list(batch.values(*ARCHIVE_FIELDS)[:ARCHIVE_BATCH])
                if not rows:
                    break
                for row in rows:
                    archive.write(orjson.dumps(row, option=orjson.OPT_SORT_KEYS) + b"\n")
                count += len(rows)
                last_id = rows[-1]["id"]
        raw.flush()
        os.fsync(raw.fileno())
    os.replace(partial, path)
    _fsync_directory(path.parent)
    return _Written(count=count, sha256=hashing.digest.hexdigest())


def _fsync_directory(directory: Path) -> None:
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _verify_archive(path: Path, written: _Written, *, first_id: int, last_id: int) -> None:
    """Read the file back: the digest of its bytes, then every line in id order."""
    digest = hashlib.sha256()
    with open(path, "rb") as raw:
        for chunk in iter(lambda: raw.read(1 << 20), b""):
            digest.update(chunk)
    if digest.hexdigest() != written.sha256:
        raise ArchiveError(f"{path}: SHA-256 differs from what was written")
    count, first, previous = 0, None, None
    with gzip.open(path, "rb") as archive:
        for line in archive:
            event_id = orjson.loads(line)["id"]
            if previous is not None and event_id <= previous:
                raise ArchiveError(f"{path}: ids out of order at {event_id}")
            count, previous = count + 1, event_id
            first = event_id if first is None else first
    if count != written.count:
        raise ArchiveError(f"{path}: {count} events read back, {written.count} written")
    if (first, previous) != (first_id, last_id):
        raise ArchiveError(f"{path}: the ids do not span {first_id}–{last_id}")


def _delete_archived(archive: AuditArchive, cutoff: datetime) -> int:
    """Delete the archived rows; the table refuses Django's delete, and on PostgreSQL its
    trigger checks each row against the ledger row just written."""
    table = connection.ops.quote_name(AuditEvent._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {table} WHERE id BETWEEN %s AND %s AND at < %s",
            [archive.first_id, archive.last_id, cutoff],
        )
        return cursor.rowcount
