from django.core.management.base import BaseCommand
from django.db import transaction

from areas.models import Area
from areas.signals import areas_changed
from demo.areas import CITY_CODE, build_demo_areas
from demo.users import DEMO_PASSWORD, build_demo_users


class Command(BaseCommand):
    help = "Build the demo city (Shanghai's districts, stations, patrol zones, users). Idempotent."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2024, help="random seed (default 2024)")
        parser.add_argument(
            "--force", action="store_true", help="rebuild even if the demo city exists"
        )

    def handle(self, *args, seed: int, force: bool, **options):
        city = Area.objects.filter(parent=None, code=CITY_CODE).first()
        if city is not None and city.properties.get("demo_seed") == seed and not force:
            self.stdout.write(f"Demo city (seed {seed}) already built; reusing it.")
        else:
            with transaction.atomic():
                counts = build_demo_areas(seed=seed)
                transaction.on_commit(lambda: areas_changed.send(sender=Area))
            summary = ", ".join(f"{count} {kind}" for kind, count in counts.items())
            self.stdout.write(f"Demo city built (seed {seed}): {summary}.")
        with transaction.atomic():
            logins = build_demo_users()
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for login in logins:
            self.stdout.write(f"  {login.username:<10} {login.role} · {login.area}")
