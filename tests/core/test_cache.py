"""The Django cache on Redis answers as an empty cache while Redis is down (issue 22)."""

import pytest
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError

from safecity.core.cache import DegradingRedisCache

pytestmark = pytest.mark.redis

OPTIONS = {"OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1}}


@pytest.fixture
def stopped_redis_url(private_redis):
    """The address of a redis-server that answered once and has stopped."""
    url, process = private_redis
    process.kill()
    process.wait()
    return url


def test_cache_keeps_values_while_redis_answers(private_redis):
    cache = DegradingRedisCache(private_redis[0], OPTIONS)
    cache.set("kept", {"a": 1})
    assert cache.get("kept") == {"a": 1}
    assert cache.add("lock", "1") is True
    assert cache.add("lock", "1") is False


def test_plain_redis_cache_raises_while_redis_is_down(stopped_redis_url):
    # What the platform had before: every page that touched the cache answered 500.
    with pytest.raises(RedisConnectionError):
        RedisCache(stopped_redis_url, OPTIONS).get("anything")


def test_reads_miss_while_redis_is_down(stopped_redis_url):
    cache = DegradingRedisCache(stopped_redis_url, OPTIONS)
    assert cache.get("anything", "default") == "default"
    assert cache.get_many(["a", "b"]) == {}
    assert cache.has_key("a") is False
    assert cache.get_or_set("computed", lambda: 42) == 42


def test_writes_are_dropped_and_locks_refused_while_redis_is_down(stopped_redis_url):
    cache = DegradingRedisCache(stopped_redis_url, OPTIONS)
    cache.set("a", 1)
    cache.set_many({"b": 2})
    assert cache.add("lock", "1") is False
    assert cache.delete("a") is False
    with pytest.raises(ValueError):
        cache.incr("counter")


def test_ping_raises_while_redis_is_down(stopped_redis_url):
    with pytest.raises(RedisConnectionError):
        DegradingRedisCache(stopped_redis_url, OPTIONS).ping()
