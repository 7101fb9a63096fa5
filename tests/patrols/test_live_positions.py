"""ws/patrols/positions/: the snapshot on connect, live pushes scoped to the jurisdiction,
pings reported over the socket; then the same end to end on daphne, PostgreSQL and Redis."""

import asyncio
import json
import urllib.error
import urllib.request
from datetime import datetime, timedelta

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.utils import timezone
from rest_framework.test import APIClient
from websockets.asyncio.client import connect

from accounts.choices import Role
from accounts.models import User
from areas.choices import AreaKind
from patrols import services
from patrols.consumers import PositionConsumer
from patrols.models import PatrolUnit, Position
from safecity.asgi import application

from ..alerts import test_live as alerts_live
from ..alerts.test_live import SILENCE_SECONDS, WAIT_SECONDS, messages_within, next_message
from ..factories import AreaFactory, api_key, square

pytestmark = pytest.mark.django_db(transaction=True)
QUIET = 0.5  # seconds a socket must stay silent to count as "received nothing"
PATH = "/ws/patrols/positions/"


class RollBack(Exception):
    pass


@pytest.fixture
def zones(two_districts):
    """A patrol zone under each district's station, as (zone_a, zone_b)."""
    district_a, district_b = two_districts
    zone_a = AreaFactory(
        kind=AreaKind.PATROL_ZONE,
        parent=district_a.children.get(),
        geometry=square(120.4, 30.4, 0.2),
    )
    zone_b = AreaFactory(
        kind=AreaKind.PATROL_ZONE,
        parent=district_b.children.get(),
        geometry=square(122.4, 30.4, 0.2),
    )
    return zone_a, zone_b


@pytest.fixture
def units(zones):
    """A-1 and A-2 seen in zone A, A-3 never seen, B-1 seen in zone B."""
    zone_a, zone_b = zones
    seen = timezone.now() - timedelta(minutes=30)
    made = {}
    for code, zone, lon, lat in [
        ("A-1", zone_a, 120.45, 30.45),
        ("A-2", zone_a, 120.55, 30.55),
        ("A-3", zone_a, None, None),
        ("B-1", zone_b, 122.45, 30.45),
    ]:
        made[code] = PatrolUnit.objects.create(
            code=code,
            name=f"巡逻{code}",
            kind="patrol_car",
            home_zone=zone,
            status="on_patrol",
            last_lon=lon,
            last_lat=lat,
            last_seen_at=seen if lon is not None else None,
        )
    return made


@pytest.fixture
def people(zones, two_districts, city, make_user):
    zone_a, _ = zones
    district_a, district_b = two_districts
    users = {
        "a": make_user(role=Role.DISTRICT_COMMANDER, home_area=district_a),
        "b": make_user(role=Role.DISTRICT_COMMANDER, home_area=district_b),
        "station_a": make_user(role=Role.STATION_OFFICER, home_area=district_a.children.get()),
        "zone_a": make_user(role=Role.STATION_OFFICER, home_area=zone_a),
        "analyst": make_user(role=Role.CITY_ANALYST, home_area=city),
    }
    # Fresh from the database, as authentication gives them: home_area not loaded yet.
    return {name: User.objects.get(pk=user.pk) for name, user in users.items()}


def ping(unit: str, minutes_ago: float, lon: float, lat: float, **extra) -> dict:
    at = timezone.now().replace(microsecond=0) - timedelta(minutes=minutes_ago)
    return {"unit": unit, "at": at.isoformat(), "lon": lon, "lat": lat, **extra}


def socket_for(user) -> WebsocketCommunicator:
    communicator = WebsocketCommunicator(application, PATH)
    communicator.scope["user"] = user
    # AllowedHostsOriginValidator wants a host it knows.
    communicator.scope["headers"] = [(b"host", b"localhost"), (b"origin", b"http://localhost")]
    return communicator


async def connected(user) -> tuple[WebsocketCommunicator, dict]:
    communicator = socket_for(user)
    ok, _ = await communicator.connect()
    assert ok
    snapshot = await communicator.receive_json_from(timeout=5)
    assert snapshot["type"] == "snapshot"
    return communicator, snapshot


def by_unit(positions: list[dict]) -> dict[str, dict]:
    assert len({p["unit"] for p in positions}) == len(positions), positions
    return {p["unit"]: p for p in positions}


def same_instant(iso: str, other: str) -> bool:
    return datetime.fromisoformat(iso) == datetime.fromisoformat(other)


ingest = database_sync_to_async(
    lambda pings: services.positions_ingest(pings=pings), thread_sensitive=False
)


def test_an_anonymous_socket_is_refused(units):
    async def run():
        communicator = socket_for(AnonymousUser())
        ok, code = await communicator.connect()
        assert not ok and code == 4401

    asyncio.run(run())


def test_a_user_without_a_jurisdiction_is_refused(units, make_user):
    nobody = User.objects.get(pk=make_user(role=Role.VIEWER, home_area=None).pk)

    async def run():
        communicator = socket_for(nobody)
        ok, code = await communicator.connect()
        assert not ok and code == 4403

    asyncio.run(run())


def test_the_snapshot_holds_the_last_position_of_each_seen_unit_in_scope(units, people):
    async def run():
        a, snapshot_a = await connected(people["a"])
        city, snapshot_city = await connected(people["analyst"])
        await a.disconnect()
        await city.disconnect()
        return snapshot_a, snapshot_city

    snapshot_a, snapshot_city = asyncio.run(run())

    assert set(by_unit(snapshot_a["positions"])) == {"A-1", "A-2"}
    assert set(by_unit(snapshot_city["positions"])) == {"A-1", "A-2", "B-1"}
    first = by_unit(snapshot_a["positions"])["A-1"]
    unit = PatrolUnit.objects.get(code="A-1")
    assert (first["lon"], first["lat"]) == (unit.last_lon, unit.last_lat)
    assert datetime.fromisoformat(first["at"]) == unit.last_seen_at
    assert (first["name"], first["kind"], first["status"]) == ("巡逻A-1", "patrol_car", "on_patrol")


def test_a_new_ping_reaches_every_jurisdiction_above_the_units_zone_and_no_other(units, people):
    reported = ping("A-1", 1, 120.47, 30.46)

    async def run():
        sockets = {name: (await connected(user))[0] for name, user in people.items()}
        await ingest([reported])
        received = {}
        for name in ("a", "station_a", "zone_a", "analyst"):
            received[name] = await sockets[name].receive_json_from(timeout=5)
        b_silent = await sockets["b"].receive_nothing(timeout=QUIET)
        for communicator in sockets.values():
            await communicator.disconnect()
        return received, b_silent

    received, b_silent = asyncio.run(run())

    for message in received.values():
        assert message["type"] == "positions"
        [position] = message["positions"]
        assert position["unit"] == "A-1"
        assert (position["lon"], position["lat"]) == (120.47, 30.46)
        assert same_instant(position["at"], reported["at"])
    assert b_silent


def test_a_push_holds_each_moved_unit_once_at_its_latest_ping(units, people):
    batch = [
        ping("A-1", 3, 120.41, 30.41),
        ping("A-1", 1, 120.43, 30.43, speed_kmh=28.5, heading=90),
        ping("A-1", 2, 120.42, 30.42),
        ping("A-2", 45, 120.50, 30.50),  # older than where A-2 was last seen: it did not move
        ping("B-1", 2, 122.46, 30.46),
    ]

    async def run():
        a, _ = await connected(people["a"])
        b, _ = await connected(people["b"])
        city, _ = await connected(people["analyst"])
        report = await ingest(batch)
        pushed = {
            "a": await a.receive_json_from(timeout=5),
            "b": await b.receive_json_from(timeout=5),
            "city": await city.receive_json_from(timeout=5),
        }
        # One message per group for the whole batch: nothing follows.
        quiet = [await s.receive_nothing(timeout=QUIET) for s in (a, b, city)]
        for communicator in (a, b, city):
            await communicator.disconnect()
        return report, pushed, quiet

    report, pushed, quiet = asyncio.run(run())

    assert report["stored"] == 5
    assert set(by_unit(pushed["a"]["positions"])) == {"A-1"}
    assert set(by_unit(pushed["b"]["positions"])) == {"B-1"}
    assert set(by_unit(pushed["city"]["positions"])) == {"A-1", "B-1"}
    latest = by_unit(pushed["city"]["positions"])["A-1"]
    assert (latest["lon"], latest["lat"]) == (120.43, 30.43)
    assert (latest["speed_kmh"], latest["heading"]) == (28.5, 90.0)
    assert same_instant(latest["at"], batch[1]["at"])
    assert all(quiet)


def test_pings_posted_over_rest_are_pushed_to_the_units_district(units, people):
    reported = ping("A-2", 1, 120.56, 30.56)

    def post():
        client = APIClient()
        client.force_authenticate(people["a"])
        return client.post("/api/v1/patrols/positions/", [reported], format="json")

    async def run():
        a, _ = await connected(people["a"])
        b, _ = await connected(people["b"])
        answer = await database_sync_to_async(post, thread_sensitive=False)()
        pushed = await a.receive_json_from(timeout=5)
        b_silent = await b.receive_nothing(timeout=QUIET)
        await a.disconnect()
        await b.disconnect()
        return answer, pushed, b_silent

    answer, pushed, b_silent = asyncio.run(run())

    assert answer.status_code == 200 and answer.json()["stored"] == 1
    assert pushed["type"] == "positions"
    assert [(p["unit"], p["lon"], p["lat"]) for p in pushed["positions"]] == [
        ("A-2", 120.56, 30.56)
    ]
    assert b_silent


def test_pings_of_a_transaction_that_rolls_back_are_never_pushed(units, people):
    def ingest_then_fail():
        try:
            with transaction.atomic():
                services.positions_ingest(pings=[ping("A-1", 1, 120.48, 30.48)])
                raise RollBack
        except RollBack:
            pass

    async def run():
        a, _ = await connected(people["a"])
        await database_sync_to_async(ingest_then_fail, thread_sensitive=False)()
        silent = await a.receive_nothing(timeout=QUIET)
        await a.disconnect()
        return silent

    assert asyncio.run(run())
    assert not Position.objects.exists()


def test_pings_sent_over_the_socket_are_stored_and_reported_ping_by_ping(units, people):
    already_stored = ping("A-1", 5, 120.44, 30.44)
    services.positions_ingest(pings=[already_stored])
    batch = [
        ping("A-1", 1, 120.46, 30.46),
        ping("B-1", 1, 122.47, 30.47),  # another district's unit
        ping("A-2", 1, 200, 30.5),
        already_stored,
        "not a ping",
    ]

    async def run():
        a, _ = await connected(people["a"])
        await a.send_json_to({"type": "pings", "pings": batch})
        messages = [await a.receive_json_from(timeout=5), await a.receive_json_from(timeout=5)]
        await a.disconnect()
        return {message["type"]: message for message in messages}

    messages = asyncio.run(run())

    report = messages["ingested"]
    assert (report["stored"], report["duplicates"], report["rejected"]) == (1, 1, 3)
    assert [(e["index"], e["field"]) for e in report["errors"]] == [
        (1, "unit"),
        (2, "lon"),
        (4, "ping"),
    ]
    assert [p["unit"] for p in messages["positions"]["positions"]] == ["A-1"]
    assert Position.objects.filter(unit__code="A-1").count() == 2


def test_a_socket_cannot_report_positions_of_units_outside_its_jurisdiction(units, people):
    async def run():
        a, _ = await connected(people["a"])
        b, _ = await connected(people["b"])
        await a.send_json_to({"type": "pings", "pings": [ping("B-1", 1, 122.41, 30.41)]})
        report = await a.receive_json_from(timeout=5)
        silent = [await b.receive_nothing(timeout=QUIET), await a.receive_nothing(timeout=QUIET)]
        await a.disconnect()
        await b.disconnect()
        return report, silent

    report, silent = asyncio.run(run())

    assert report["type"] == "ingested"
    assert (report["stored"], report["rejected"]) == (0, 1)
    assert "jurisdiction" in report["errors"][0]["message"]
    assert all(silent)
    assert not Position.objects.exists()
    assert PatrolUnit.objects.get(code="B-1").last_lon == 122.45


def test_ping_is_answered_with_pong(units, people):
    async def run():
        a, _ = await connected(people["a"])
        await a.send_json_to({"type": "ping"})
        answer = await a.receive_json_from(timeout=5)
        await a.disconnect()
        return answer

    assert asyncio.run(run()) == {"type": "pong"}


def test_a_message_that_is_not_an_object_is_an_error(units, people):
    async def run():
        a, _ = await connected(people["a"])
        await a.send_json_to([{"type": "ping"}])
        answer = await a.receive_json_from(timeout=5)
        await a.disconnect()
        return answer

    assert asyncio.run(run()) == {"type": "error", "detail": "send a JSON object"}


def test_pings_that_are_not_a_list_are_an_error(units, people):
    async def run():
        a, _ = await connected(people["a"])
        await a.send_json_to({"type": "pings", "pings": {"unit": "A-1"}})
        answer = await a.receive_json_from(timeout=5)
        await a.disconnect()
        return answer

    answer = asyncio.run(run())

    assert answer["type"] == "error" and answer["detail"].startswith("pings:")
    assert not Position.objects.exists()


def test_an_unknown_message_is_an_error(units, people):
    async def run():
        a, _ = await connected(people["a"])
        await a.send_json_to({"type": "subscribe", "unit": "A-1"})
        answer = await a.receive_json_from(timeout=5)
        await a.disconnect()
        return answer

    assert asyncio.run(run()) == {"type": "error", "detail": "unknown message"}


def test_an_idle_socket_gets_heartbeats(units, people, monkeypatch):
    monkeypatch.setattr(PositionConsumer, "heartbeat_seconds", 0.2)

    async def run():
        a, _ = await connected(people["a"])
        beat = await a.receive_json_from(timeout=5)
        await a.disconnect()
        return beat

    assert asyncio.run(run()) == {"type": "heartbeat"}


# End to end: a real daphne on the test database and Redis, a real WebSocket client.

daphne_server = alerts_live.daphne_server  # the alerts' fixture: daphne with its own Redis


@pytest.fixture
def tokens(people):
    return {name: api_key(people[name]) for name in ("a", "b", "analyst")}


def positions_socket(server, token: str):
    return connect(
        server.http_url.replace("http://", "ws://", 1) + PATH,
        additional_headers={"Authorization": f"Token {token}"},
        origin=server.origin,
        open_timeout=WAIT_SECONDS,
    )


async def open_with_snapshot(server, token: str):
    socket = await positions_socket(server, token)
    snapshot = await next_message(socket)
    assert snapshot["type"] == "snapshot", snapshot
    return socket, snapshot


def post_pings(server, token: str, pings: list) -> tuple[int, dict]:
    request = urllib.request.Request(
        f"{server.http_url}/api/v1/patrols/positions/",
        data=json.dumps(pings).encode(),
        headers={"Authorization": f"Token {token}", "Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=WAIT_SECONDS * 2) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


@pytest.mark.postgres
@pytest.mark.redis
def test_pings_posted_over_http_reach_the_sockets_of_their_jurisdiction_only(
    daphne_server, units, tokens
):
    reported = ping("A-1", 1, 120.49, 30.47, speed_kmh=31)

    async def scenario():
        socket_a, snapshot_a = await open_with_snapshot(daphne_server, tokens["a"])
        socket_b, snapshot_b = await open_with_snapshot(daphne_server, tokens["b"])
        socket_city, _ = await open_with_snapshot(daphne_server, tokens["analyst"])
        async with socket_a, socket_b, socket_city:
            status, report = await asyncio.to_thread(
                post_pings, daphne_server, tokens["a"], [reported]
            )
            pushed_a = await next_message(socket_a)
            pushed_city = await next_message(socket_city)
            silence_b = await messages_within(socket_b, SILENCE_SECONDS)
        return snapshot_a, snapshot_b, (status, report), pushed_a, pushed_city, silence_b

    snapshot_a, snapshot_b, answer, pushed_a, pushed_city, silence_b = asyncio.run(scenario())

    assert set(by_unit(snapshot_a["positions"])) == {"A-1", "A-2"}
    assert set(by_unit(snapshot_b["positions"])) == {"B-1"}
    assert answer == (200, {"stored": 1, "duplicates": 0, "rejected": 0, "errors": []})
    for pushed in (pushed_a, pushed_city):
        assert pushed["type"] == "positions", pushed
        [position] = pushed["positions"]
        assert (position["unit"], position["lon"], position["lat"]) == ("A-1", 120.49, 30.47)
        assert position["speed_kmh"] == 31
        assert same_instant(position["at"], reported["at"])
    assert silence_b == []


@pytest.mark.postgres
@pytest.mark.redis
def test_pings_sent_over_a_real_socket_are_stored_and_pushed_within_the_jurisdiction(
    daphne_server, units, tokens
):
    batch = [ping("B-1", 1, 122.48, 30.48), ping("A-1", 1, 120.48, 30.48)]

    async def scenario():
        socket_a, _ = await open_with_snapshot(daphne_server, tokens["a"])
        socket_b, _ = await open_with_snapshot(daphne_server, tokens["b"])
        async with socket_a, socket_b:
            await socket_b.send(json.dumps({"type": "pings", "pings": batch}))
            answers = [await next_message(socket_b), await next_message(socket_b)]
            silence_a = await messages_within(socket_a, SILENCE_SECONDS)
        return {answer["type"]: answer for answer in answers}, silence_a

    answers, silence_a = asyncio.run(scenario())

    report = answers["ingested"]
    assert (report["stored"], report["rejected"]) == (1, 1)
    assert report["errors"][0]["index"] == 1 and report["errors"][0]["field"] == "unit"
    assert [p["unit"] for p in answers["positions"]["positions"]] == ["B-1"]
    assert silence_a == []
    assert list(Position.objects.values_list("unit__code", "lon", "lat")) == [
        ("B-1", 122.48, 30.48)
    ]
    assert PatrolUnit.objects.get(code="B-1").last_lon == 122.48
