"""WebSocket authentication: API tokens beside Channels' session authentication.

REST clients send ``Authorization: Token <key>`` on the upgrade request (or ``?token=<key>``
where a client cannot set headers); pages are authenticated by their session cookie. A session
that must pass the second factor and has not, or has been idle too long, is anonymous here as it
is for pages.
"""

import time
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.middleware import BaseMiddleware
from django.contrib.auth.models import AnonymousUser


@database_sync_to_async
def _token_for_key(key: str):
    from accounts.authentication import token_for_key

    return token_for_key(key)


@database_sync_to_async
def _session_user_allowed(scope) -> bool:
    from accounts.middleware import idle_expired
    from accounts.otp import otp_required, session_verified

    user, session = scope.get("user"), scope.get("session")
    if user is None or not user.is_authenticated:
        return True
    if session is None or idle_expired(session, time.time()):
        return False
    return not otp_required(user) or session_verified(session)


def _token_key(scope) -> str | None:
    for name, value in scope.get("headers", []):
        if name == b"authorization":
            scheme, _, key = value.decode("latin-1").partition(" ")
            if scheme.lower() in ("token", "bearer") and key.strip():
                return key.strip()
    query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
    return (query.get("token") or [None])[0]


class TokenAuthMiddleware(BaseMiddleware):
    async def __call__(self, scope, receive, send):
        key = _token_key(scope)
        if key:
            token = await _token_for_key(key)
            scope = dict(scope, user=token.user if token else AnonymousUser(), api_token=token)
        elif not await _session_user_allowed(scope):
            scope = dict(scope, user=AnonymousUser())
        return await super().__call__(scope, receive, send)
