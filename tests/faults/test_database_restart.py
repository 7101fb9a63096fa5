"""A restart of PostgreSQL under a serving platform: while it is down every request answers 503
with Retry-After (JSON from the API, a short page elsewhere); once it is back the same requests
answer again, from the same server process."""

import json

import pytest

from .http import call, token_header
from .stack import manage, platform_env

# A city, an analyst of it signed in (a session) and holding an API token.
SEED = """
import json
from django.conf import settings
from django.test import Client
from accounts.choices import Role
from areas.choices import AreaKind
from tests.factories import AreaFactory, UserFactory, api_key, square
city = AreaFactory(kind=AreaKind.CITY, code="CITY", name="测试市", geometry=square(120, 30, 4))
analyst = UserFactory(role=Role.CITY_ANALYST, home_area=city)
browser = Client()
browser.force_login(analyst)
name = settings.SESSION_COOKIE_NAME
print(json.dumps({"token": api_key(analyst), "cookie": f"{name}={browser.cookies[name].value}"}))
"""


@pytest.fixture
def served(private_postgres, private_redis, processes, tmp_path):
    """The platform on the private cluster: (web instance, API token, session cookie)."""
    private_postgres.create_database("safecity")
    env = platform_env(
        database_url=private_postgres.url("safecity"),
        redis_url=private_redis[0],
        var_dir=tmp_path,
    )
    manage(env, "migrate", "--noinput", "-v0")
    seeded = json.loads(manage(env, "shell", "-c", SEED).strip().splitlines()[-1])
    return processes.web("web", env), seeded["token"], seeded["cookie"]


def test_requests_answer_503_while_the_database_is_down_and_recover_after(served, private_postgres):
    web, token, cookie = served

    def api_read():
        return call(f"{web.url}/api/v1/areas/", headers=token_header(token))

    def page():
        return call(f"{web.url}/", headers={"Cookie": cookie})

    before = api_read(), page()
    private_postgres.stop()
    down_api, down_page, down_health = api_read(), page(), call(f"{web.url}/healthz")
    private_postgres.start()
    after = api_read(), page()

    assert [answer.status for answer in before] == [200, 200]
    assert down_api.status == 503
    assert down_api.headers["Content-Type"].startswith("application/json")
    assert down_api.json()["detail"]
    assert int(down_api.headers["Retry-After"]) > 0
    assert down_page.status == 503
    assert down_page.headers["Content-Type"].startswith("text/html")
    assert int(down_page.headers["Retry-After"]) > 0
    assert b"Traceback" not in down_page.body
    assert down_health.json()["failing"] == ["database"]
    # The kept connections died with the server; the next request opened new ones.
    assert [answer.status for answer in after] == [200, 200]
    assert web.started.process.poll() is None
