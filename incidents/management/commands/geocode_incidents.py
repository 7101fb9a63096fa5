"""Place the incidents that have an address and no point from the standard address table."""

from django.core.management.base import BaseCommand

from incidents.replacing import incidents_geocode_unlocated


class Command(BaseCommand):
    help = "Geocode unlocated incidents with an address (run after import_addresses)."

    def handle(self, *args, **options):
        placed = incidents_geocode_unlocated()
        self.stdout.write(f"placed {placed} incident(s) from the standard address table")
