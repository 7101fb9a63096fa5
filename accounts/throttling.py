"""Request rates per API token and per user (anonymous callers: per address).

Rates come from ``API_THROTTLE_RATES`` at request time, so a deployment (or a test) can change
them without a restart of the class machinery.

Each request takes its place in a moving window (the ``limits`` library) with one atomic step:
in Redis a Lua script that checks and records together, so parallel requests on many
processes never let more than the rate through (DRF's own throttle reads the history, then
writes it back, and loses the requests in between). While Redis cannot be reached each
process keeps the limit on its own, in memory, and says so in the log once a minute: a
token then gets at most its rate per process, never unlimited.
"""

import logging
import math
import threading
import time

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from limits import RateLimitItemPerSecond
from limits.storage import MemoryStorage, RedisStorage
from limits.strategies import MovingWindowRateLimiter
from rest_framework.throttling import BaseThrottle

from audit.context import client_ip

from .models import ApiToken

logger = logging.getLogger(__name__)

# After Redis failed, the local limit answers this long before Redis is asked again, so an
# outage costs one connection timeout per process and period, not one per request.
REDIS_RETRY_SECONDS = 5
WARNING_INTERVAL_SECONDS = 60


class _Limiters:
    """The shared limiter (Redis), and the process's own for when Redis cannot answer."""

    def __init__(self):
        self._lock = threading.Lock()
        self._shared = None
        self._local = None
        self._shared_key = None
        self.redis_down_until = 0.0
        self.last_warning = float("-inf")

    def shared(self) -> MovingWindowRateLimiter | None:
        url = settings.REDIS_URL
        if not url:
            return None
        key = (url, f"{settings.REDIS_KEY_PREFIX}-rate")
        with self._lock:
            if self._shared is None or self._shared_key != key:
                storage = RedisStorage(
                    url,
                    key_prefix=key[1],
                    socket_connect_timeout=1,
                    socket_timeout=1,
                )
                self._shared, self._shared_key = MovingWindowRateLimiter(storage), key
            return self._shared

    def local(self) -> MovingWindowRateLimiter:
        with self._lock:
            if self._local is None:
                self._local = MovingWindowRateLimiter(MemoryStorage())
            return self._local

    def reset(self) -> None:
        """Forget every count (tests)."""
        with self._lock:
            self.redis_down_until = 0.0
            if self._local is not None:
                self._local.storage.reset()
            if self._shared is not None:
                self._shared.storage.reset()


limiters = _Limiters()


def hit(rate: str, *identifiers: str) -> tuple[bool, float]:
    """Count one request against ``rate`` (DRF's ``"100/min"``) for these identifiers:
    (allowed, seconds until a request is allowed again when it was not)."""
    item = RateLimitItemPerSecond(*parse_rate(rate))
    limiter = limiters.shared()
    if limiter is not None and time.monotonic() >= limiters.redis_down_until:
        try:
            return _hit(limiter, item, identifiers)
        except Exception as error:  # redis-py's ConnectionError, TimeoutError ...
            limiters.redis_down_until = time.monotonic() + REDIS_RETRY_SECONDS
            if time.monotonic() - limiters.last_warning >= WARNING_INTERVAL_SECONDS:
                limiters.last_warning = time.monotonic()
                logger.warning(
                    "Request rates are kept per process while Redis cannot be reached: %s",
                    error,
                )
    return _hit(limiters.local(), item, identifiers)


def parse_rate(rate: str) -> tuple[int, int]:
    """DRF's rate notation: ``"1200/min"`` is (1200, 60); ``s``, ``m``, ``h``, ``d``."""
    count, period = rate.split("/")
    return int(count), {"s": 1, "m": 60, "h": 3600, "d": 86400}[period.strip()[0]]


@receiver(setting_changed)
def _forget_counts(setting, **kwargs):
    # A test that sets its own rates starts from no requests counted.
    if setting in {"API_THROTTLE_RATES", "REDIS_URL", "REDIS_KEY_PREFIX"}:
        try:
            limiters.reset()
        except Exception:  # Redis down: nothing to forget there
            logger.info("Request counts in Redis were not reset", exc_info=True)


def _hit(limiter, item, identifiers) -> tuple[bool, float]:
    if limiter.hit(item, *identifiers):
        return True, 0.0
    reset_at, _ = limiter.get_window_stats(item, *identifiers)
    return False, max(1.0, math.ceil(reset_at - time.time()))


class PrincipalRateThrottle(BaseThrottle):
    """One bucket per token for token requests, per user for session requests."""

    def allow_request(self, request, view):
        token = request.auth if isinstance(request.auth, ApiToken) else None
        if token is not None:
            kind, ident = "token", token.pk
        elif request.user and request.user.is_authenticated:
            kind, ident = "user", request.user.pk
        else:
            kind, ident = "anon", client_ip(request.META) or "unknown"
        rate = settings.API_THROTTLE_RATES.get(kind)
        if not rate:
            return True
        allowed, self.retry_after = hit(rate, kind, str(ident))
        return allowed

    def wait(self):
        return self.retry_after
