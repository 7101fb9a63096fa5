"""``ws/patrols/positions/``: live unit positions for the maps of the user's jurisdiction."""

from channels.db import database_sync_to_async

from safecity.core.live import ScopedFeedConsumer

from . import services
from .api.views import PositionsView
from .models import PatrolUnit

MAX_PINGS = 1000


class PositionConsumer(ScopedFeedConsumer):
    """Sends every unit's last known position on connect, then each new position as units
    report (``{"type": "positions", "positions": [...]}``).

    Devices may report over the same socket: ``{"type": "pings", "pings": [...]}`` with the
    REST batch's ping objects, answered by ``{"type": "ingested", ...}`` with the same report
    (stored, duplicates, rejected with the reason per ping).
    """

    feed = services.FEED
    # The REST twin's: reporting pings needs what POST /api/v1/patrols/positions/ needs.
    write_permissions = {"pings": PositionsView.write_permissions["post"]}

    async def connected(self):
        positions = await database_sync_to_async(self._snapshot)()
        await self.send_json({"type": "snapshot", "positions": positions})

    def _snapshot(self) -> list[dict]:
        units = PatrolUnit.objects.for_user(self.scope["user"]).filter(last_seen_at__isnull=False)
        return [services.live_position(unit) for unit in units]

    async def handle_message(self, content: dict) -> bool:
        if content.get("type") != "pings":
            return False
        pings = content.get("pings")
        if not isinstance(pings, list) or len(pings) > MAX_PINGS:
            detail = f"pings: a list of at most {MAX_PINGS} ping objects"
            await self.send_json({"type": "error", "detail": detail})
            return True
        report = await self.perform("pings", self._ingest, pings)
        if report is not None:
            await self.send_json({"type": "ingested", **report})
        return True

    def _ingest(self, pings: list) -> dict:
        return services.positions_ingest(pings=pings, user=self.scope["user"])

    async def positions_message(self, message):
        await self.send_json({"type": "positions", "positions": message["positions"]})
