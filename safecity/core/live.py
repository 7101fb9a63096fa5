"""Live feeds over WebSockets, scoped by jurisdiction.

A feed (alerts, patrol positions) has channel groups per area: a message about something in
an area goes to the groups of the area and of each ancestor, and to the feed's city-wide
group; a socket joins the one group of its user's jurisdiction root. So a district user's
socket receives exactly what happens inside the district, with one group per socket.
"""

import asyncio
import logging

from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from channels.layers import get_channel_layer

from areas.scoping import Scope, scope_for

UNAUTHENTICATED = 4401
NO_JURISDICTION = 4403
TRY_AGAIN_LATER = 1013  # the channel layer is unreachable: the client should reconnect
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
    outcomes = await asyncio.gather(
        *(layer.group_send(group, build(per_group[group])) for group in groups),
        return_exceptions=True,
    )
    return list(zip(groups, outcomes, strict=True))


class ScopedFeedConsumer(AsyncJsonWebsocketConsumer):
    """A socket on one feed: refuses anonymous users (4401) and users without a jurisdiction
    (4403), closes with 1013 when the channel layer is unreachable, joins the jurisdiction's
    group, answers ``{"type": "ping"}`` and sends ``{"type": "heartbeat"}`` on idle lines."""

    feed: str = ""
    token_resource: str | None = None
    heartbeat_seconds: float = 30
    group: str | None = None
    heartbeat_task: asyncio.Task | None = None

    async def connect(self):
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=UNAUTHENTICATED)
            return
        if not self.may_read(user, self.scope.get("api_token")):
            await self.close(code=NO_JURISDICTION)
            return
        # The jurisdiction reads the user's home area: a query, so off the event loop.
        scope = await database_sync_to_async(scope_for)(user)
        self.group = group_for_scope(self.feed, scope)
        if self.group is None:
            await self.close(code=NO_JURISDICTION)
            return
        if not await self.join_group():
            await self.close(code=TRY_AGAIN_LATER)
            return
        await self.accept()
        await self.connected()
        self.heartbeat_task = asyncio.create_task(self.heartbeat())

    def may_read(self, user, token) -> bool:
        """The role may read this feed's resource, and a token has its read scope."""
        from accounts.backends import may_read
        from accounts.scopes import resource_of

        resource = resource_of(self)
        if token is not None and not token.allows(f"{resource}:read"):
            return False
        return may_read(user, resource)

    async def connected(self):
        """Runs once the socket is accepted: send what the client needs to start."""

    async def join_group(self) -> bool:
        """Join the jurisdiction's group; a pooled connection gone stale (the channel layer's
        Redis restarted) fails once, so one retry on a fresh connection follows."""
        for attempt in range(2):
            try:
                await self.channel_layer.group_add(self.group, self.channel_name)
                return True
            except Exception:  # the channel layer's connection errors vary by backend
                logger.warning("joining %s failed (attempt %d)", self.group, attempt + 1)
        return False

    async def disconnect(self, code):
        if self.heartbeat_task:
            self.heartbeat_task.cancel()
        if self.group:
            try:
                await self.channel_layer.group_discard(self.group, self.channel_name)
            except Exception:  # the layer is down: its group membership expires on its own
                logger.warning("leaving %s failed", self.group)

    async def heartbeat(self):
        while True:
            await asyncio.sleep(self.heartbeat_seconds)
            await self.send_json({"type": "heartbeat"})

    async def receive_json(self, content, **kwargs):
        if not isinstance(content, dict):
            await self.send_json({"type": "error", "detail": "send a JSON object"})
        elif content.get("type") == "ping":
            await self.send_json({"type": "pong"})
        elif not await self.handle_message(content):
            await self.send_json({"type": "error", "detail": "unknown message"})

    async def handle_message(self, content: dict) -> bool:
        """A client message other than ping; False when the feed does not know it."""
        return False
