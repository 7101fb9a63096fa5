"""The demo city served by a real daphne on PostgreSQL and Redis, once for all page tests.

Seeding the demo city takes seconds, so it is done once per test session in a database of
its own (``<test database>_pages``); the pages are then read in headless Chromium as the
demo users, and every figure is checked against the JSON API of the same server.
"""

import pytest

from ..browser import chromium_page, log_in
from ..demo_site import DEMO_PASSWORD, serve_demo_city


@pytest.fixture(scope="session")
def demo_site(tmp_path_factory):
    """daphne serving the seeded demo city; Redis carries the channel layer and the cache."""
    with serve_demo_city(suffix="pages", var_dir=tmp_path_factory.mktemp("pages-var")) as site:
        yield site


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
