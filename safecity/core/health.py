"""Probes of the parts the platform needs, for ``GET /healthz`` and the operators behind it."""

import asyncio
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from kombu import Connection

PROBE_TIMEOUT_SECONDS = 2.0


@dataclass(frozen=True)
class ProbeResult:
    ok: bool
    detail: str
    ms: float

    def as_dict(self) -> dict:
        return {"ok": self.ok, "detail": self.detail, "ms": round(self.ms, 1)}


def _timed(probe: Callable[[], str]) -> ProbeResult:
    started = time.perf_counter()
    try:
        detail = probe()
    except Exception as exc:  # a probe reports every failure; it never raises
        return ProbeResult(False, f"{type(exc).__name__}: {exc}", _ms_since(started))
    return ProbeResult(True, detail, _ms_since(started))


def _ms_since(started: float) -> float:
    return (time.perf_counter() - started) * 1000


def probe_database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return connection.vendor


def probe_cache() -> str:
    # The cache hides an outage of Redis from the pages (safecity/core/cache.py), not from here.
    ping = getattr(cache, "ping", None)
    if ping is not None:
        ping()
    key = f"healthz:{uuid.uuid4().hex}"
    cache.set(key, "1", timeout=10)
    if cache.get(key) != "1":
        raise RuntimeError("value written was not read back")
    cache.delete(key)
    return settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]


def probe_channel_layer() -> str:
    layer = get_channel_layer()

    async def round_trip() -> None:
        channel = await layer.new_channel()
        await layer.send(channel, {"type": "healthz.ping"})
        message = await layer.receive(channel)
        if message.get("type") != "healthz.ping":
            raise RuntimeError("unexpected message on the probe channel")

    async def bounded() -> None:
        await asyncio.wait_for(round_trip(), timeout=PROBE_TIMEOUT_SECONDS)

    async_to_sync(bounded)()
    return type(layer).__name__


def probe_broker() -> str:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return "in-process (embedded mode, no broker)"
    with Connection(settings.CELERY_BROKER_URL, connect_timeout=PROBE_TIMEOUT_SECONDS) as conn:
        conn.ensure_connection(max_retries=1, timeout=PROBE_TIMEOUT_SECONDS)
        transport = conn.transport_cls
    return f"{transport}"


PROBES: dict[str, Callable[[], str]] = {
    "database": probe_database,
    "cache": probe_cache,
    "channel_layer": probe_channel_layer,
    "celery_broker": probe_broker,
}


def _server_at(url: str) -> str:
    """The kind of server an address names: ``redis`` for redis:// and rediss://; ``memory``
    for none (an in-process cache, channel layer or queue)."""
    scheme = urlsplit(url).scheme if "://" in url else ""
    return "redis" if scheme.startswith("redis") else scheme or "memory"


def servers() -> dict[str, str]:
    """The server each part is on, so a report names the one to bring back."""
    host = (settings.CHANNEL_LAYERS["default"].get("CONFIG", {}).get("hosts") or [""])[0]
    return {
        "database": connection.vendor,
        "cache": _server_at(str(settings.CACHES["default"].get("LOCATION", ""))),
        "channel_layer": _server_at(host["address"] if isinstance(host, dict) else str(host)),
        "celery_broker": _server_at(settings.CELERY_BROKER_URL),
    }


def check_health() -> dict:
    """Run every probe; the report names each part, the server it is on, the parts that fail
    and their servers, and whether the platform is usable."""
    results = {name: _timed(probe) for name, probe in PROBES.items()}
    server_of = servers()
    failing = [name for name, result in results.items() if not result.ok]
    return {
        "status": "fail" if failing else "ok",
        "mode": "embedded" if settings.EMBEDDED else "real",
        "failing": failing,
        "failing_servers": sorted({server_of[name] for name in failing}),
        "checks": {
            name: {**result.as_dict(), "server": server_of[name]}
            for name, result in results.items()
        },
    }
