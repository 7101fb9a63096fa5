"""One import from start to end: a checked table read by a mapping, its rows ingested in one
transaction, kept, or rolled back when it was a dry run, when ``atomic`` and a row was
rejected, or when cancelled. The management command and the import job both run here."""

import hashlib
import json
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from django.db import transaction

from audit.choices import AuditOutcome
from audit.services import audit_record
from incidents.ingest import (
    INGEST_CHUNK,
    IngestChunk,
    IngestReport,
    Rejection,
    incidents_ingest_chunks,
)
from incidents.models import Incident
from safecity.core import exports
from safecity.core.bulk import analyze_after_load

from .mapping import Mapping
from .readers import Table

ERROR_COLUMNS = ["row", "field", "value", "message", "record"]


class ImportCancelled(Exception):
    """Raised between chunks when the import was asked to stop: nothing is kept."""


class _RollBack(Exception):
    pass


@dataclass
class ImportOutcome:
    """What an import did: its counts (zero written when nothing was kept), why nothing was
    kept if so, and the rejected records as read."""

    report: IngestReport
    rows_done: int = 0
    kept: bool = True
    # "dry run", "atomic", "cancelled" or "" (kept)
    not_kept_because: str = ""
    # Would have been written, for a dry run or an atomic import that kept nothing.
    would: dict[str, int] = field(default_factory=dict)
    raw_by_row: dict[int, dict] = field(default_factory=dict)
    unmapped: dict[str, Counter] = field(default_factory=dict)

    @property
    def all_rejected(self) -> bool:
        return self.rows_done > 0 and self.report.rejected >= self.rows_done

    def error_rows(self) -> Iterator[list]:
        """The rejected rows for a report: number, field, bad value, reason, record as read."""
        for error in self.report.errors:
            record = self.raw_by_row.get(error.row)
            text = json.dumps(record, ensure_ascii=False, default=str) if record else ""
            yield [error.row, error.field, error.value, error.message, text]


def run_import(
    *,
    table: Table,
    mapping: Mapping,
    source_system: str,
    user=None,
    atomic: bool = False,
    dry_run: bool = False,
    on_progress: Callable[[int, IngestReport], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> ImportOutcome:
    """Import ``table`` by ``mapping`` as ``user`` (None: the platform, no jurisdiction limit).
    ``on_progress`` gets the rows done and the totals so far after each chunk; ``cancelled``
    is asked after each chunk, and a yes rolls everything back."""
    table.check_columns(mapping.columns)
    outcome = ImportOutcome(report=IngestReport())
    totals = IngestReport()

    def on_chunk(chunk: IngestChunk, written: IngestReport) -> None:
        outcome.rows_done += len(chunk.rows)
        totals.merge(written)
        # Keep only the rejected records as read, for the errors report.
        rejected = {error.row for error in written.errors}
        for number in range(chunk.first_row_number, chunk.first_row_number + len(chunk.rows)):
            if number not in rejected:
                outcome.raw_by_row.pop(number, None)
        if on_progress:
            on_progress(outcome.rows_done, totals)
        if cancelled and cancelled():
            raise ImportCancelled

    try:
        with transaction.atomic():
            outcome.report = incidents_ingest_chunks(
                _chunks(table, mapping, outcome.raw_by_row),
                user=user,
                source_system=source_system,
                default_tz=mapping.time_zone,
                on_chunk=on_chunk,
            )
            if dry_run:
                outcome.not_kept_because = "dry run"
                raise _RollBack
            if atomic and outcome.report.rejected:
                outcome.not_kept_because = "atomic"
                raise _RollBack
    except _RollBack:
        _not_kept(outcome, outcome.report)
    except ImportCancelled:
        outcome.not_kept_because = "cancelled"
        outcome.report = totals
        _not_kept(outcome, totals)
    outcome.unmapped = mapping.unmapped
    if outcome.kept and outcome.report.created + outcome.report.updated:
        analyze_after_load(Incident)
    return outcome


def _not_kept(outcome: ImportOutcome, report: IngestReport) -> None:
    """Nothing was kept: a dry run answers what it would have done; otherwise nothing was
    created or updated."""
    outcome.kept = False
    outcome.would = {
        "created": report.created,
        "updated": report.updated,
        "unchanged": report.unchanged,
    }
    if outcome.not_kept_because != "dry run":
        report.created = report.updated = report.unchanged = 0


def _chunks(table: Table, mapping: Mapping, raw_by_row: dict) -> Iterator[IngestChunk]:
    rows, unreadable, first = [], [], None
    for number, record, reason in table.records():
        first = number if first is None else first
        if record is None:
            unreadable.append(Rejection(number, "row", reason))
            rows.append(None)
        else:
            rows.append(mapping.to_row(record))
            raw_by_row[number] = record
        if len(rows) == INGEST_CHUNK:
            yield IngestChunk(rows, first, unreadable)
            rows, unreadable, first = [], [], None
    if rows:
        yield IngestChunk(rows, first, unreadable)


def file_sha256(path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for piece in iter(lambda: handle.read(1 << 20), b""):
            digest.update(piece)
    return digest.hexdigest()


def audit_command_import(*, table: Table, outcome: ImportOutcome, mapping_label: str,
                         source_system: str, atomic: bool, dry_run: bool) -> None:  # fmt: skip
    """The audit record of an import from the command line (the platform acts): file name and
    hash, mapping, counts. A job's is written when it ends (``jobs.job_end``)."""
    report = outcome.report
    counts = {name: getattr(report, name) for name in ("created", "updated", "unchanged",
                                                       "rejected")}  # fmt: skip
    audit_record(
        action="bulk_ingest",
        object_type="imports.file",
        object_repr=table.name,
        outcome=AuditOutcome.SUCCESS if outcome.kept else AuditOutcome.FAILED,
        detail=f"import_incidents {table.name}: "
        + ", ".join(f"{v} {k}" for k, v in counts.items()),
        changes={
            "file_name": table.name,
            "sha256": file_sha256(table.path),
            "size": table.path.stat().st_size,
            "mapping": mapping_label,
            "source_system": source_system,
            "dry_run": dry_run,
            "atomic": atomic,
            "kept": outcome.kept,
            "counts": counts,
        },
    )


def write_errors(handle, outcome: ImportOutcome) -> None:
    """The rejected rows as CSV (formula-safe, through safecity.core.exports)."""
    exports.write_csv(handle, ERROR_COLUMNS, outcome.error_rows())
