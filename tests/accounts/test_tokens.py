"""API tokens: created by command with scopes and expiry, hashed, revocable, throttled."""

import asyncio
import io
from datetime import timedelta

import pytest
from channels.testing import WebsocketCommunicator
from django.core.management import CommandError, call_command
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.choices import Role
from accounts.models import ApiToken
from accounts.services import api_token_revoke

pytestmark = pytest.mark.django_db


@pytest.fixture
def client_user(make_user, two_districts):
    return make_user(role=Role.API_CLIENT, home_area=two_districts[0], username="stats-feed")


def create_token(username: str, *args: str) -> str:
    out, err = io.StringIO(), io.StringIO()
    call_command("create_api_token", username, *args, stdout=out, stderr=err)
    assert "shown only now" in err.getvalue()
    return out.getvalue().strip()


def with_key(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_the_command_prints_a_key_that_is_stored_only_as_a_hash(client_user):
    key = create_token("stats-feed", "--scope", "stats:read", "--days", "90")
    token = ApiToken.objects.get()
    assert key.startswith(token.prefix) and key not in token.key_hash
    assert token.scopes == ["stats:read"]
    lifetime = token.expires_at - timezone.now()
    assert timedelta(days=89, hours=23) < lifetime <= timedelta(days=90)


def test_a_stats_token_reads_statistics_and_nothing_else(client_user, make_user, city):
    key = create_token("stats-feed", "--scope", "stats:read")
    client = with_key(key)
    assert client.get("/api/v1/stats/summary").status_code == 200
    assert client.get("/api/v1/incidents/").status_code == 403
    # Even an administrator's token is held to its scopes.
    make_user(role=Role.ADMINISTRATOR, home_area=city, username="boss")
    admin_client = with_key(create_token("boss", "--scope", "stats:read"))
    assert admin_client.get("/api/v1/incidents/").status_code == 403
    response = admin_client.post("/api/v1/incidents/bulk/", [], format="json")
    assert response.status_code == 403
    assert "incidents:write" in response.json()["detail"]


def test_expired_and_revoked_tokens_are_refused(client_user):
    expired_key = create_token("stats-feed", "--scope", "stats:read", "--days", "1")
    ApiToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert with_key(expired_key).get("/api/v1/stats/summary").status_code == 401
    key = create_token("stats-feed", "--scope", "stats:read")
    assert with_key(key).get("/api/v1/stats/summary").status_code == 200
    api_token_revoke(token=ApiToken.objects.get(revoked_at=None, expires_at__gt=timezone.now()))
    assert with_key(key).get("/api/v1/stats/summary").status_code == 401
    assert with_key("sc_not-a-key").get("/api/v1/stats/summary").status_code == 401


def test_the_revoke_command_revokes_by_prefix(client_user):
    key = create_token("stats-feed", "--scope", "stats:read")
    call_command(
        "revoke_api_token", "--prefix", ApiToken.objects.get().prefix, stdout=io.StringIO()
    )
    assert ApiToken.objects.get().revoked_at is not None
    assert with_key(key).get("/api/v1/stats/summary").status_code == 401


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--scope", "stats:delete"], "unknown scope"),
        (["--scope", "stats:read", "--days", "0"], "1 to"),
    ],
)
def test_the_command_refuses_bad_arguments(client_user, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("create_api_token", "stats-feed", *args, stdout=io.StringIO())
    with pytest.raises(CommandError, match="no user"):
        call_command("create_api_token", "nobody", "--scope", "stats:read")
    assert not ApiToken.objects.exists()


def test_each_token_and_each_user_has_its_own_request_budget(client_user, settings):
    # Setting the rates forgets earlier counts (accounts.throttling), and so does the restore.
    settings.API_THROTTLE_RATES = {"token": "3/min", "user": "2/min", "anon": "1/min"}
    first = with_key(create_token("stats-feed", "--scope", "stats:read"))
    second = with_key(create_token("stats-feed", "--scope", "stats:read"))
    codes = [first.get("/api/v1/stats/summary").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    assert second.get("/api/v1/stats/summary").status_code == 200
    session = APIClient()
    session.force_authenticate(client_user)
    codes = [session.get("/api/v1/stats/summary").status_code for _ in range(3)]
    assert codes == [200, 200, 429]


@pytest.mark.django_db(transaction=True)
def test_a_socket_needs_a_token_with_the_feeds_read_scope(client_user, make_user, two_districts):
    from safecity.asgi import application

    commander = make_user(role=Role.DISTRICT_COMMANDER, home_area=two_districts[0], username="c")
    stats_only = create_token("c", "--scope", "stats:read")
    alerts = create_token("c", "--scope", "alerts:read")

    async def connect(key):
        communicator = WebsocketCommunicator(
            application,
            "/ws/alerts/",
            headers=[
                (b"host", b"localhost"),
                (b"origin", b"http://localhost"),
                (b"authorization", f"Token {key}".encode()),
            ],
        )
        ok, code = await communicator.connect()
        await communicator.disconnect()
        return ok, code

    assert asyncio.run(connect(stats_only)) == (False, 4403)
    assert asyncio.run(connect(alerts))[0] is True
    assert asyncio.run(connect("sc_wrong"))[1] == 4401
    assert commander.api_tokens.count() == 2
