"""Alerts end to end: a real daphne, the real database and Redis, a real WebSocket client.

An incident posted over HTTP raises an alert that reaches the sockets of its jurisdiction only;
a client that was away catches up with ``resume_after``, even when the channel layer's Redis was
down while the alert was raised.
"""

import asyncio
import json
import os
import shutil
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import redis
import websockets
from django.conf import settings
from django.utils import timezone
from websockets.asyncio.client import connect

from accounts.choices import Role
from alerts.choices import RuleKind, Severity
from alerts.models import Alert, AlertRule
from incidents.models import Incident

from ..conftest import free_port
from ..factories import api_key

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.django_db(transaction=True),
]

FATAL_ACCIDENT = "traffic_accident_fatal"
FATAL_ACCIDENT_NAME = "死亡交通事故"
# Long enough for a misrouted push to arrive over loopback, short enough to keep the test quick.
SILENCE_SECONDS = 1.5
WAIT_SECONDS = 5.0
# A served stack boots Django in several processes: on a loaded CI machine that took over 30 s.
STARTUP_SECONDS = 120.0


@dataclass
class LiveServer:
    http_url: str
    ws_url: str
    origin: str
    channel_layer_url: str
    channel_layer_process: subprocess.Popen


def subprocess_database_url() -> str:
    """The test database, as a DATABASE_URL for another process."""
    database = settings.DATABASES["default"]
    return (
        f"postgres://{database['USER']}:{database.get('PASSWORD') or ''}@"
        f"{database['HOST'] or '127.0.0.1'}:{database['PORT'] or 5432}/{database['NAME']}"
    )


def wait_until_http_answers(url: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the server exited with code {process.returncode} before answering")
        try:
            urllib.request.urlopen(url, timeout=2).close()
            return
        except urllib.error.HTTPError as error:
            # 503 while a part is down still means the platform is serving; 502 and 504 are
            # the front, whose upstream has not opened its socket yet.
            if error.code not in (502, 504):
                return
            time.sleep(0.2)
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"the server did not answer {url} within {STARTUP_SECONDS} s")


@pytest.fixture
def daphne_server(transactional_db, private_redis):
    """daphne serving safecity.asgi on the test database, with a channel layer of its own."""
    channel_layer_url, channel_layer_process = private_redis
    port = free_port()
    env = dict(os.environ)
    env |= {
        "DATABASE_URL": subprocess_database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "REDIS_KEY_PREFIX": settings.REDIS_KEY_PREFIX,
        "CHANNEL_LAYER_URL": channel_layer_url,
        "DJANGO_SETTINGS_MODULE": "safecity.settings.base",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
    }
    process = subprocess.Popen(
        [
            str(Path(settings.BASE_DIR) / ".venv" / "bin" / "daphne"),
            "-b",
            "127.0.0.1",
            "-p",
            str(port),
            "safecity.asgi:application",
        ],
        env=env,
        cwd=settings.BASE_DIR,
    )
    try:
        wait_until_http_answers(f"http://127.0.0.1:{port}/healthz", process)
        yield LiveServer(
            http_url=f"http://127.0.0.1:{port}",
            ws_url=f"ws://127.0.0.1:{port}/ws/alerts/",
            origin=f"http://127.0.0.1:{port}",
            channel_layer_url=channel_layer_url,
            channel_layer_process=channel_layer_process,
        )
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def redis_restarter():
    """Starts a redis-server on a given port again; stops what it started at teardown."""
    started: list[subprocess.Popen] = []

    def start(port: int) -> subprocess.Popen:
        process = subprocess.Popen(
            [
                shutil.which("redis-server"),
                "--port",
                str(port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        started.append(process)
        client = redis.Redis(port=port, socket_connect_timeout=0.2)
        deadline = time.monotonic() + WAIT_SECONDS
        while time.monotonic() < deadline:
            try:
                client.ping()
                return process
            except redis.ConnectionError:
                time.sleep(0.1)
        pytest.fail(f"redis-server did not come back on port {port}")

    yield start
    for process in started:
        process.kill()
        process.wait()


@pytest.fixture
def fatal_accident_rule(db):
    return AlertRule.objects.create(
        name="死亡交通事故即报",
        kind=RuleKind.INSTANT,
        severity=Severity.CRITICAL,
        categories=[FATAL_ACCIDENT],
        area=None,
    )


@pytest.fixture
def commanders(two_districts, make_user):
    """A commander of each district, as ((user_a, token_a), (user_b, token_b))."""
    district_a, district_b = two_districts
    user_a = make_user(role=Role.DISTRICT_COMMANDER, home_area=district_a)
    user_b = make_user(role=Role.DISTRICT_COMMANDER, home_area=district_b)
    return (
        (user_a, api_key(user_a)),
        (user_b, api_key(user_b)),
    )


@pytest.fixture
def poster(two_districts, make_user):
    """The token of a station officer of district A, who records the incidents."""
    station_a = two_districts[0].children.get()
    return api_key(make_user(role=Role.STATION_OFFICER, home_area=station_a))


def fatal_accident(ref: str) -> dict:
    """An incident body located in district A (see ``two_districts``)."""
    return {
        "source_ref": ref,
        "category": FATAL_ACCIDENT,
        "reported_at": (timezone.now() - timedelta(minutes=5)).isoformat(),
        "lon": 120.5,
        "lat": 30.5,
        "address": "测试路1号",
        "summary": "两车相撞",
    }


def post_incident(server: LiveServer, token: str, body: dict) -> tuple[int, dict]:
    request = urllib.request.Request(
        f"{server.http_url}/api/v1/incidents/",
        data=json.dumps(body).encode(),
        headers={"Authorization": f"Token {token}", "Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=WAIT_SECONDS * 2) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


async def apost_incident(server: LiveServer, token: str, body: dict) -> tuple[int, dict]:
    return await asyncio.to_thread(post_incident, server, token, body)


def open_socket(server: LiveServer, token: str | None):
    headers = {"Authorization": f"Token {token}"} if token else {}
    return connect(
        server.ws_url,
        additional_headers=headers,
        origin=server.origin,
        open_timeout=WAIT_SECONDS,
    )


async def next_message(socket, seconds: float = WAIT_SECONDS) -> dict:
    """The next message other than a heartbeat, failing after ``seconds``."""
    async with asyncio.timeout(seconds):
        while True:
            message = json.loads(await socket.recv())
            if message.get("type") != "heartbeat":
                return message


async def messages_within(socket, seconds: float) -> list[dict]:
    """Every message other than heartbeats received in the next ``seconds``."""
    received = []
    try:
        async with asyncio.timeout(seconds):
            while True:
                message = json.loads(await socket.recv())
                if message.get("type") != "heartbeat":
                    received.append(message)
    except TimeoutError:
        pass
    return received


async def connect_and_read_backlog(server: LiveServer, token: str):
    socket = await open_socket(server, token)
    backlog = await next_message(socket)
    assert backlog["type"] == "backlog" and backlog["resume_after"] is None, backlog
    return socket, backlog


async def resume(socket, after_id: int) -> dict:
    await socket.send(json.dumps({"resume_after": after_id}))
    backlog = await next_message(socket)
    assert backlog["type"] == "backlog" and backlog["resume_after"] == after_id, backlog
    return backlog


def test_alert_reaches_the_incidents_district_and_no_other(
    daphne_server, fatal_accident_rule, commanders, poster
):
    (_, token_a), (_, token_b) = commanders

    async def scenario():
        socket_a, backlog_a = await connect_and_read_backlog(daphne_server, token_a)
        socket_b, backlog_b = await connect_and_read_backlog(daphne_server, token_b)
        async with socket_a, socket_b:
            assert backlog_a["alerts"] == [] and backlog_b["alerts"] == []
            status, incident = await apost_incident(daphne_server, poster, fatal_accident("L1"))
            assert status == 201, incident
            pushed = await next_message(socket_a)
            silence_b = await messages_within(socket_b, SILENCE_SECONDS)
        return incident, pushed, silence_b

    incident, pushed, silence_b = asyncio.run(scenario())

    assert pushed["type"] == "alert" and pushed["event"] == "created", pushed
    assert pushed["alert"]["incident"] == incident["id"]
    assert FATAL_ACCIDENT_NAME in pushed["alert"]["title"]
    assert pushed["alert"]["severity"] == "critical"
    assert silence_b == []


def test_socket_without_a_token_is_refused(daphne_server, city, make_user):
    analyst = make_user(role=Role.CITY_ANALYST, home_area=city)
    token = api_key(analyst)

    async def scenario():
        # The same origin with a token is let in, so a refusal below is for the missing token.
        async with open_socket(daphne_server, token) as socket:
            assert (await next_message(socket))["type"] == "backlog"
        try:
            async with open_socket(daphne_server, None) as socket:
                await socket.recv()
        except websockets.InvalidStatus as refused:
            return ("handshake", refused.response.status_code)
        except websockets.ConnectionClosed as closed:
            return ("closed", closed.rcvd.code if closed.rcvd else None)
        return ("accepted", None)

    outcome = asyncio.run(scenario())

    assert outcome in {("handshake", 403), ("closed", 4401)}, outcome


def test_reconnecting_client_gets_exactly_the_alerts_it_missed(
    daphne_server, fatal_accident_rule, commanders, poster
):
    (_, token_a), _ = commanders

    async def scenario():
        socket, _ = await connect_and_read_backlog(daphne_server, token_a)
        async with socket:
            status, _ = await apost_incident(daphne_server, poster, fatal_accident("R1"))
            assert status == 201
            last_seen = (await next_message(socket))["alert"]["id"]
        missed = []
        for ref in ("R2", "R3"):
            status, incident = await apost_incident(daphne_server, poster, fatal_accident(ref))
            assert status == 201, incident
            missed.append(incident["id"])
        socket, _ = await connect_and_read_backlog(daphne_server, token_a)
        async with socket:
            backlog = await resume(socket, last_seen)
        return last_seen, missed, backlog

    last_seen, missed_incidents, backlog = asyncio.run(scenario())

    missed_alerts = Alert.objects.filter(id__gt=last_seen).order_by("-id")
    assert [alert["id"] for alert in backlog["alerts"]] == [a.id for a in missed_alerts]
    assert [alert["incident"] for alert in backlog["alerts"]] == missed_incidents[::-1]


def test_alert_raised_while_the_channel_layer_is_down_is_caught_up_after_it_returns(
    daphne_server, fatal_accident_rule, commanders, redis_restarter, poster
):
    (_, token_a), _ = commanders

    async def see_first_alert():
        socket, _ = await connect_and_read_backlog(daphne_server, token_a)
        async with socket:
            status, _ = await apost_incident(daphne_server, poster, fatal_accident("D1"))
            assert status == 201
            return (await next_message(socket))["alert"]["id"]

    last_seen = asyncio.run(see_first_alert())

    daphne_server.channel_layer_process.terminate()
    daphne_server.channel_layer_process.wait(timeout=WAIT_SECONDS)
    status, incident = post_incident(daphne_server, poster, fatal_accident("D2"))
    assert status == 201, incident
    saved = Incident.objects.get(public_id=incident["id"])
    raised = Alert.objects.get(incident=saved)
    assert raised.id > last_seen

    redis_restarter(urlsplit(daphne_server.channel_layer_url).port)

    async def catch_up():
        socket, _ = await connect_and_read_backlog(daphne_server, token_a)
        async with socket:
            return await resume(socket, last_seen)

    backlog = asyncio.run(catch_up())

    assert [alert["id"] for alert in backlog["alerts"]] == [raised.id]
    assert backlog["alerts"][0]["incident"] == incident["id"]
