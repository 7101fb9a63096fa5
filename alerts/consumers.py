"""``ws/alerts/``: live alerts for the user's jurisdiction, with catch-up after a gap."""

import asyncio
import logging

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings

from areas.scoping import scope_for

from . import selectors, services
from .api.serializers import AlertSerializer

UNAUTHENTICATED = 4401
NO_JURISDICTION = 4403
TRY_AGAIN_LATER = 1013  # the channel layer is unreachable: the client should reconnect
logger = logging.getLogger(__name__)


class AlertConsumer(AsyncJsonWebsocketConsumer):
    """Sends missed alerts on connect and on ``{"resume_after": id}``, then live ones.

    Client messages: ``{"resume_after": id}``, ``{"action": "acknowledge"|"resolve", "id": n}``,
    ``{"type": "ping"}``. The server sends ``{"type": "heartbeat"}`` when the line is idle.
    """

    group: str | None = None
    heartbeat_task: asyncio.Task | None = None

    async def connect(self):
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=UNAUTHENTICATED)
            return
        # The jurisdiction reads the user's home area: a query, so off the event loop.
        scope = await database_sync_to_async(scope_for)(user)
        self.group = services.group_for_scope(scope)
        if self.group is None:
            await self.close(code=NO_JURISDICTION)
            return
        if not await self.join_group():
            await self.close(code=TRY_AGAIN_LATER)
            return
        await self.accept()
        await self.send_missed(after_id=None)
        self.heartbeat_task = asyncio.create_task(self.heartbeat())

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
            await asyncio.sleep(settings.ALERTS_HEARTBEAT_SECONDS)
            await self.send_json({"type": "heartbeat"})

    async def receive_json(self, content, **kwargs):
        if not isinstance(content, dict):
            await self.send_json({"type": "error", "detail": "send a JSON object"})
        elif "resume_after" in content:
            after = content["resume_after"]
            if not isinstance(after, int) or isinstance(after, bool):
                await self.send_json({"type": "error", "detail": "resume_after: an alert id"})
                return
            await self.send_missed(after_id=after)
        elif content.get("action") in ("acknowledge", "resolve"):
            await self.handle(content["action"], content.get("id"))
        elif content.get("type") == "ping":
            await self.send_json({"type": "pong"})
        else:
            await self.send_json({"type": "error", "detail": "unknown message"})

    async def send_missed(self, *, after_id: int | None):
        alerts = await database_sync_to_async(self._missed)(after_id)
        await self.send_json({"type": "backlog", "resume_after": after_id, "alerts": alerts})

    def _missed(self, after_id):
        alerts = selectors.alerts_missed(user=self.scope["user"], after_id=after_id)
        return AlertSerializer(alerts, many=True).data

    async def handle(self, action: str, alert_id):
        result = await database_sync_to_async(self._handle)(action, alert_id)
        await self.send_json(result)

    def _handle(self, action, alert_id):
        alert = selectors.alerts_for_user(self.scope["user"]).filter(pk=alert_id).first()
        if alert is None:
            return {"type": "error", "detail": f"no alert {alert_id} in your jurisdiction"}
        mover = services.alert_acknowledge if action == "acknowledge" else services.alert_resolve
        try:
            alert = mover(alert=alert, user=self.scope["user"])
        except services.AlertStateError as exc:
            return {"type": "error", "id": alert_id, "detail": str(exc)}
        return {"type": "done", "action": action, "id": alert.id}

    async def alert_message(self, message):
        await self.send_json(
            {"type": "alert", "event": message["event"], "alert": message["alert"]}
        )
