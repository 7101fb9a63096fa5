from django.core.management.base import BaseCommand, CommandError

from audit.verify import audit_verify


class Command(BaseCommand):
    help = (
        "Walk the audit trail's hash chains: the archive ledger, the events in each archive "
        "file and the events in the table. Prints OK with the counts, or the first broken "
        "link (which event, what was expected and what was found) and exits with status 1."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--ledger-only",
            action="store_true",
            help="check the ledger rows without reading the archive files they list",
        )

    def handle(self, *args, ledger_only=False, **options):
        result = audit_verify(files=not ledger_only)
        if not result.ok:
            raise CommandError(f"audit trail broken; first broken link: {result.broken}")
        self.stdout.write(
            f"audit trail OK: {result.events} events in the table, {result.archives} archive "
            f"files holding {result.archived_events} events; "
            f"newest link seq {result.head_seq} hash {result.head_hash or '(none)'}"
        )
