import pytest
from django.test import override_settings

pytestmark = pytest.mark.django_db


def real_stack_settings(redis_url: str) -> dict:
    return {
        "EMBEDDED": False,
        "CELERY_TASK_ALWAYS_EAGER": False,
        "CELERY_BROKER_URL": redis_url,
        "CACHES": {
            "default": {
                "BACKEND": "safecity.core.cache.DegradingRedisCache",
                "LOCATION": redis_url,
                "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
            }
        },
        "CHANNEL_LAYERS": {
            "default": {
                "BACKEND": "channels_redis.core.RedisChannelLayer",
                "CONFIG": {"hosts": [redis_url]},
            }
        },
    }


def test_healthz_reports_every_part_up(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "cache", "channel_layer", "celery_broker"}
    assert all(check["ok"] for check in body["checks"].values())
    assert body["failing"] == [] and body["failing_servers"] == []


def test_healthz_needs_no_login(client):
    assert client.get("/healthz").status_code == 200


@pytest.mark.redis
def test_healthz_is_503_naming_the_parts_when_redis_stops(client, private_redis):
    redis_url, process = private_redis
    with override_settings(**real_stack_settings(redis_url)):
        up = client.get("/healthz")
        assert up.status_code == 200, up.json()
        assert up.json()["mode"] == "real"

        process.kill()
        process.wait()

        down = client.get("/healthz")
    assert down.status_code == 503
    body = down.json()
    assert body["status"] == "fail"
    assert set(body["failing"]) == {"cache", "channel_layer", "celery_broker"}
    assert body["failing_servers"] == ["redis"]
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["database"]["server"] != "redis"
    # The cache answers its callers as an empty one while Redis is down; the probe sees why.
    assert "Connection" in body["checks"]["cache"]["detail"]


@pytest.mark.redis
def test_healthz_uses_the_configured_redis(client, settings):
    # The suite's own Redis (REDIS_URL) serves cache, channel layer and broker in the real stack.
    with override_settings(**real_stack_settings(settings.REDIS_URL)):
        body = client.get("/healthz").json()
    assert body["status"] == "ok", body
    assert body["checks"]["channel_layer"]["detail"] == "RedisChannelLayer"
    assert {check["server"] for name, check in body["checks"].items() if name != "database"} == {
        "redis"
    }


def test_openapi_schema_and_docs_are_served(client):
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    assert b"/api/v1/areas/" in schema.content
    assert client.get("/api/docs/").status_code == 200


def test_home_page_asks_anonymous_users_to_log_in(client):
    response = client.get("/", follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0].startswith("/accounts/login/")
