"""ws/alerts/ through Channels' WebsocketCommunicator: scope, catch-up, live push, handling."""

import asyncio
from datetime import timedelta

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from accounts.choices import Role
from accounts.models import User
from alerts.choices import RuleKind, Severity
from alerts.models import Alert, AlertRule
from incidents.ingest import incidents_ingest
from safecity.asgi import application

pytestmark = pytest.mark.django_db(transaction=True)
QUIET = 0.5  # seconds a socket must stay silent to count as "received nothing"


def fatal(ref: str, lon: float = 120.5) -> dict:
    return {
        "source_ref": ref,
        "category": "traffic_accident_fatal",
        "reported_at": (timezone.now() - timedelta(minutes=5)).isoformat(),
        "lon": lon,
        "lat": 30.5,
    }


@pytest.fixture
def people(two_districts, make_user, city):
    AlertRule.objects.create(
        name="致死交通事故",
        kind=RuleKind.INSTANT,
        severity=Severity.CRITICAL,
        categories=["traffic_accident_fatal"],
    )
    users = {
        "a": make_user(role=Role.DISTRICT_COMMANDER, home_area=two_districts[0]),
        "b": make_user(role=Role.DISTRICT_COMMANDER, home_area=two_districts[1]),
        "analyst": make_user(role=Role.CITY_ANALYST, home_area=city),
    }
    # Fresh from the database, as authentication gives them: home_area not loaded yet.
    return {name: User.objects.get(pk=user.pk) for name, user in users.items()}


def socket_for(user) -> WebsocketCommunicator:
    communicator = WebsocketCommunicator(application, "/ws/alerts/")
    communicator.scope["user"] = user
    # AllowedHostsOriginValidator wants a host it knows.
    communicator.scope["headers"] = [(b"host", b"localhost"), (b"origin", b"http://localhost")]
    return communicator


async def connected(user) -> tuple[WebsocketCommunicator, dict]:
    communicator = socket_for(user)
    ok, _ = await communicator.connect()
    assert ok
    backlog = await communicator.receive_json_from(timeout=5)
    assert backlog["type"] == "backlog"
    return communicator, backlog


ingest = database_sync_to_async(
    lambda rows: incidents_ingest(rows=rows, source_system="ws"), thread_sensitive=False
)


def test_an_anonymous_socket_is_refused(people):
    async def run():
        communicator = socket_for(AnonymousUser())
        ok, code = await communicator.connect()
        assert not ok and code == 4401

    asyncio.run(run())


def test_a_new_alert_reaches_its_district_and_the_city_but_not_the_other_district(people):
    async def run():
        a, _ = await connected(people["a"])
        b, _ = await connected(people["b"])
        city, _ = await connected(people["analyst"])
        await ingest([fatal("F1")])
        for communicator in (a, city):
            message = await communicator.receive_json_from(timeout=5)
            assert message["type"] == "alert" and message["event"] == "created"
            assert message["alert"]["title"].startswith("死亡交通事故")
        assert await b.receive_nothing(timeout=QUIET)
        for communicator in (a, b, city):
            await communicator.disconnect()

    asyncio.run(run())


def test_connecting_sends_the_latest_alerts_in_scope_only(people):
    incidents_ingest(rows=[fatal("A1"), fatal("B1", lon=122.5), fatal("A2")], source_system="t")
    in_a = list(
        Alert.objects.filter(incident__source_ref__in=["A1", "A2"])
        .order_by("-id")
        .values_list("id", flat=True)
    )

    async def run():
        a, backlog = await connected(people["a"])
        assert [alert["id"] for alert in backlog["alerts"]] == in_a
        await a.disconnect()

    asyncio.run(run())


def test_resume_after_sends_exactly_what_was_missed(people):
    incidents_ingest(rows=[fatal("A1")], source_system="t")
    seen = Alert.objects.get().id
    incidents_ingest(rows=[fatal("A2"), fatal("A3"), fatal("B9", lon=122.5)], source_system="t")
    missed = list(
        Alert.objects.filter(incident__source_ref__in=["A2", "A3"])
        .order_by("-id")
        .values_list("id", flat=True)
    )

    async def run():
        a, _ = await connected(people["a"])
        await a.send_json_to({"resume_after": seen})
        answer = await a.receive_json_from(timeout=5)
        assert answer["type"] == "backlog" and answer["resume_after"] == seen
        assert [alert["id"] for alert in answer["alerts"]] == missed
        await a.disconnect()

    asyncio.run(run())


def test_acknowledging_over_the_socket_is_seen_by_other_sockets_in_scope(people):
    incidents_ingest(rows=[fatal("A1")], source_system="t")
    alert_id = Alert.objects.get().id

    async def run():
        a, _ = await connected(people["a"])
        city, _ = await connected(people["analyst"])
        await a.send_json_to({"action": "acknowledge", "id": alert_id})
        messages = [await a.receive_json_from(timeout=5), await a.receive_json_from(timeout=5)]
        assert {"type": "done", "action": "acknowledge", "id": alert_id} in messages
        update = await city.receive_json_from(timeout=5)
        assert update["event"] == "acknowledged" and update["alert"]["id"] == alert_id
        assert update["alert"]["acknowledged_by"] == people["a"].username
        await a.disconnect()
        await city.disconnect()

    asyncio.run(run())


def test_an_alert_outside_the_users_scope_cannot_be_handled(people):
    incidents_ingest(rows=[fatal("B1", lon=122.5)], source_system="t")
    alert_id = Alert.objects.get().id

    async def run():
        a, _ = await connected(people["a"])
        await a.send_json_to({"action": "resolve", "id": alert_id})
        answer = await a.receive_json_from(timeout=5)
        assert answer["type"] == "error" and "jurisdiction" in answer["detail"]
        await a.disconnect()

    asyncio.run(run())
    assert Alert.objects.get().state == "open"


def test_ping_and_unknown_messages(people):
    async def run():
        a, _ = await connected(people["a"])
        await a.send_json_to({"type": "ping"})
        assert await a.receive_json_from(timeout=5) == {"type": "pong"}
        await a.send_json_to({"resume_after": "yesterday"})
        assert (await a.receive_json_from(timeout=5))["type"] == "error"
        await a.send_json_to({"hello": 1})
        assert (await a.receive_json_from(timeout=5))["detail"] == "unknown message"
        await a.disconnect()

    asyncio.run(run())


def test_an_idle_socket_gets_heartbeats(people, settings):
    settings.ALERTS_HEARTBEAT_SECONDS = 0.2

    async def run():
        a, _ = await connected(people["a"])
        assert await a.receive_json_from(timeout=5) == {"type": "heartbeat"}
        await a.disconnect()

    asyncio.run(run())
