from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from areas.choices import AreaKind
from areas.models import Area
from areas.services import AreaImportError, areas_import_file
from areas.sources import DEFAULT_WKT_COLUMN, FILE_FORMATS
from safecity.core.crs import Crs


class Command(BaseCommand):
    help = (
        "Import areas of one kind from GeoJSON, CSV with a WKT column or a zipped shapefile. "
        "Parents named by a property, or one for all, are created when missing. Re-importing "
        "updates; a bad file is rejected whole."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument("--kind", required=True, choices=AreaKind.values)
        parser.add_argument("--code-field", required=True)
        parser.add_argument("--name-field", required=True)
        parser.add_argument("--name-en-field")
        parents = parser.add_mutually_exclusive_group()
        parents.add_argument("--parent-field", help="property naming each feature's parent")
        parents.add_argument("--parent", metavar="CODE", help="the one parent of every feature")
        parser.add_argument(
            "--parent-kind",
            choices=AreaKind.values,
            help="kind of the parents; needed when a parent has to be created",
        )
        parser.add_argument(
            "--under", type=int, help="id of an existing area the imported top areas belong to"
        )
        parser.add_argument(
            "--format",
            choices=FILE_FORMATS,
            default="auto",
            help="file format; auto goes by the extension (.geojson/.json, .csv, .zip)",
        )
        parser.add_argument(
            "--wkt-field",
            default=DEFAULT_WKT_COLUMN,
            help=f"CSV column holding the boundary as WKT (default {DEFAULT_WKT_COLUMN})",
        )
        parser.add_argument(
            "--crs",
            choices=Crs.values,
            default=Crs.WGS84,
            help="the system the boundaries are drawn in (default wgs84); stored as WGS84",
        )
        parser.add_argument(
            "--merge-duplicates",
            action="store_true",
            help="merge features repeating a code into one area (union of their boundaries)",
        )
        parser.add_argument(
            "--no-create-parents",
            dest="create_parents",
            action="store_false",
            help="refuse the file unless every parent it names already exists",
        )

    def handle(self, *args, **options):
        path: Path = options["path"]
        try:
            content = path.read_bytes()
        except FileNotFoundError as exc:
            raise CommandError(f"{path}: no such file") from exc
        under = None
        if options["under"] is not None:
            under = Area.objects.filter(pk=options["under"]).first()
            if under is None:
                raise CommandError(f"--under {options['under']}: no such area")
        try:
            result = areas_import_file(
                content=content,
                filename=path.name,
                file_format=options["format"],
                wkt_column=options["wkt_field"],
                crs=options["crs"],
                kind=options["kind"],
                code_field=options["code_field"],
                name_field=options["name_field"],
                name_en_field=options["name_en_field"],
                parent_field=options["parent_field"],
                parent_code=options["parent"],
                parent_kind=options["parent_kind"],
                under=under,
                merge_duplicates=options["merge_duplicates"],
                create_parents=options["create_parents"],
            )
        except AreaImportError as exc:
            raise CommandError(
                f"{path}: nothing imported:\n  " + "\n  ".join(exc.problems), returncode=2
            ) from exc
        for warning in result.warnings:
            self.stderr.write(f"warning: {warning}")
        first, *rest = result.summary()
        self.stdout.write(f"{path}: {first}")
        for line in rest:
            self.stdout.write(f"  {line}")
