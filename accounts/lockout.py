"""Failed-login lockout: after ``LOGIN_FAILURE_LIMIT`` failures within ``LOGIN_LOCKOUT_SECONDS``
a username is refused for ``LOGIN_LOCKOUT_SECONDS``. Counted in the cache (Redis in the real
stack), so every web process sees the same count."""

import hashlib
import time

from django.conf import settings
from django.core.cache import cache


def _keys(username: str) -> tuple[str, str]:
    digest = hashlib.sha256(username.strip().casefold().encode()).hexdigest()[:32]
    return f"login-failures:{digest}", f"login-locked:{digest}"


def locked_until(username: str) -> float | None:
    """When the lock on this username ends (epoch seconds), or None if it is not locked."""
    return cache.get(_keys(username)[1])


def is_locked(username: str) -> bool:
    until = locked_until(username)
    return until is not None and until > time.time()


def register_failure(username: str) -> bool:
    """Count a failed login; True when this failure locks the username."""
    failures_key, locked_key = _keys(username)
    window = settings.LOGIN_LOCKOUT_SECONDS
    cache.add(failures_key, 0, timeout=window)
    try:
        failures = cache.incr(failures_key)
    except ValueError:  # expired between add and incr
        cache.set(failures_key, 1, timeout=window)
        failures = 1
    if failures >= settings.LOGIN_FAILURE_LIMIT:
        cache.set(locked_key, time.time() + window, timeout=window)
        cache.delete(failures_key)
        return True
    return False


def clear(username: str) -> None:
    cache.delete_many(list(_keys(username)))


def count_failed_login(sender, credentials, request=None, **kwargs):
    """``user_login_failed`` receiver: count the failure (a refusal while locked is not one)."""
    username = credentials.get("username")
    if not username or is_locked(username):
        return
    if register_failure(username):
        from audit.services import audit_record

        audit_record(
            action="locked_out",
            outcome="denied",
            detail=f"{settings.LOGIN_FAILURE_LIMIT} failed logins",
            actor_username=username,
            request=request,
        )
