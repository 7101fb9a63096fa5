"""A socket lives no longer than its credentials: a revoke or a logout closes it at once
through its credentials' group, the periodic re-check closes it when they lapse otherwise,
and its actions pass accounts.policy.may_act (through Channels' WebsocketCommunicator)."""

import asyncio
from datetime import timedelta

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client
from django.utils import timezone

from accounts.choices import Role
from accounts.models import ApiToken
from accounts.services import api_token_create, api_token_revoke
from safecity.asgi import application

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "a-long-test-password"


def socket(path: str = "/ws/alerts/", **headers: str) -> WebsocketCommunicator:
    return WebsocketCommunicator(
        application,
        path,
        headers=[
            (b"host", b"localhost"),
            (b"origin", b"http://localhost"),
            *((name.encode(), value.encode()) for name, value in headers.items()),
        ],
    )


async def opened(communicator: WebsocketCommunicator) -> WebsocketCommunicator:
    ok, _ = await communicator.connect()
    assert ok
    assert (await communicator.receive_json_from(timeout=5))["type"] == "backlog"
    return communicator


async def close_code(communicator: WebsocketCommunicator) -> int:
    output = await communicator.receive_output(timeout=5)
    assert output["type"] == "websocket.close", output
    return output["code"]


@pytest.fixture
def commander(make_user, two_districts):
    user = make_user(role=Role.DISTRICT_COMMANDER, home_area=two_districts[0])
    user.set_password(PASSWORD)
    user.save()
    return user


def test_revoking_a_token_closes_its_socket_without_waiting_for_the_recheck(commander, settings):
    settings.LIVE_CREDENTIALS_RECHECK_SECONDS = 3600
    token, key = api_token_create(user=commander, scopes=["alerts:read"], days=1)
    revoke = database_sync_to_async(lambda: api_token_revoke(token=token), thread_sensitive=False)

    async def run():
        communicator = await opened(socket(authorization=f"Token {key}"))
        await revoke()
        assert await close_code(communicator) == 4401

    asyncio.run(run())


def test_logging_out_closes_the_sessions_socket_without_waiting_for_the_recheck(
    commander, settings
):
    settings.LIVE_CREDENTIALS_RECHECK_SECONDS = 3600
    browser = Client()
    assert browser.login(username=commander.username, password=PASSWORD)
    cookie = f"sessionid={browser.cookies['sessionid'].value}"
    logout = database_sync_to_async(browser.logout, thread_sensitive=False)

    async def run():
        communicator = await opened(socket(cookie=cookie))
        await logout()
        assert await close_code(communicator) == 4401

    asyncio.run(run())


def test_the_recheck_closes_the_socket_of_a_token_that_expired(commander, settings):
    settings.LIVE_CREDENTIALS_RECHECK_SECONDS = 0.1
    token, key = api_token_create(user=commander, scopes=["alerts:read"], days=1)
    expire = database_sync_to_async(
        lambda: ApiToken.objects.filter(pk=token.pk).update(
            expires_at=timezone.now() - timedelta(seconds=1)
        ),
        thread_sensitive=False,
    )

    async def run():
        communicator = await opened(socket(authorization=f"Token {key}"))
        await expire()
        assert await close_code(communicator) == 4401

    asyncio.run(run())


def test_a_new_role_closes_the_socket(commander, settings):
    settings.LIVE_CREDENTIALS_RECHECK_SECONDS = 0.1
    _, key = api_token_create(user=commander, scopes=["alerts:read"], days=1)
    demote = database_sync_to_async(
        lambda: type(commander).objects.filter(pk=commander.pk).update(role=Role.VIEWER),
        thread_sensitive=False,
    )

    async def run():
        communicator = await opened(socket(authorization=f"Token {key}"))
        await demote()
        assert await close_code(communicator) == 4401

    asyncio.run(run())


def test_a_refused_action_is_answered_and_the_socket_stays_open(commander):
    _, key = api_token_create(user=commander, scopes=["alerts:read"], days=1)

    async def run():
        communicator = await opened(socket(authorization=f"Token {key}"))
        await communicator.send_json_to({"action": "acknowledge", "id": 1})
        answer = await communicator.receive_json_from(timeout=5)
        assert answer == {
            "type": "error",
            "action": "acknowledge",
            "detail": "this token lacks the scope alerts:write",
            "status": 403,
        }
        await communicator.send_json_to({"type": "ping"})
        assert await communicator.receive_json_from(timeout=5) == {"type": "pong"}
        await communicator.disconnect()

    asyncio.run(run())
