from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from imports.mapping import MappingError, load_mapping, mapping_from_spec
from imports.problems import FileProblem
from imports.readers import open_table
from imports.running import audit_command_import, run_import, write_errors
from imports.selectors import mapping_version_latest
from safecity.core.crs import Crs

SHOWN_PROBLEMS = 20


class Command(BaseCommand):
    help = (
        "Import incidents from another system's CSV, JSON-lines or XLSX export, by a mapping "
        "file or a stored mapping's name. Exits non-zero when nothing could be imported: every "
        "row rejected, or any row rejected under --atomic."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument(
            "--mapping", required=True, help="a mapping file, or the name of a stored mapping"
        )
        parser.add_argument("--source", required=True, help="name of the source system")
        parser.add_argument("--atomic", action="store_true", help="save nothing if a row is bad")
        parser.add_argument(
            "--dry-run", action="store_true", help="check and count everything, save nothing"
        )
        parser.add_argument("--errors", type=Path, help="write rejected rows to this CSV file")
        parser.add_argument("--time-zone", help="of times without an offset (else the mapping's)")
        parser.add_argument(
            "--crs",
            choices=Crs.values,
            help="the system of the file's points (else the mapping's crs, else wgs84)",
        )
        parser.add_argument(
            "--sheet", help="the XLSX sheet to read (else the mapping's, the first)"
        )
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, **options):
        table = None
        try:
            mapping = self._mapping(options["mapping"], options["time_zone"], options["crs"])
            table = open_table(
                options["path"],
                file_format=mapping.file_format,
                encoding=mapping.encoding,
                sheet=options["sheet"] or mapping.sheet,
            )
            table.check_columns(mapping.columns)
        except (MappingError, FileProblem) as exc:
            if table is not None:
                table.close()
            raise CommandError(str(exc)) from exc
        progress = tqdm(
            total=table.rows_total,
            unit="rows",
            disable=options["no_progress"],
            file=self.stderr._out,
        )
        done = 0

        def on_progress(rows_done, _totals):
            nonlocal done
            progress.update(rows_done - done)
            done = rows_done

        try:
            outcome = run_import(
                table=table,
                mapping=mapping,
                source_system=options["source"],
                atomic=options["atomic"],
                dry_run=options["dry_run"],
                on_progress=on_progress,
            )
        except FileProblem as exc:
            raise CommandError(f"{exc}; nothing was saved") from exc
        finally:
            progress.close()
            table.close()
        audit_command_import(
            table=table,
            outcome=outcome,
            mapping_label=self._mapping_label,
            source_system=options["source"],
            atomic=options["atomic"],
            dry_run=options["dry_run"],
        )
        if options["errors"]:
            with open(options["errors"], "w", encoding="utf-8", newline="") as handle:
                write_errors(handle, outcome)
        self._summarise(outcome, mapping, options)
        report = outcome.report
        if outcome.all_rejected:
            raise CommandError(f"every row was rejected ({report.rejected}): nothing imported")
        if options["atomic"] and report.rejected:
            raise CommandError(f"{report.rejected} row(s) rejected: nothing saved (--atomic)")

    def _mapping(self, given: str, time_zone: str | None, crs: str | None):
        """A mapping file, else the latest version of the stored mapping of that name."""
        if Path(given).is_file():
            self._mapping_label = f"file {Path(given).name}"
            return load_mapping(Path(given), time_zone=time_zone, crs=crs)
        version = mapping_version_latest(given)
        if version is None:
            raise MappingError(f"{given}: no such mapping file, nor a stored mapping of that name")
        self._mapping_label = f"{version.mapping.name} v{version.number}"
        self.stderr.write(f"mapping {self._mapping_label}")
        return mapping_from_spec(version.spec, time_zone=time_zone, crs=crs)

    def _summarise(self, outcome, mapping, options):
        report = outcome.report
        prefix = {
            "atomic": "nothing saved (--atomic): ",
            "dry run": "dry run, nothing saved: ",
        }.get(outcome.not_kept_because, "")
        self.stdout.write(
            f"{prefix}{report.created} created, {report.updated} updated, "
            f"{report.unchanged} unchanged, {report.rejected} rejected"
        )
        for error in report.errors[:SHOWN_PROBLEMS]:
            value = f" (value: {error.value!r})" if error.value else ""
            self.stdout.write(f"  row {error.row}: {error.field}: {error.message}{value}")
        if len(report.errors) > SHOWN_PROBLEMS:
            more = len(report.errors) - SHOWN_PROBLEMS
            where = f" (all in {options['errors']})" if options["errors"] else ""
            self.stdout.write(f"  ... and {more} more problems{where}")
        for target, counts in outcome.unmapped.items():
            default = mapping.fields[target].default
            kept = f"counted as {default}" if default is not None else "kept as they are"
            self.stdout.write(f"unmapped {target} values, {kept}:")
            for value, count in counts.most_common():
                self.stdout.write(f"  {value}: {count}")
