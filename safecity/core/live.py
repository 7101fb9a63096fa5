"""Live feeds over WebSockets, scoped by jurisdiction.

A feed (alerts, patrol positions) has channel groups per area: a message about something in
an area goes to the groups of the area and of each ancestor, and to the feed's city-wide
group; a socket joins the one group of its user's jurisdiction root. So a district user's
socket receives exactly what happens inside the district, with one group per socket.

A socket lives no longer than its credentials: it re-checks them every
``LIVE_CREDENTIALS_RECHECK_SECONDS`` and before every client message, and a revoked token or
a logout closes its sockets at once through a group of their own (``end_sockets``). Every
client action passes ``accounts.policy.may_act``, the check its REST twin passes.
"""

import asyncio
import hashlib
import logging
from contextlib import contextmanager

from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from channels.layers import get_channel_layer
from django.conf import settings
from django.core.exceptions import PermissionDenied

from areas.scoping import Scope, scope_for

from .ws_auth import CREDENTIALS_GONE, recheck_credentials

UNAUTHENTICATED = CREDENTIALS_GONE  # no credentials, or none any more
NO_JURISDICTION = 4403
TRY_AGAIN_LATER = 1013  # the channel layer is unreachable: the client should reconnect
# A push waits no longer than this on the channel layer: it runs in the request that saved
# the data, and a socket that misses it catches up from the database.
SEND_TIMEOUT_SECONDS = 5.0
logger = logging.getLogger(__name__)


def groups_for_path(feed: str, area_path: str) -> list[str]:
    """The groups a message about something at ``area_path`` goes to: the city-wide group
    and every ancestor's, the area's own included."""
    return [f"{feed}.all"] + [f"{feed}.area.{p}" for p in area_path.strip("/").split("/") if p]


def group_for_scope(feed: str, scope: Scope) -> str | None:
    """The one group a user's socket joins: the city's, or their jurisdiction root's."""
    if scope.everything:
        return f"{feed}.all"
    if scope.path:
        return f"{feed}.area.{scope.path.rstrip('/').rsplit('/', 1)[-1]}"
    return None


def publish(feed: str, by_path: dict[str, list], build) -> bool:
    """Send each group the items under it in one message: ``by_path`` maps area paths to
    items, ``build(items)`` makes the message. Failures are logged, not raised: the data is
    saved, and sockets catch up on reconnect. True when every send went through."""
    per_group: dict[str, list] = {}
    for path, items in by_path.items():
        for group in groups_for_path(feed, path):
            per_group.setdefault(group, []).extend(items)
    layer = get_channel_layer()
    outcomes = async_to_sync(_send_all)(layer, per_group, build)
    failed = [group for group, outcome in outcomes if isinstance(outcome, Exception)]
    if failed:
        logger.warning("%s: not pushed to %d group(s); sockets will catch up", feed, len(failed))
    return not failed


async def _send_all(layer, per_group: dict[str, list], build) -> list[tuple[str, object]]:
    """Every group's send at once, on one event loop (one connection pool), each failure
    kept rather than raised."""
    groups = list(per_group)
    try:
        async with asyncio.timeout(SEND_TIMEOUT_SECONDS):
            outcomes = await asyncio.gather(
                *(layer.group_send(group, build(per_group[group])) for group in groups),
                return_exceptions=True,
            )
    except TimeoutError as timeout:
        outcomes = [timeout] * len(groups)
    return list(zip(groups, outcomes, strict=True))


def credentials_group(*, token_id: int | None = None, session_key: str | None = None) -> str:
    """The group of the sockets opened with one API token or one session. The session key is a
    secret: the group is named by a digest of it."""
    if token_id is not None:
        return f"live.token.{token_id}"
    return f"live.session.{hashlib.sha256(session_key.encode()).hexdigest()[:40]}"


def end_sockets(*, token_id: int | None = None, session_key: str | None = None) -> None:
    """Close at once the sockets opened with a token just revoked or a session just logged
    out (code 4401). Not raised when the channel layer is down: the sockets' periodic re-check
    closes them within ``LIVE_CREDENTIALS_RECHECK_SECONDS`` anyway."""
    if token_id is None and not session_key:
        return
    group = credentials_group(token_id=token_id, session_key=session_key)
    try:
        async_to_sync(_send_within_timeout)(
            get_channel_layer(), group, {"type": "credentials.ended"}
        )
    except Exception:  # the channel layer's connection errors vary by backend
        logger.warning("could not tell the sockets of %s to close", group.rsplit(".", 1)[0])


async def _send_within_timeout(layer, group: str, message: dict) -> None:
    async with asyncio.timeout(SEND_TIMEOUT_SECONDS):
        await layer.group_send(group, message)


class ScopedFeedConsumer(AsyncJsonWebsocketConsumer):
    """A socket on one feed: refuses anonymous users (4401) and users without a jurisdiction
    (4403), closes with 1013 when the channel layer is unreachable, joins the jurisdiction's
    group, answers ``{"type": "ping"}`` and sends ``{"type": "heartbeat"}`` on idle lines.

    Closes with 4401 when its credentials go (token revoked or expired, logout, user
    deactivated or given another role or jurisdiction) and 4408 when its session goes idle.
    A client action named in ``write_permissions`` runs through :meth:`perform`."""

    feed: str = ""
    token_resource: str | None = None
    heartbeat_seconds: float = 30
    # Client actions and the Django permissions each needs: its REST twin's.
    write_permissions: dict[str, list[str]] = {}
    group: str | None = None
    own_group: str | None = None
    heartbeat_task: asyncio.Task | None = None
    watch_task: asyncio.Task | None = None

    async def connect(self):
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=UNAUTHENTICATED)
            return
        if not await database_sync_to_async(self.verdict)(None):
            await self.close(code=NO_JURISDICTION)
            return
        # The jurisdiction reads the user's home area: a query, so off the event loop.
        scope = await database_sync_to_async(scope_for)(user)
        self.group = group_for_scope(self.feed, scope)
        if self.group is None:
            await self.close(code=NO_JURISDICTION)
            return
        self.own_group = self.credentials_group()
        if not await self.join_groups():
            await self.close(code=TRY_AGAIN_LATER)
            return
        await self.accept()
        await self.connected()
        self.heartbeat_task = asyncio.create_task(self.heartbeat())
        self.watch_task = asyncio.create_task(self.watch_credentials())

    def verdict(self, action: str | None):
        """``accounts.policy.may_act`` for reading the feed (``action`` None) or for a client
        action: the check the REST twin makes."""
        from accounts.policy import may_act
        from accounts.scopes import resource_of

        write = action is not None
        return may_act(
            self.scope["user"],
            self.scope.get("api_token"),
            resource_of(self),
            write=write,
            permissions=self.write_permissions.get(action) if write else (),
        )

    def credentials_group(self) -> str | None:
        token, session = self.scope.get("api_token"), self.scope.get("session")
        if token is not None:
            return credentials_group(token_id=token.pk)
        session_key = getattr(session, "session_key", None) if session is not None else None
        return credentials_group(session_key=session_key) if session_key else None

    async def connected(self):
        """Runs once the socket is accepted: send what the client needs to start."""

    async def join_groups(self) -> bool:
        """Join the jurisdiction's group and the credentials' own; a pooled connection gone
        stale (the channel layer's Redis restarted) fails once, so one retry on a fresh
        connection follows."""
        for group in filter(None, (self.group, self.own_group)):
            for attempt in range(2):
                try:
                    await self.channel_layer.group_add(group, self.channel_name)
                    break
                except Exception:  # the channel layer's connection errors vary by backend
                    logger.warning("joining %s failed (attempt %d)", group, attempt + 1)
            else:
                return False
        return True

    async def disconnect(self, code):
        for task in (self.heartbeat_task, self.watch_task):
            if task and task is not asyncio.current_task():
                task.cancel()
        for group in filter(None, (self.group, self.own_group)):
            try:
                await self.channel_layer.group_discard(group, self.channel_name)
            except Exception:  # the layer is down: its group membership expires on its own
                logger.warning("leaving %s failed", group)

    async def heartbeat(self):
        while True:
            await asyncio.sleep(self.heartbeat_seconds)
            await self.send_json({"type": "heartbeat"})

    async def watch_credentials(self):
        while True:
            await asyncio.sleep(settings.LIVE_CREDENTIALS_RECHECK_SECONDS)
            if not await self.credentials_hold():
                return

    async def credentials_hold(self) -> bool:
        """Re-check the credentials; close the socket (and say False) when they no longer
        hold. The user is refreshed, so actions see their current permissions."""
        try:
            recheck = await database_sync_to_async(recheck_credentials)(self.scope)
        except Exception:
            # Not knowing is not holding: the client reconnects and is checked afresh.
            logger.exception("re-checking a socket's credentials failed")
            await self.close(code=TRY_AGAIN_LATER)
            return False
        if recheck.close_code is not None:
            await self.close(code=recheck.close_code)
            return False
        self.scope["user"] = recheck.user
        return True

    async def credentials_ended(self, message):
        """The token was revoked or the session logged out (see :func:`end_sockets`)."""
        await self.close(code=UNAUTHENTICATED)

    async def receive_json(self, content, **kwargs):
        if not isinstance(content, dict):
            await self.send_json({"type": "error", "detail": "send a JSON object"})
        elif content.get("type") == "ping":
            await self.send_json({"type": "pong"})
        elif not await self.credentials_hold():
            return
        elif not await self.handle_message(content):
            await self.send_json({"type": "error", "detail": "unknown message"})

    async def handle_message(self, content: dict) -> bool:
        """A client message other than ping; False when the feed does not know it."""
        return False

    async def perform(self, action: str, work, *args):
        """Run a client action: refused unless the role and token may (``write_permissions``
        and the token's write scope, as for the REST twin), answered on the socket with
        ``{"type": "error", "action", "detail", "status": 403}`` and the socket left open;
        else ``work(*args)`` off the event loop, its audit events recorded as the socket's
        user, token and address. Returns what ``work`` returns, None when refused."""
        verdict = await database_sync_to_async(self._checked)(action)
        if verdict:
            try:
                return await database_sync_to_async(self._audited)(work, *args)
            except PermissionDenied as exc:  # the service's own check (jurisdiction, say)
                from accounts.policy import Verdict

                await database_sync_to_async(self._record_refusal)(action, str(exc))
                verdict = Verdict(False, str(exc))
        await self.send_json(
            {"type": "error", "action": action, "detail": verdict.detail, "status": 403}
        )
        return None

    def _checked(self, action: str):
        """The verdict on ``action``; a refusal is recorded, as the API records its 403s."""
        verdict = self.verdict(action)
        if not verdict:
            self._record_refusal(action, verdict.detail)
        return verdict

    def _record_refusal(self, action: str, detail: str) -> None:
        from audit.choices import AuditAction, AuditOutcome
        from audit.services import audit_record

        self._audited(
            audit_record,
            action=AuditAction.DENIED,
            outcome=AuditOutcome.DENIED,
            detail=f"WEBSOCKET {self.scope.get('path', '')} {action} → 403: {detail}",
        )

    def _audited(self, work, *args, **kwargs):
        with socket_audit_context(self.scope):
            return work(*args, **kwargs)


@contextmanager
def socket_audit_context(scope):
    """Audit events recorded inside name the socket's user, token and client address."""
    from audit import context as audit_context

    token = audit_context.activate(audit_context.context_for_socket(scope))
    try:
        yield
    finally:
        audit_context.deactivate(token)
