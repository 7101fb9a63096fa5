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

from . import chain
from . import context as audit_context
from .choices import AuditAction, AuditOutcome
from .models import AuditArchive, AuditEvent, link_pending_events, lock_archiving
from .verify import ChainWalk, read_archive_file

logger = logging.getLogger(__name__)

SYSTEM = "system"
ANONYMOUS = "anonymous"
REPR_LENGTH = 200
ARCHIVE_BATCH = 5000


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

    The run takes an unbroken stretch of the chain from its start, stopping before the oldest
    event still within retention, so every event in a ledger row's stretch is in its file,
    and the chain left in the table continues from the ledger's last link."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.AUDIT_RETENTION_DAYS)
    directory = Path(settings.AUDIT_ARCHIVE_DIR)
    directory.mkdir(parents=True, exist_ok=True)
    with transaction.atomic():
        lock_archiving(connection.alias)
        link_pending_events()
        linked = AuditEvent.objects.exclude(seq=None)
        boundary = linked.filter(at__gte=cutoff).aggregate(seq=Min("seq"))["seq"]
        old = linked.filter(at__lt=cutoff)
        if boundary is not None:
            old = old.filter(seq__lt=boundary)
        span = old.aggregate(
            first_seq=Min("seq"), last_seq=Max("seq"), first_id=Min("id"), last_id=Max("id"),
            first_at=Min("at"), last_at=Max("at"), count=Count("id"),
        )  # fmt: skip
        if not span["count"]:
            return None
        if span["count"] != span["last_seq"] - span["first_seq"] + 1:
            raise ArchiveError(
                f"the chain has gaps between {span['first_seq']} and {span['last_seq']}: "
                "run audit_verify"
            )
        path = directory / f"audit-{span['first_seq']:012d}-{span['last_seq']:012d}.jsonl.gz"
        try:
            written = _write_archive(old.order_by("seq"), path)
            _verify_archive(path, written, first_seq=span["first_seq"], last_seq=span["last_seq"])
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
                first_seq=span["first_seq"],
                last_seq=span["last_seq"],
                events_prev_hash=written.prev_hash,
                events_last_hash=written.last_hash,
            )
            deleted = _delete_archived(archive)
            if deleted != written.count:
                raise ArchiveError(f"{path}: {written.count} events archived, {deleted} deleted")
        except BaseException:
            path.unlink(missing_ok=True)
            raise
        audit_record(
            action=AuditAction.ARCHIVE,
            obj=archive,
            detail=f"{archive.count} events {archive.first_seq}–{archive.last_seq} → {path.name}",
        )
    logger.info("archived %s audit events to %s", archive.count, path)
    return archive


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


@dataclass(frozen=True)
class _Written:
    count: int
    sha256: str
    prev_hash: str = chain.GENESIS
    last_hash: str = chain.GENESIS


def _write_archive(events, path: Path) -> _Written:
    partial = path.with_name(path.name + ".partial")
    count, prev_hash, last_hash = 0, None, chain.GENESIS
    with open(partial, "wb") as raw:
        hashing = _HashingWriter(raw)
        with gzip.GzipFile(fileobj=hashing, mode="wb", mtime=0) as archive:
            for row in events.values(*ARCHIVE_FIELDS).iterator(chunk_size=ARCHIVE_BATCH):
                archive.write(orjson.dumps(row, option=orjson.OPT_SORT_KEYS) + b"\n")
                count += 1
                prev_hash = row["prev_hash"] if prev_hash is None else prev_hash
                last_hash = row["hash"]
        raw.flush()
        os.fsync(raw.fileno())
    os.replace(partial, path)
    _fsync_directory(path.parent)
    return _Written(
        count=count,
        sha256=hashing.digest.hexdigest(),
        prev_hash=prev_hash or chain.GENESIS,
        last_hash=last_hash,
    )


def _fsync_directory(directory: Path) -> None:
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _verify_archive(path: Path, written: _Written, *, first_seq: int, last_seq: int) -> None:
    """Read the file back: the digest of its bytes, then every event's link in order."""
    digest = hashlib.sha256()
    with open(path, "rb") as raw:
        for chunk in iter(lambda: raw.read(1 << 20), b""):
            digest.update(chunk)
    if digest.hexdigest() != written.sha256:
        raise ArchiveError(f"{path}: SHA-256 differs from what was written")
    walk = ChainWalk(prev_hash=written.prev_hash, seq=first_seq)
    for event in read_archive_file(path):
        broken = walk.step(event)
        if broken:
            raise ArchiveError(f"{path}: {broken}")
    if walk.count != written.count:
        raise ArchiveError(f"{path}: {walk.count} events read back, {written.count} written")
    if (walk.count and walk.seq - 1 != last_seq) or walk.prev_hash != written.last_hash:
        raise ArchiveError(f"{path}: the events do not span {first_seq}–{last_seq}")


def _delete_archived(archive: AuditArchive) -> int:
    """Delete the archived rows; the table refuses Django's delete, and on PostgreSQL its
    trigger lets only this service's transaction delete, and only rows the ledger covers."""
    table = connection.ops.quote_name(AuditEvent._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT set_config(%s, 'on', true)", [chain.ARCHIVING_SETTING])
        cursor.execute(
            f"DELETE FROM {table} WHERE seq BETWEEN %s AND %s",
            [archive.first_seq, archive.last_seq],
        )
        deleted = cursor.rowcount
        if connection.vendor == "postgresql":
            cursor.execute("SELECT set_config(%s, 'off', true)", [chain.ARCHIVING_SETTING])
        return deleted
