from django.core.management.base import BaseCommand, CommandError

from accounts.models import ApiToken
from accounts.services import api_token_revoke


class Command(BaseCommand):
    help = "Revoke API tokens: by the key's prefix (as listed), or every token of a user."

    def add_arguments(self, parser):
        target = parser.add_mutually_exclusive_group(required=True)
        target.add_argument("--prefix", help="the token's prefix, e.g. sc_Ab12Cd")
        target.add_argument("--user", help="revoke every token of this username")

    def handle(self, *args, prefix, user, **options):
        tokens = ApiToken.objects.filter(revoked_at=None)
        tokens = tokens.filter(prefix=prefix) if prefix else tokens.filter(user__username=user)
        if not tokens.exists():
            raise CommandError("no unrevoked token matches")
        for token in tokens:
            api_token_revoke(token=token)
            self.stdout.write(f"revoked {token.prefix}… of {token.user.username}")
