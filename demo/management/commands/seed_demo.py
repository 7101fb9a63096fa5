import time
from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from tqdm import tqdm

from alerts.choices import RuleKind
from alerts.services import alerts_check
from areas.models import Area
from areas.signals import areas_changed
from campaigns.services import remediations_check_overdue
from demo.addresses import build_demo_addresses
from demo.alerts import build_demo_rules
from demo.areas import CITY_CODE, build_demo_areas
from demo.campaigns import build_demo_campaigns
from demo.incidents import DEFAULT_COUNT, SOURCE_SYSTEM, build_demo_incidents
from demo.mediation import build_demo_mediation
from demo.patrols import build_demo_patrols, build_demo_standards
from demo.users import DEMO_PASSWORD, build_demo_users
from demo.waiting import build_demo_waiting
from incidents.models import Incident
from safecity.core.bulk import analyze_after_load
from stats.compstat import compstat_publish, last_full_week_end
from stats.marks import recompute_deferred
from stats.services import rollups_rebuild

# Published CompStat weeks the demo starts with, for the snapshot selector.
DEMO_COMPSTAT_WEEKS = 4


class Command(BaseCommand):
    help = "Build the demo city (Shanghai's districts, stations, patrol zones, users). Idempotent."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2024, help="random seed (default 2024)")
        parser.add_argument(
            "--force", action="store_true", help="rebuild even if the demo city exists"
        )
        parser.add_argument(
            "--incidents",
            type=int,
            default=DEFAULT_COUNT,
            help=f"how many demo incidents over three years (default {DEFAULT_COUNT})",
        )

    def handle(self, *args, seed: int, force: bool, incidents: int, **options):
        city = Area.objects.filter(parent=None, code=CITY_CODE).first()
        if city is not None and city.properties.get("demo_seed") == seed and not force:
            self.stdout.write(f"Demo city (seed {seed}) already built; reusing it.")
        else:
            with transaction.atomic():
                counts = build_demo_areas(seed=seed)
                build_demo_standards()
                addresses = build_demo_addresses(seed=seed)
                transaction.on_commit(lambda: areas_changed.send(sender=Area))
            summary = ", ".join(f"{count} {kind}" for kind, count in counts.items())
            self.stdout.write(
                f"Demo city built (seed {seed}): {summary}, "
                f"{addresses.created + addresses.updated + addresses.unchanged} standard addresses."
            )
        rebuild = False
        if incidents and (
            force or not Incident.objects.filter(source_system=SOURCE_SYSTEM).exists()
        ):
            started = time.monotonic()
            # One rebuild at the end instead of a recompute after every chunk of the build.
            with (
                recompute_deferred(),
                tqdm(total=incidents, unit="incidents", file=self.stderr._out) as bar,
            ):
                report = build_demo_incidents(seed=seed, count=incidents, progress=bar.update)
            self.stdout.write(
                f"Demo incidents: {report.created} created, {report.updated} updated, "
                f"{report.unchanged} unchanged, {report.rejected} rejected "
                f"in {time.monotonic() - started:.0f} s."
            )
            rebuild = True
            analyze_after_load(Incident)
        with recompute_deferred():
            cases = build_demo_mediation(seed=seed)
        if cases:
            self.stdout.write(f"Demo dispute cases: {cases} over the last 13 months.")
        if rebuild or cases:
            started = time.monotonic()
            with tqdm(unit="days", file=self.stderr._out) as bar:
                days = rollups_rebuild(
                    progress=bar.update, on_total=lambda total: setattr(bar, "total", total)
                )
            self.stdout.write(
                f"Statistics: {days} days rolled up in {time.monotonic() - started:.0f} s."
            )
            published = sum(
                compstat_publish(week_ending=last_full_week_end() - timedelta(weeks=weeks))
                for weeks in range(DEMO_COMPSTAT_WEEKS)
            )
            self.stdout.write(
                f"CompStat: {published} weekly snapshots of the last {DEMO_COMPSTAT_WEEKS} weeks."
            )
        with transaction.atomic():
            rules = build_demo_rules()
            logins = build_demo_users()
            campaigns = build_demo_campaigns(seed=seed)
            units = build_demo_patrols(seed=seed)
        if incidents:
            build_demo_waiting()
        # What beat's periodic checks would raise now; embedded mode runs no beat, so without
        # this the demo's overdue remediation area and waiting calls would stay silent.
        raised = alerts_check(kind=RuleKind.RESPONSE_BREACH) + remediations_check_overdue()
        if raised:
            self.stdout.write(f"Alerts raised by the periodic checks: {raised}.")
        if units:
            self.stdout.write(f"Demo patrol units: {units}, with a day of tracks each.")
        if campaigns:
            self.stdout.write(f"Demo campaigns: {campaigns} created.")
        if rules:
            self.stdout.write(f"Default alert rules: {rules} created.")
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for login in logins:
            self.stdout.write(f"  {login.username:<10} {login.role} · {login.area}")
        if settings.OTP_REQUIRED_FOR_STAFF:
            self.stdout.write(
                "  admin enrols an authenticator app (TOTP) at the first login; "
                "OTP_REQUIRED_FOR_STAFF=false turns the second factor off."
            )
