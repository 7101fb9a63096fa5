from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from accounts.scopes import SCOPES, UnknownScope
from accounts.services import api_token_create


class Command(BaseCommand):
    help = "Create an API token for a user, with scopes and an expiry; prints the key once."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument(
            "--scope",
            action="append",
            required=True,
            dest="scopes",
            help=f"repeat for several; one of: {', '.join(sorted(SCOPES))}",
        )
        parser.add_argument("--days", type=int, default=90, help="lifetime (default 90)")
        parser.add_argument("--name", default="", help="what the token is for")

    def handle(self, *args, username, scopes, days, name, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"no user {username!r}")
        scopes = [part for scope in scopes for part in scope.replace(",", " ").split()]
        try:
            token, key = api_token_create(user=user, scopes=scopes, days=days, name=name)
        except (UnknownScope, ValueError) as exc:
            raise CommandError(str(exc)) from None
        self.stderr.write(
            f"token {token.prefix}… for {user.username}, scopes {' '.join(token.scopes)}, "
            f"expires {token.expires_at:%Y-%m-%d %H:%M %Z}. The key is shown only now:"
        )
        self.stdout.write(key)
