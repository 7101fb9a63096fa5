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


class DegradingRedisCacheClient(RedisCacheClient):
    """Django's Redis cache client, answering as an empty cache when Redis cannot be reached."""

    def add(self, key, value, timeout):
        try:
            return super().add(key, value, timeout)
        except UNREACHABLE as error:
            _unreachable(error)
            return False

    def get(self, key, default):
        try:
            return super().get(key, default)
        except UNREACHABLE as error:
            _unreachable(error)
            return default

    def set(self, key, value, timeout):
        try:
            super().set(key, value, timeout)
        except UNREACHABLE as error:
            _unreachable(error)

    def touch(self, key, timeout):
        try:
            return super().touch(key, timeout)
        except UNREACHABLE as error:
            _unreachable(error)
            return False

    def delete(self, key):
        try:
            return super().delete(key)
        except UNREACHABLE as error:
            _unreachable(error)
            return False

    def get_many(self, keys):
        try:
            return super().get_many(keys)
        except UNREACHABLE as error:
            _unreachable(error)
            return {}

    def has_key(self, key):
        try:
            return super().has_key(key)
        except UNREACHABLE as error:
            _unreachable(error)
            return False

    def incr(self, key, delta):
        try:
            return super().incr(key, delta)
        except UNREACHABLE as error:
            _unreachable(error)
            raise ValueError(f"Key '{key}' not found.") from error

    def set_many(self, data, timeout):
        try:
            super().set_many(data, timeout)
        except UNREACHABLE as error:
            _unreachable(error)

    def delete_many(self, keys):
        try:
            return super().delete_many(keys)
        except UNREACHABLE as error:
            _unreachable(error)
            return 0

    def clear(self):
        try:
            return super().clear()
        except UNREACHABLE as error:
            _unreachable(error)
            return False


class DegradingRedisCache(RedisCache):
    """``django.core.cache.backends.redis.RedisCache`` that degrades to an empty cache."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = DegradingRedisCacheClient

    def ping(self) -> None:
        """Raise when Redis cannot be reached: the outage the cache hides from its callers."""
        self._cache.get_client(write=True).ping()
