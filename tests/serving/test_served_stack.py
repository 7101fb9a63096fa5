"""The real stack served as ``make serve`` serves it (deploy/serve.sh): nginx in front of
gunicorn's HTTP workers and daphne's WebSockets, on the seeded demo city, over real sockets."""

import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from ..demo_site import serve_demo_city
from ..security.conftest import api_token, receive_json, sql, with_token

WEB_WORKERS, WEB_THREADS = 2, 3
# What one instance may open (README, "Serving"): a kept connection per HTTP thread, one per
# HTTP process for the statistics copy's reload, and one for the WebSocket server's work.
CONNECTION_BOUND = WEB_WORKERS * WEB_THREADS + WEB_WORKERS + 1

pytestmark = [pytest.mark.postgres, pytest.mark.redis]


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    env = {
        "WEB_WORKERS": str(WEB_WORKERS),
        "WEB_THREADS": str(WEB_THREADS),
        "DATABASE_CONN_MAX_AGE": "60",
        "STATS_CUBE": "true",
    }
    with serve_demo_city(
        suffix="stack",
        var_dir=tmp_path_factory.mktemp("stack"),
        extra_env=env,
        stack="front http ws",
    ) as site:
        yield site


def connections_of(site) -> list[int]:
    """The backend pids PostgreSQL holds for the site's database, but this query's."""
    rows = sql(
        site,
        "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
        "AND pid <> pg_backend_pid()",
    )
    return sorted(pid for (pid,) in rows)


def settled_connections_of(site) -> list[int]:
    """The site's connections once two reads a second apart agree: a statistics copy's reload
    holds one of its own for a moment, then closes it."""
    connections, deadline = connections_of(site), time.monotonic() + 30
    while time.monotonic() < deadline:
        time.sleep(1)
        again = connections_of(site)
        if again == connections:
            break
        connections = again
    return connections


def test_http_and_websockets_are_served_at_one_address(stack):
    analyst = with_token(stack, api_token(stack, "analyst", "stats:read", "alerts:read"))
    health = requests.get(f"{stack.url}/healthz", timeout=30)
    assert health.status_code == 200, health.text
    summary = analyst.get("/api/v1/stats/summary?window=28d")
    assert summary.status_code == 200, summary.text
    assert "count" in summary.json()["measures"]
    assert "gunicorn" not in summary.headers.get("Server", "")
    with analyst.socket("/ws/alerts/") as socket:
        socket.send('{"type": "ping"}')
        answer = receive_json(socket)
        while answer.get("type") not in ("pong", "error"):
            answer = receive_json(socket)
        assert answer["type"] == "pong"


def test_database_connections_stay_within_the_bound_and_are_reused(stack):
    token = api_token(stack, "commander", "stats:read", "incidents:read")
    paths = [
        "/api/v1/stats/summary?window=7d",
        "/api/v1/stats/breakdown?by=area&window=28d",
        "/api/v1/incidents/?page_size=20",
        "/api/v1/stats/timeseries?window=28d&interval=day",
    ]
    most, stop = [0], threading.Event()

    def sample():
        while not stop.wait(0.05):
            most[0] = max(most[0], len(connections_of(stack)))

    def burst(n: int) -> list[int]:
        http = requests.Session()
        http.headers["Authorization"] = f"Token {token}"
        return [
            http.get(stack.url + paths[i % len(paths)], timeout=120).status_code for i in range(n)
        ]

    sampler = threading.Thread(target=sample)
    sampler.start()
    try:
        with ThreadPoolExecutor(max_workers=48) as pool:
            statuses = [s for result in pool.map(burst, [8] * 48) for s in result]
        kept = settled_connections_of(stack)
        with ThreadPoolExecutor(max_workers=48) as pool:
            statuses += [s for result in pool.map(burst, [4] * 48) for s in result]
    finally:
        stop.set()
        sampler.join()
    assert set(statuses) == {200}, {s: statuses.count(s) for s in set(statuses)}
    assert 0 < most[0] <= CONNECTION_BOUND
    # The second burst ran on the connections the first one left: none opened per request.
    time.sleep(0.5)
    assert set(kept) <= set(connections_of(stack)), (kept, connections_of(stack))


def test_the_client_address_is_the_one_the_front_saw(stack):
    """The front appends the address it saw to X-Forwarded-For; what a client wrote there
    itself is not believed (the audit trail, the lockout and the throttle use it)."""
    before = sql(stack, "SELECT coalesce(max(id), 0) FROM audit_auditevent")[0][0]
    http = requests.Session()
    form = http.get(f"{stack.url}/accounts/login/", timeout=30)
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text).group(1)
    answer = http.post(
        f"{stack.url}/accounts/login/",
        data={"username": "analyst", "password": "wrong", "csrfmiddlewaretoken": csrf},
        headers={"Referer": f"{stack.url}/accounts/login/", "X-Forwarded-For": "203.0.113.66"},
        timeout=30,
    )
    assert answer.status_code == 200  # the form again, with its error
    rows = sql(stack, "SELECT host(ip) FROM audit_auditevent WHERE id > %s", [before])
    assert rows, "the failed login was not recorded"
    assert {address for (address,) in rows} == {"127.0.0.1"}
