"""Who is acting and from where, for the code that records events: set per request by
``audit.middleware.AuditContextMiddleware``, and per WebSocket action by the live consumers
(``context_for_socket``); absent in Celery tasks and management commands,
where the platform itself (“system”) acts."""

import hashlib
import ipaddress
from contextvars import ContextVar
from dataclasses import dataclass, field

from django.conf import settings
from django.db import models

USER_AGENT_LENGTH = 500
PATH_LENGTH = 500


@dataclass
class RequestContext:
    """The request being served: its user is read when an event is recorded, not before,
    because DRF authenticates inside the view."""

    request: object
    ip: str | None
    user_agent: str
    method: str
    path: str
    # Set once an event about the request's own outcome (a denial, a failure) is recorded,
    # so the middleware does not record it twice.
    outcome_recorded: bool = field(default=False)
    # The rows the answer carries and what they are, told by the code that produced them
    # when they cannot be counted from the answer's data (a rendered table, a streamed file).
    rows: int | None = field(default=None)
    rows_of: str = field(default="")

    def count_rows(self, count: int = 1) -> None:
        self.rows = (self.rows or 0) + count

    @property
    def user(self):
        return getattr(self.request, "user", None)

    @property
    def token_id(self) -> str | None:
        return token_identifier(getattr(self.request, "auth", None))


_current: ContextVar[RequestContext | None] = ContextVar("audit_request_context", default=None)


def current() -> RequestContext | None:
    return _current.get()


def activate(context: RequestContext | None):
    """Make ``context`` current; returns the token for :func:`deactivate`."""
    return _current.set(context)


def deactivate(token) -> None:
    _current.reset(token)


def rows_read(count: int = 0, *, of: str = ""):
    """Tell the audit middleware that the answer carries ``count`` rows (of ``of``, a model
    label or a file name). Answers the function to count more with, for a streamed answer
    whose rows are produced after the request's context has ended."""
    context = current()
    if context is None:
        return lambda count=1: None
    context.count_rows(count)
    context.rows_of = of or context.rows_of
    return context.count_rows


def context_for(request) -> RequestContext:
    meta = request.META
    return RequestContext(
        request=request,
        ip=client_ip(meta),
        user_agent=meta.get("HTTP_USER_AGENT", "")[:USER_AGENT_LENGTH],
        method=request.method or "",
        path=request.path[:PATH_LENGTH],
    )


@dataclass
class _SocketCaller:
    """What a socket's scope gives in place of a request: its user and API token, read when an
    event is recorded (a socket refreshes its user as it re-checks its credentials)."""

    scope: dict

    @property
    def user(self):
        return self.scope.get("user")

    @property
    def auth(self):
        return self.scope.get("api_token")


def context_for_socket(scope) -> RequestContext:
    """The context of a WebSocket action: the socket's user, token and client address (as for
    a request: the first X-Forwarded-For address only behind a trusted proxy), its path, and
    ``WEBSOCKET`` as the method."""
    headers = {
        name.decode("latin-1").lower(): value.decode("latin-1")
        for name, value in scope.get("headers", [])
    }
    client = scope.get("client") or ("", 0)
    meta = {
        "REMOTE_ADDR": client[0] or "",
        "HTTP_X_FORWARDED_FOR": headers.get("x-forwarded-for", ""),
    }
    return RequestContext(
        request=_SocketCaller(scope),
        ip=client_ip(meta),
        user_agent=headers.get("user-agent", "")[:USER_AGENT_LENGTH],
        method="WEBSOCKET",
        path=scope.get("path", "")[:PATH_LENGTH],
    )


def client_ip(meta) -> str | None:
    """The client's address: REMOTE_ADDR, or — behind trusted proxies
    (``AUDIT_TRUST_X_FORWARDED_FOR``) — the entry of X-Forwarded-For that the nearest of the
    ``TRUSTED_PROXY_COUNT`` proxies appended. Entries further left were written by the client
    and prove nothing: believing the first one would let a guesser claim a new address per
    request. The one address the audit trail, the login lockout and the throttle all use."""
    candidate = meta.get("REMOTE_ADDR", "")
    if getattr(settings, "AUDIT_TRUST_X_FORWARDED_FOR", False):
        forwarded = [part.strip() for part in meta.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [part for part in forwarded if part]
        if forwarded:
            proxies = max(1, getattr(settings, "TRUSTED_PROXY_COUNT", 1))
            candidate = forwarded[-min(proxies, len(forwarded))]
    try:
        return str(ipaddress.ip_address(candidate.strip()))
    except ValueError:
        return None


def token_identifier(auth) -> str | None:
    """The API token that authenticated a request, by an id that is not the secret itself."""
    if not isinstance(auth, models.Model) or auth.pk is None:
        return None
    if auth._meta.pk.name == "key":
        # DRF's own tokens are keyed by their secret: keep only a digest of it.
        return "sha256:" + hashlib.sha256(str(auth.pk).encode()).hexdigest()[:16]
    return str(auth.pk)[:64]
