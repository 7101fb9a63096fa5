"""Load a standard address table (CSV or XLSX) into the geocoder's table."""

from django.core.management.base import BaseCommand, CommandError

from geocoding.services import address_table_import
from imports.readers import FileProblem, open_table


class Command(BaseCommand):
    help = "Import the bureau's standard address table (address, lon, lat[, area_codes])."

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--source", default="standard", help="the table's name (a slug)")
        parser.add_argument("--sheet", help="the XLSX sheet (default: the first)")
        parser.add_argument("--encoding", help="the CSV's encoding (default: detected)")
        parser.add_argument("--show-rejected", type=int, default=20, metavar="N")

    def handle(self, *args, path, source, sheet, encoding, show_rejected, **options):
        try:
            with open_table(path, sheet=sheet, encoding=encoding) as table:
                report = address_table_import(
                    records=table.records(), header=table.header, source=source, name=table.name
                )
        except (FileProblem, ValueError) as exc:
            raise CommandError(str(exc)) from exc
        for row, reason in report.rejections[:show_rejected]:
            self.stderr.write(f"row {row}: {reason}")
        self.stdout.write(
            f"created {report.created}, updated {report.updated}, "
            f"unchanged {report.unchanged}, rejected {report.rejected}"
        )
