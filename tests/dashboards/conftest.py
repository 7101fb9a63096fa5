"""The demo city served by a real daphne on PostgreSQL and Redis, once for all page tests.

Seeding the demo city takes seconds, so it is done once per test session in a database of
its own (``<test database>_pages``); the pages are then read in headless Chromium as the
demo users, and every figure is checked against the JSON API of the same server.
"""

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import psycopg2
import pytest
from django.conf import settings
from psycopg2 import sql

from ..alerts.test_live import wait_until_http_answers
from ..browser import chromium_page, log_in
from ..conftest import free_port, redis_available, require, start_redis_server

DEMO_PASSWORD = "SafeCity-demo-2024"
DEMO_INCIDENTS = "3000"


@dataclass
class DemoSite:
    url: str
    database_url: str


def _admin_connection(database: dict):
    connection = psycopg2.connect(
        dbname="postgres",
        user=database["USER"],
        password=database.get("PASSWORD") or None,
        host=database["HOST"] or "127.0.0.1",
        port=database["PORT"] or 5432,
    )
    connection.autocommit = True
    return connection


@pytest.fixture(scope="session")
def demo_site(tmp_path_factory):
    """daphne serving the seeded demo city; Redis carries the channel layer and the cache."""
    database = settings.DATABASES["default"]
    require(database["ENGINE"] == "django.db.backends.postgresql", "pages need PostgreSQL")
    require(redis_available(), "REDIS_URL is not set or Redis does not answer")
    name = f"{database['NAME']}_pages"
    if not name.startswith("test_"):
        name = f"test_{name}"
    admin = _admin_connection(database)
    with admin.cursor() as cursor:
        cursor.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    database_url = (
        f"postgres://{database['USER']}:{database.get('PASSWORD') or ''}@"
        f"{database['HOST'] or '127.0.0.1'}:{database['PORT'] or 5432}/{name}"
    )
    # A redis-server of the site's own (cache, queue, channel layer): parallel runs of the
    # suite must not hear each other's pushes.
    redis_url, redis_process = start_redis_server()
    env = dict(os.environ)
    env |= {
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "CHANNEL_LAYER_URL": redis_url,
        "DJANGO_SETTINGS_MODULE": "safecity.settings.test",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "MAP_TILES_URL": "",
        "SAFECITY_VAR_DIR": str(tmp_path_factory.mktemp("pages-var")),
    }
    manage = [sys.executable, str(Path(settings.BASE_DIR) / "manage.py")]
    subprocess.run([*manage, "migrate", "--noinput", "-v0"], env=env, check=True)
    subprocess.run(
        [*manage, "seed_demo", "--seed", "7", "--incidents", DEMO_INCIDENTS],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    port = free_port()
    daphne = str(Path(sys.executable).parent / "daphne")
    process = subprocess.Popen(
        [daphne, "-b", "127.0.0.1", "-p", str(port), "safecity.asgi:application"],
        env=env,
        cwd=settings.BASE_DIR,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_until_http_answers(f"http://127.0.0.1:{port}/healthz", process)
        yield DemoSite(url=f"http://127.0.0.1:{port}", database_url=database_url)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        with admin.cursor() as cursor:
            cursor.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
        admin.close()
        redis_process.kill()
        redis_process.wait()


@pytest.fixture
def page_as(demo_site):
    """A Chromium page logged in as a demo user: ``with page_as("analyst") as page: ...``."""
    from contextlib import contextmanager

    @contextmanager
    def open_as(username: str):
        with chromium_page(demo_site.url) as page:
            log_in(page, username, DEMO_PASSWORD)
            yield page

    return open_as


def api_get(page, path: str, **params) -> dict:
    """A JSON API answer with the page's session: what the page's own scripts would read."""
    response = page.request.get(path, params=params)
    assert response.ok, f"{path}: HTTP {response.status}"
    return response.json()
