"""The platform as an attacker meets it: the seeded demo city served by daphne on PostgreSQL
and Redis, reached over real HTTP (requests) and real WebSockets (the websockets client), as
the demo users with their sessions and with API tokens of chosen scopes.

The demo users: ``analyst`` (city analyst, everything), ``commander`` (浦东新区), ``officer``
(one station in 浦东新区), ``admin``. Their password is ``DEMO_PASSWORD``. A test that needs
settings of its own (a short idle timeout, a low throttle) starts its own site with
``serve_demo_city(extra_env=...)``; the rest share one per session.
"""

import json
import re
from contextlib import contextmanager
from dataclasses import dataclass

import psycopg2
import pytest
import requests
from websockets.sync.client import connect as ws_connect

from ..demo_site import DEMO_PASSWORD, DemoSite, serve_demo_city


@pytest.fixture(scope="session")
def site(tmp_path_factory):
    """The seeded demo city, served; tests change it, so each changes only what it made or
    restores what it touched."""
    with serve_demo_city(suffix="security", var_dir=tmp_path_factory.mktemp("security")) as site:
        yield site


def sql(site: DemoSite, query: str, params=()) -> list[tuple]:
    """Rows of a query against the site's database (outside the platform: the ground truth)."""
    connection = psycopg2.connect(site.database_url)
    try:
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute(query, params)
            return cursor.fetchall() if cursor.description else []
    finally:
        connection.close()


def django_shell(site: DemoSite, code: str) -> str:
    """Run Python in ``manage.py shell`` against the site's database; its standard output."""
    return site.manage("shell", "-c", code)


def api_token(site: DemoSite, username: str, *scopes: str, days: int = 1) -> str:
    """A new API token key of ``username`` with these scopes."""
    args = [f"--scope={scope}" for scope in scopes]
    return site.manage("create_api_token", username, *args, "--days", str(days)).strip()


@dataclass
class Caller:
    """One principal talking HTTP to the site: a session (cookie and CSRF) or a token."""

    site: DemoSite
    http: requests.Session
    token: str | None = None

    def request(self, method: str, path: str, **kwargs) -> requests.Response:
        return self.http.request(method, self.site.url + path, timeout=60, **kwargs)

    def get(self, path: str, **kwargs) -> requests.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, body=None, **kwargs) -> requests.Response:
        if body is not None:
            kwargs["json"] = body
        return self.request("POST", path, **kwargs)

    def patch(self, path: str, body=None, **kwargs) -> requests.Response:
        return self.request("PATCH", path, json=body, **kwargs)

    def delete(self, path: str, **kwargs) -> requests.Response:
        return self.request("DELETE", path, **kwargs)

    @contextmanager
    def socket(self, path: str, **kwargs):
        """A real WebSocket to ``path`` (e.g. ``/ws/alerts/``) with this caller's credentials."""
        headers = {}
        if self.token:
            headers["Authorization"] = f"Token {self.token}"
        cookies = "; ".join(f"{c.name}={c.value}" for c in self.http.cookies)
        if cookies:
            headers["Cookie"] = cookies
        url = self.site.url.replace("http://", "ws://") + path
        with ws_connect(
            url, additional_headers=headers, origin=self.site.url, open_timeout=30, **kwargs
        ) as socket:
            yield socket


def log_in(site: DemoSite, username: str, password: str = DEMO_PASSWORD) -> Caller:
    """A session logged in through the login form, sending its CSRF token on writes."""
    http = requests.Session()
    form = http.get(f"{site.url}/accounts/login/", timeout=30)
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text).group(1)
    answer = http.post(
        f"{site.url}/accounts/login/",
        data={"username": username, "password": password, "csrfmiddlewaretoken": csrf},
        headers={"Referer": f"{site.url}/accounts/login/"},
        allow_redirects=False,
        timeout=30,
    )
    assert answer.status_code == 302, f"login of {username}: HTTP {answer.status_code}"
    http.headers["X-CSRFToken"] = http.cookies["csrftoken"]
    http.headers["Referer"] = f"{site.url}/"
    return Caller(site=site, http=http)


def with_token(site: DemoSite, key: str) -> Caller:
    http = requests.Session()
    http.headers["Authorization"] = f"Token {key}"
    return Caller(site=site, http=http, token=key)


@pytest.fixture
def session_of(site):
    """``session_of("officer")``: a Caller logged in as that demo user."""
    return lambda username: log_in(site, username)


@pytest.fixture
def token_of(site):
    """``token_of("officer", "incidents:write")``: a Caller with a new token of those scopes."""
    return lambda username, *scopes: with_token(site, api_token(site, username, *scopes))


def receive_json(socket, timeout: float = 10) -> dict:
    return json.loads(socket.recv(timeout=timeout))


def area_id(site: DemoSite, name: str) -> int:
    """The id of the demo area with this Chinese name (e.g. 黄浦区)."""
    rows = sql(site, "SELECT id FROM areas_area WHERE name = %s", [name])
    assert len(rows) == 1, f"{len(rows)} areas named {name}"
    return rows[0][0]


def home_area_path(site: DemoSite, username: str) -> str:
    rows = sql(
        site,
        "SELECT a.path FROM accounts_user u JOIN areas_area a ON a.id = u.home_area_id "
        "WHERE u.username = %s",
        [username],
    )
    return rows[0][0]
