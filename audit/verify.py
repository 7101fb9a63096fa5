"""Walking the audit chains (audit.chain): the archive ledger, the events in each archive
file, then the events in the table, as one unbroken chain; the first broken link is named."""

import gzip
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import orjson
from django.db import connections, transaction

from . import chain
from .models import AuditArchive, AuditEvent, link_pending_events

BATCH = 5000
EVENT_FIELDS = [field.attname for field in AuditEvent._meta.concrete_fields]


@dataclass
class ChainWalk:
    """Walks a stretch of the event chain in order: each event must hold the next position,
    link to the event before, and carry the digest of its own fields."""

    prev_hash: str
    seq: int
    count: int = 0

    def step(self, event: dict) -> str | None:
        """None, or what is wrong with this event as the next link."""
        where = f"event {event['id']} (seq {event['seq']})"
        if event["seq"] is None:
            return f"{where}: not linked into the chain"
        if event["prev_hash"] != self.prev_hash:
            return (
                f"{where}: link to the event before expected {self.prev_hash or '(start)'} "
                f"found {event['prev_hash'] or '(start)'}"
            )
        if event["seq"] != self.seq:
            return f"{where}: position expected {self.seq} found {event['seq']}"
        digest = AuditEvent.compute_digest(event)
        if digest != event["digest"]:
            return f"{where}: digest of its fields expected {digest} found {event['digest']}"
        expected = chain.link(event["prev_hash"], event["digest"])
        if expected != event["hash"]:
            return f"{where}: hash expected {expected} found {event['hash']}"
        self.prev_hash, self.seq, self.count = event["hash"], self.seq + 1, self.count + 1
        return None


def read_archive_file(path) -> Iterator[dict]:
    """The events of an archive file, as written."""
    with gzip.open(path, "rb") as archive:
        for line in archive:
            yield orjson.loads(line)


@dataclass
class Verification:
    """What a walk of the trail found: counts, and the first broken link if any."""

    events: int = 0
    archives: int = 0
    archived_events: int = 0
    broken: str | None = None
    # The newest link: kept elsewhere, it shows a chain cut short at its end.
    head_seq: int = 0
    head_hash: str = chain.GENESIS

    @property
    def ok(self) -> bool:
        return self.broken is None


def audit_verify(*, files: bool = True, using: str = "default") -> Verification:
    """Walk the ledger, the files it lists (unless ``files`` is false) and the table's events,
    in one consistent snapshot."""
    connection = connections[using]
    outermost = not connection.in_atomic_block
    with transaction.atomic(using=using):
        if outermost and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        link_pending_events(using)
        result = Verification()
        walk = _walk_ledger(result, files=files, using=using)
        if result.ok:
            _walk_events(result, walk, using=using)
        return result


def _walk_ledger(result: Verification, *, files: bool, using: str) -> ChainWalk:
    """The ledger's own chain and the stretches of the event chain its files hold; answers
    where the events in the table must continue from."""
    ledger_hash = chain.GENESIS
    events = ChainWalk(prev_hash=chain.GENESIS, seq=1)
    for archive in AuditArchive._base_manager.using(using).order_by("id").values():
        where = f"archive {archive['id']} ({archive['path']})"
        result.archives += 1
        result.archived_events += archive["count"]
        if archive["prev_hash"] != ledger_hash:
            result.broken = (
                f"{where}: link to the ledger row before expected {ledger_hash or '(start)'} "
                f"found {archive['prev_hash'] or '(start)'}"
            )
            return events
        expected = chain.link(archive["prev_hash"], AuditArchive.compute_digest(archive))
        if expected != archive["hash"]:
            result.broken = f"{where}: hash expected {expected} found {archive['hash']}"
            return events
        ledger_hash = archive["hash"]
        if archive["first_seq"] is None:
            continue  # archived before the trail was chained
        if (archive["first_seq"], archive["events_prev_hash"]) != (events.seq, events.prev_hash):
            result.broken = (
                f"{where}: starts at seq {archive['first_seq']} after "
                f"{archive['events_prev_hash'] or '(start)'}, expected seq {events.seq} after "
                f"{events.prev_hash or '(start)'}"
            )
            return events
        if files:
            result.broken = _check_file(archive, where)
            if result.broken:
                return events
        events = ChainWalk(prev_hash=archive["events_last_hash"], seq=archive["last_seq"] + 1)
    return events


def _check_file(archive: dict, where: str) -> str | None:
    path = Path(archive["path"])
    if not path.is_file():
        return f"{where}: the file is missing"
    digest = hashlib.sha256()
    with open(path, "rb") as raw:
        for chunk in iter(lambda: raw.read(1 << 20), b""):
            digest.update(chunk)
    if digest.hexdigest() != archive["sha256"]:
        return f"{where}: SHA-256 expected {archive['sha256']} found {digest.hexdigest()}"
    walk = ChainWalk(prev_hash=archive["events_prev_hash"], seq=archive["first_seq"])
    for event in read_archive_file(path):
        broken = walk.step(event)
        if broken:
            return f"{where}: {broken}"
    if (walk.seq - 1, walk.prev_hash, walk.count) != (
        archive["last_seq"], archive["events_last_hash"], archive["count"],
    ):  # fmt: skip
        return (
            f"{where}: the file ends at seq {walk.seq - 1} with {walk.prev_hash} after "
            f"{walk.count} events, the ledger says seq {archive['last_seq']} with "
            f"{archive['events_last_hash']} after {archive['count']}"
        )
    return None


def _walk_events(result: Verification, walk: ChainWalk, *, using: str) -> None:
    events = AuditEvent._base_manager.using(using)
    last_seq = None
    while True:
        batch = events.exclude(seq=None) if last_seq is None else events.filter(seq__gt=last_seq)
        rows = list(batch.order_by("seq").values(*EVENT_FIELDS)[:BATCH])
        for event in rows:
            result.broken = walk.step(event)
            if result.broken:
                return
        if len(rows) < BATCH:
            break
        last_seq = rows[-1]["seq"]
    result.events = walk.count
    result.head_seq, result.head_hash = walk.seq - 1, walk.prev_hash
    unlinked = events.filter(seq=None).order_by("id").values(*EVENT_FIELDS).first()
    if unlinked:
        result.broken = walk.step(unlinked)
