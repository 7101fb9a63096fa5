"""The Django cache on Redis, for a platform that keeps answering while Redis is down.

Nothing the platform must keep lives in the cache (the database is the source of truth), so
while Redis cannot be reached the cache behaves as an empty one that keeps nothing: a read is
a miss, a write is dropped, ``add`` is refused (a lock is not granted, so its holder's work
waits for Redis, or for the next run), ``incr`` finds no key. Every wait is bounded by the
connection's timeouts (``OPTIONS`` in settings). The outage is logged once a minute per process;
``/healthz`` still reports it, as it asks :meth:`DegradingRedisCache.ping`.
"""

import logging
import time

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

UNREACHABLE = (RedisConnectionError, RedisTimeoutError)
WARNING_INTERVAL_SECONDS = 60
_last_warning = float("-inf")


def _unreachable(error: Exception) -> None:
    global _last_warning
    if time.monotonic() - _last_warning >= WARNING_INTERVAL_SECONDS:
        _last_warning = time.monotonic()
        logger.warning("The cache is empty while Redis cannot be reached: %s", error)


def _degrading(name: str, when_unreachable):
    """``RedisCacheClient.<name>``, answering ``when_unreachable(*args)`` while Redis cannot be
    reached."""
    method = getattr(RedisCacheClient, name)

    def degrading(self, *args):
        try:
            return method(self, *args)
        except UNREACHABLE as error:
            _unreachable(error)
            return when_unreachable(*args)

    degrading.__name__ = name
    return degrading


def _key_not_found(key, delta):
    raise ValueError(f"Key '{key}' not found.")


class DegradingRedisCacheClient(RedisCacheClient):
    """Django's Redis cache client, answering as an empty cache when Redis cannot be reached."""

    add = _degrading("add", lambda key, value, timeout: False)
    get = _degrading("get", lambda key, default: default)
    set = _degrading("set", lambda key, value, timeout: None)
    touch = _degrading("touch", lambda key, timeout: False)
    delete = _degrading("delete", lambda key: False)
    get_many = _degrading("get_many", lambda keys: {})
    has_key = _degrading("has_key", lambda key: False)
    incr = _degrading("incr", _key_not_found)
    set_many = _degrading("set_many", lambda data, timeout: None)
    delete_many = _degrading("delete_many", lambda keys: 0)
    clear = _degrading("clear", lambda: False)


class DegradingRedisCache(RedisCache):
    """``django.core.cache.backends.redis.RedisCache`` that degrades to an empty cache."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = DegradingRedisCacheClient

    def ping(self) -> None:
        """Raise when Redis cannot be reached: the outage the cache hides from its callers."""
        self._cache.get_client(write=True).ping()
