from datetime import date

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from stats.services import rollups_rebuild


class Command(BaseCommand):
    help = "Recompute the daily statistics rollups from the records (all days, or from a date)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--from", dest="since", help="first day to rebuild, YYYY-MM-DD (default: all days)"
        )

    def handle(self, *args, since: str | None, **options):
        first = None
        if since:
            try:
                first = date.fromisoformat(since)
            except ValueError:
                message = f"--from must be a date like 2024-01-31, not {since!r}"
                raise CommandError(message) from None
        bar = tqdm(total=0, unit="days", file=self.stderr._out, disable=options["verbosity"] == 0)
        try:
            days = rollups_rebuild(
                since=first,
                progress=bar.update,
                on_total=lambda total: setattr(bar, "total", total),
            )
        finally:
            bar.close()
        self.stdout.write(self.style.SUCCESS(f"Rebuilt the statistics of {days} day(s)."))
