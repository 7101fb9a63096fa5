import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from areas.choices import AreaKind
from areas.models import Area
from areas.services import AreaImportError, areas_import_features


class Command(BaseCommand):
    help = (
        "Import GeoJSON features as areas of one kind. Parents named by a property are created "
        "when missing. Re-importing updates; a bad file is rejected whole."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument("--kind", required=True, choices=AreaKind.values)
        parser.add_argument("--code-field", required=True)
        parser.add_argument("--name-field", required=True)
        parser.add_argument("--name-en-field")
        parser.add_argument("--parent-field")
        parser.add_argument("--parent-kind", choices=AreaKind.values)
        parser.add_argument(
            "--under", type=int, help="id of an existing area the imported top areas belong to"
        )

    def handle(self, *args, **options):
        features = self._read_features(options["path"])
        under = None
        if options["under"] is not None:
            under = Area.objects.filter(pk=options["under"]).first()
            if under is None:
                raise CommandError(f"--under {options['under']}: no such area")
        try:
            result = areas_import_features(
                features=features,
                kind=options["kind"],
                code_field=options["code_field"],
                name_field=options["name_field"],
                name_en_field=options["name_en_field"],
                parent_field=options["parent_field"],
                parent_kind=options["parent_kind"],
                under=under,
            )
        except AreaImportError as exc:
            raise CommandError(
                "nothing imported:\n  " + "\n  ".join(exc.problems), returncode=2
            ) from exc
        for warning in result.warnings:
            self.stderr.write(f"warning: {warning}")
        self.stdout.write(
            f"{options['path']}: {result.created} created, {result.updated} updated, "
            f"{result.unchanged} unchanged, {result.parents_created} parents created"
        )

    def _read_features(self, path: Path) -> list[dict]:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            raise CommandError(f"{path}: no such file") from exc
        except UnicodeDecodeError as exc:
            raise CommandError(f"{path}: not UTF-8 text ({exc})") from exc
        except json.JSONDecodeError as exc:
            raise CommandError(f"{path}: not JSON ({exc})") from exc
        if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
            raise CommandError(f"{path}: not a GeoJSON FeatureCollection")
        return data.get("features") or []
