"""``ws/alerts/``: live alerts for the user's jurisdiction, with catch-up after a gap."""

from channels.db import database_sync_to_async
from django.conf import settings

from safecity.core.live import ScopedFeedConsumer

from . import selectors, services
from .api.serializers import AlertSerializer
from .api.views import AlertViewSet


class AlertConsumer(ScopedFeedConsumer):
    """Sends missed alerts on connect and on ``{"resume_after": id}``, then live ones.

    Client messages: ``{"resume_after": id}``, ``{"action": "acknowledge"|"resolve", "id": n}``,
    ``{"type": "ping"}``. The server sends ``{"type": "heartbeat"}`` when the line is idle.
    """

    feed = services.FEED
    # The REST twin's: acknowledging or resolving needs what POST .../acknowledge/ needs.
    write_permissions = AlertViewSet.write_permissions

    @property
    def heartbeat_seconds(self) -> float:
        return settings.ALERTS_HEARTBEAT_SECONDS

    async def connected(self):
        await self.send_missed(after_id=None)

    async def handle_message(self, content: dict) -> bool:
        if "resume_after" in content:
            after = content["resume_after"]
            if not isinstance(after, int) or isinstance(after, bool):
                await self.send_json({"type": "error", "detail": "resume_after: an alert id"})
                return True
            await self.send_missed(after_id=after)
        elif content.get("action") in ("acknowledge", "resolve"):
            await self.handle(content["action"], content.get("id"))
        else:
            return False
        return True

    async def send_missed(self, *, after_id: int | None):
        alerts = await database_sync_to_async(self._missed)(after_id)
        await self.send_json({"type": "backlog", "resume_after": after_id, "alerts": alerts})

    def _missed(self, after_id):
        alerts = selectors.alerts_missed(user=self.scope["user"], after_id=after_id)
        return AlertSerializer(alerts, many=True).data

    async def handle(self, action: str, alert_id):
        result = await self.perform(action, self._handle, action, alert_id)
        if result is not None:
            await self.send_json(result)

    def _handle(self, action, alert_id):
        if not isinstance(alert_id, int) or isinstance(alert_id, bool):
            return {"type": "error", "action": action, "detail": "id: an alert id"}
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
