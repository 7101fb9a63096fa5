"""WebSocket authentication: API tokens beside Channels' session authentication.

REST clients send ``Authorization: Token <key>`` on the upgrade request (or ``?token=<key>``
where a client cannot set headers); pages are authenticated by their session cookie. A session
that must pass the second factor and has not, or has been idle too long, is anonymous here as it
is for pages.
"""

import time
from dataclasses import dataclass
from importlib import import_module
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.middleware import BaseMiddleware
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.utils.crypto import constant_time_compare


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


# --- Re-checking an open socket's credentials -------------------------------------------------
CREDENTIALS_GONE = 4401  # the token was revoked or expired, the session ended, the user changed
IDLE_TIMEOUT = 4408  # the session was idle for SESSION_IDLE_TIMEOUT


@dataclass(frozen=True)
class Recheck:
    """The socket's credentials now: the close code that ends it, or its user as they stand."""

    close_code: int | None
    user: object = None


def recheck_credentials(scope) -> Recheck:
    """Do the credentials a socket was opened with still hold? The token still usable (not
    revoked, not expired, its user active); or the session still there, still this user's
    (same password), not idle too long; and the user's account unchanged (role, jurisdiction)
    since the socket opened. A query or two: sockets ask this periodically and before every
    action."""
    from django.contrib.auth import get_user_model

    from accounts.middleware import idle_expired
    from accounts.models import ApiToken

    user, token = scope.get("user"), scope.get("api_token")
    if user is None or not user.is_authenticated:
        return Recheck(CREDENTIALS_GONE)
    if token is not None:
        token = ApiToken.objects.usable().select_related("user").filter(pk=token.pk).first()
        current = token.user if token is not None else None
    elif session_key := _session_key(scope):
        session = import_module(settings.SESSION_ENGINE).SessionStore(session_key)
        current = _session_user(session)
        if current is not None and current.pk == user.pk and idle_expired(session, time.time()):
            return Recheck(IDLE_TIMEOUT)
    else:
        # Neither token nor session (a user set by other means): the account alone.
        current = get_user_model().objects.filter(pk=user.pk, is_active=True).first()
    if current is None or _account(current) != _account(user):
        return Recheck(CREDENTIALS_GONE)
    return Recheck(None, current)


def _session_key(scope) -> str | None:
    session = scope.get("session")
    return getattr(session, "session_key", None) if session is not None else None


def _session_user(session):
    """The user the session is logged in as, verified as Django verifies it for a request
    (its backend, an active user, the password hash it was made with), or None; read-only."""
    from django.contrib import auth

    try:
        user_id = auth.get_user_model()._meta.pk.to_python(session[auth.SESSION_KEY])
        backend_path = session[auth.BACKEND_SESSION_KEY]
    except KeyError:
        return None
    if backend_path not in settings.AUTHENTICATION_BACKENDS:
        return None
    user = auth.load_backend(backend_path).get_user(user_id)
    session_hash = session.get(auth.HASH_SESSION_KEY)
    if user is None or not session_hash:
        return None
    hashes = [user.get_session_auth_hash(), *user.get_session_auth_fallback_hash()]
    if not any(constant_time_compare(session_hash, known) for known in hashes):
        return None
    return user


def _account(user) -> tuple:
    """What a socket's feed and permissions were decided on when it opened."""
    return (user.pk, user.is_active, user.is_superuser, user.role, user.home_area_id)
