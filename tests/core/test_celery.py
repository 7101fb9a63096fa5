import time
import uuid

import pytest
from django.core.cache import caches
from django.test import override_settings

from safecity.celery import app
from safecity.core.tasks import heartbeat


@pytest.mark.redis
def test_a_real_worker_runs_tasks_queued_through_redis(settings, celery_worker_process):
    token = uuid.uuid4().hex
    redis_cache = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": settings.REDIS_URL,
            "KEY_PREFIX": settings.REDIS_KEY_PREFIX,
        }
    }
    app.conf.task_always_eager = False
    app.conf.broker_url = settings.REDIS_URL
    try:
        with override_settings(CACHES=redis_cache):
            heartbeat.apply_async(args=[token], queue=celery_worker_process)
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                if caches["default"].get(f"heartbeat:{token}") == "done":
                    break
                time.sleep(0.2)
            assert caches["default"].get(f"heartbeat:{token}") == "done"
    finally:
        app.conf.task_always_eager = settings.CELERY_TASK_ALWAYS_EAGER
        app.conf.broker_url = settings.CELERY_BROKER_URL


def test_embedded_mode_runs_tasks_in_process(settings):
    app.conf.task_always_eager = True
    try:
        token = uuid.uuid4().hex
        assert heartbeat.delay(token).get() == token
        assert caches["default"].get(f"heartbeat:{token}") == "done"
    finally:
        app.conf.task_always_eager = settings.CELERY_TASK_ALWAYS_EAGER
