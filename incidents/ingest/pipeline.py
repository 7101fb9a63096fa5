"""Writing incident rows: one call (``incidents_ingest``) or a stream of chunks
(``incidents_ingest_chunks``, for files and bulk loads) whose new rows are copied into the
table in a worker thread while the next chunk is validated. An insert that loses a race with
another writer is sorted again as updates. After each write, the statistics of the days and
areas touched are marked stale and other apps are told of the new incidents."""

import contextlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from geocoding.geocoder import table_index
from safecity.core.bulk import bulk_insert_started, uuid4_texts
from stats.marks import rollups_mark_dirty_for, rollups_marks_batched

from ..models import Incident
from ..signals import incidents_created
from .plan import (
    BULK_BATCH_SIZE,
    INGESTED_FIELDS,
    IngestContext,
    existing_incidents,
    ingest_context,
    plan_writes,
    prepare_rows,
    refuse_foreign,
    stats_key,
)
from .report import IngestReport, Rejection, audit_ingest

# Rows a chunk of a pipelined ingest holds: enough for COPY to pay, few enough to overlap.
INGEST_CHUNK = 5000
# Times an insert that lost a race with other writers is sorted again before giving up.
RACE_RETRIES = 5


@dataclass
class IngestChunk:
    """Rows for ``incidents_ingest_chunks``, numbered from ``first_row_number``. Rows the caller
    could not even read are None in ``rows`` and described in ``prior_rejections``."""

    rows: Sequence[dict | None]
    first_row_number: int = 1
    prior_rejections: Sequence[Rejection] = ()


def chunked(
    rows: Sequence[dict | None], *, prior_rejections: Sequence[Rejection] = ()
) -> Iterable[IngestChunk]:
    """A list of rows (numbered from 1) as chunks, each with its own unreadable rows."""
    for start in range(0, len(rows), INGEST_CHUNK):
        end = start + INGEST_CHUNK
        yield IngestChunk(
            rows[start:end],
            first_row_number=start + 1,
            prior_rejections=[r for r in prior_rejections if start < r.row <= end],
        )


def _prepare_chunk(
    chunk: IngestChunk, context: IngestContext, seen: dict[tuple[str, str], int] | None = None
) -> tuple[IngestReport, list[dict]]:
    return prepare_rows(
        chunk.rows,
        context,
        first_row_number=chunk.first_row_number,
        prior_rejections=chunk.prior_rejections,
        seen=seen,
    )


def incidents_ingest(
    *,
    rows: Sequence[dict],
    user=None,
    source_system: str | None = None,
    default_tz: ZoneInfo | None = None,
    first_row_number: int = 1,
    atomic: bool = False,
    return_incidents: bool = False,
    prior_rejections: Sequence[Rejection] = (),
) -> IngestReport:
    """Validate, place and upsert incident rows; bad rows are reported, the rest are saved.

    ``user`` None is the system itself (file imports, the demo): no jurisdiction limit.
    With ``atomic``, nothing is saved when any row is rejected. ``prior_rejections`` are rows
    the caller could not even read (their places in ``rows`` hold None); they count as rejected.
    """
    context = ingest_context(user, source_system, default_tz)
    report, accepted = prepare_rows(
        rows, context, first_row_number=first_row_number, prior_rejections=prior_rejections
    )
    existing = None
    if atomic:
        # Rows over records the caller may not change are found before anything is written.
        existing = existing_incidents(accepted)
        accepted = refuse_foreign(accepted, existing, report, context)
        if report.rejected:
            return report
    try:
        with transaction.atomic():
            _upsert(accepted, report, context, existing=existing, return_incidents=return_incidents)
            if atomic and report.rejected:  # a record created meanwhile, by someone else
                raise _NothingSaved
            audit_ingest(report)
    except _NothingSaved:
        report.created = report.updated = report.unchanged = 0
        report.incidents.clear()
    return report


class _NothingSaved(Exception):
    """An atomic ingest with a rejected row: roll back what was written."""


def incidents_ingest_chunks(
    chunks: Iterable[IngestChunk],
    *,
    user=None,
    source_system: str | None = None,
    default_tz: ZoneInfo | None = None,
    on_chunk: Callable[[IngestChunk, IngestReport], None] | None = None,
) -> IngestReport:
    """Ingest a stream of chunks in one transaction (within the caller's, if any): a file
    import or a bulk load. Returns the totals; ``on_chunk`` gets each chunk's own report once
    its rows are written.

    The work is pipelined: while a chunk's new rows are copied into the table (a COPY in a
    worker thread, the server on the other core), the next chunk is validated and placed.
    Dirty marks for the statistics are written once, at the end.
    """
    # The address table is read into memory before the first COPY: preparing a chunk must not
    # query the connection a COPY holds (it would wait for the COPY, and the COPY for it).
    context = ingest_context(user, source_system, default_tz, geocode=table_index().locate_many)
    total = IngestReport()
    in_flight: _ChunkWrite | None = None
    # References seen so far in the whole load: a repeat is rejected wherever it falls.
    seen: dict[tuple[str, str], int] = {}
    with transaction.atomic(), rollups_marks_batched():
        try:
            for chunk in chunks:
                report, accepted = _prepare_chunk(chunk, context, seen)
                if in_flight:
                    _finish_chunk(in_flight, total, on_chunk)
                in_flight = _ChunkWrite(chunk, report, accepted, context)
            if in_flight:
                _finish_chunk(in_flight, total, on_chunk)
                in_flight = None
        finally:
            if in_flight:  # an error elsewhere: let the COPY end before the rollback
                in_flight.abandon()
    return total


def _finish_chunk(write: "_ChunkWrite", total: IngestReport, on_chunk) -> None:
    write.finish()
    audit_ingest(write.report)
    total.merge(write.report)
    if on_chunk:
        on_chunk(write.chunk, write.report)


class _ChunkWrite:
    """One chunk's writes: updates at once, new rows by a COPY left running until finish()."""

    def __init__(
        self,
        chunk: IngestChunk,
        report: IngestReport,
        accepted: list[dict],
        context: IngestContext,
    ):
        self.chunk, self.report, self.context = chunk, report, context
        self.plan = plan_writes(accepted, report, context, return_incidents=False)
        self.wait = None
        if self.plan.new_rows:
            self.savepoint = transaction.savepoint()
            self.wait = _insert_new(self.plan.new_rows, wait=False)

    def finish(self) -> None:
        new_rows = self.plan.new_rows
        if self.wait:
            try:
                self.wait()
            except IntegrityError:
                # A concurrent ingest created some of these since we looked: sort them again.
                transaction.savepoint_rollback(self.savepoint)
                _upsert(new_rows, self.report, self.context, return_incidents=False, retries=1)
                new_rows = []
            else:
                transaction.savepoint_commit(self.savepoint)
        _after_write(new_rows, self.plan.stale, self.report)

    def abandon(self) -> None:
        if self.wait:
            with contextlib.suppress(Exception):
                self.wait()


def _upsert(
    accepted: list[dict],
    report: IngestReport,
    context: IngestContext,
    *,
    return_incidents: bool,
    retries: int = 0,
    existing: dict[tuple[str, str], Incident] | None = None,
) -> None:
    plan = plan_writes(
        accepted, report, context, return_incidents=return_incidents, existing=existing
    )
    new_rows = plan.new_rows
    if new_rows:
        try:
            with transaction.atomic():
                if return_incidents:
                    created = Incident.objects.bulk_create(
                        [Incident(**values) for values in new_rows], batch_size=BULK_BATCH_SIZE
                    )
                else:
                    _insert_new(new_rows)
        except IntegrityError:
            if retries >= RACE_RETRIES:
                raise
            # A concurrent ingest created some of these since we looked: sort them again (as
            # updates of what it made, if the caller may change that). Each round sees what
            # the writers before it committed, so only a new writer each time keeps it going.
            _upsert(
                new_rows, report, context, return_incidents=return_incidents, retries=retries + 1
            )
            new_rows = []
        else:
            if return_incidents:
                report.incidents.extend(created)
    _after_write(new_rows, plan.stale, report)


def _after_write(new_rows: list[dict], stale: set[tuple], report: IngestReport) -> None:
    """Count the created rows, mark the statistics they and the updates touched, tell others."""
    report.created += len(new_rows)
    report.created_refs.extend((v["source_system"], v["source_ref"]) for v in new_rows)
    stale.update(stats_key(values["reported_at"], values["area_path"]) for values in new_rows)
    rollups_mark_dirty_for(Incident, stale)
    if new_rows:
        incidents_created.send(sender=Incident, rows=new_rows)


_INSERT_COLUMNS = ("source_system", "source_ref", *INGESTED_FIELDS)


def _insert_new(new_rows: list[dict], *, wait: bool = True):
    """Insert new rows; with ``wait`` False, return the function that waits for the insert."""
    now = timezone.now()
    if connection.vendor == "postgresql":
        now = now.isoformat()  # once, not once a row
    public_ids = uuid4_texts(len(new_rows))
    finished = bulk_insert_started(
        Incident,
        (*_INSERT_COLUMNS, "public_id", "created_at", "updated_at"),
        (
            [*map(values.__getitem__, _INSERT_COLUMNS), public_id, now, now]
            for values, public_id in zip(new_rows, public_ids, strict=True)
        ),
    )
    if not wait:
        return finished
    finished()
    return None
