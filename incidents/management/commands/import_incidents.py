from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from tqdm import tqdm

from incidents.importing import FileProblem, MappingError, check_file, load_mapping, read_records
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


class _Rollback(Exception):
    pass


class Command(BaseCommand):
    help = "Import incidents from another system's CSV or JSON-lines export, by a mapping file."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument("--mapping", type=Path, required=True)
        parser.add_argument("--source", required=True, help="name of the source system")
        parser.add_argument("--atomic", action="store_true", help="save nothing if a row is bad")
        parser.add_argument("--errors", type=Path, help="write rejected rows to this CSV file")
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, **options):
        try:
            mapping = load_mapping(options["mapping"])
            total = check_file(options["path"], mapping)
        except (MappingError, FileProblem) as exc:
            raise CommandError(str(exc)) from exc
        report = IngestReport()
        raw_by_row: dict[int, dict] = {}
        progress = tqdm(
            total=total, unit="rows", disable=options["no_progress"], file=self.stderr._out
        )
        try:
            with transaction.atomic():
                self._import(options, mapping, report, raw_by_row, progress)
                if options["atomic"] and report.rejected:
                    raise _Rollback
        except _Rollback:
            report.created = report.updated = report.unchanged = 0
        finally:
            progress.close()
        if report.created + report.updated:
            analyze_after_load(Incident)
        if options["errors"]:
            self._write_errors(options["errors"], report.errors, raw_by_row)
        self._summarise(report, mapping, options)

    def _import(self, options, mapping, report, raw_by_row, progress):
        def on_chunk(chunk: IngestChunk, written: IngestReport) -> None:
            progress.update(len(chunk.rows))
            # Keep only the rejected records' text for the errors file.
            rejected = {error.row for error in written.errors}
            for number in range(chunk.first_row_number, chunk.first_row_number + len(chunk.rows)):
                if number not in rejected:
                    raw_by_row.pop(number, None)

        report.merge(
            incidents_ingest_chunks(
                self._chunks(options["path"], mapping, raw_by_row),
                source_system=options["source"],
                default_tz=mapping.time_zone,
                on_chunk=on_chunk,
            )
        )

    def _chunks(self, path, mapping, raw_by_row):
        rows, unreadable, first = [], [], None
        for number, record, reason in read_records(path, mapping):
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

    def _write_errors(self, path, errors, raw_by_row):
        with open(path, "w", encoding="utf-8", newline="") as handle:
            exports.write_csv(
                handle,
                ["row", "field", "message", "record"],
                (
                    [error.row, error.field, error.message, raw_by_row.get(error.row, "")]
                    for error in errors
                ),
            )

    def _summarise(self, report, mapping, options):
        prefix = "nothing saved (--atomic): " if options["atomic"] and report.rejected else ""
        self.stdout.write(
            f"{prefix}{report.created} created, {report.updated} updated, "
            f"{report.unchanged} unchanged, {report.rejected} rejected"
        )
        for error in report.errors[:20]:
            self.stdout.write(f"  row {error.row}: {error.field}: {error.message}")
        if len(report.errors) > 20:
            more = len(report.errors) - 20
            where = f" (all in {options['errors']})" if options["errors"] else ""
            self.stdout.write(f"  ... and {more} more problems{where}")
        if mapping.unmapped:
            target = mapping.default_category or "(none: rejected)"
            self.stdout.write(f"unmapped category values, counted as {target}:")
            for value, count in mapping.unmapped.most_common():
                self.stdout.write(f"  {value}: {count}")
