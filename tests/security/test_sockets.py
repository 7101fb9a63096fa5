"""Socket actions pass the same role and scope check as their REST twins, and a socket lives
no longer than the credentials it was opened with (issue 21, findings 2, 3 and 13's sockets).

Close codes (README, ``ws/alerts/``): 4401 when the credentials are gone (token revoked or
expired, session logged out), 4408 when the session went idle (see test_idle.py).
"""

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone
from websockets.exceptions import ConnectionClosed

from .conftest import api_token, home_area_path, receive_json, sql, with_token

CREDENTIALS_GONE = 4401
# Long enough for the periodic re-check (LIVE_CREDENTIALS_RECHECK_SECONDS, 5 by default) on a
# busy machine; a socket that outlives its credentials never closes and fails the wait.
CLOSE_WAIT_SECONDS = 20


def open_alert(site, username: str) -> int:
    """A new open alert in ``username``'s home area (its path and area set as the engine does)."""
    path = home_area_path(site, username)
    rows = sql(
        site,
        "INSERT INTO alerts_alert (kind, severity, state, area_id, area_path, dedup_key, title,"
        " title_en, body, body_en, created_at)"
        " SELECT 'instant', 'critical', 'open', id, path, %s, '红队告警', 'red team alert', '', '',"
        " now() FROM areas_area WHERE path = %s RETURNING id",
        [f"redteam-{uuid.uuid4()}", path],
    )
    return rows[0][0]


def alert_state(site, alert_id: int) -> str:
    return sql(site, "SELECT state FROM alerts_alert WHERE id = %s", [alert_id])[0][0]


def answer_to(socket, kinds=("error", "done", "ingested")) -> dict:
    """The server's answer to the last client message, skipping pushed messages."""
    while True:
        message = receive_json(socket, timeout=30)
        if message.get("type") in kinds:
            return message


def close_code(socket) -> int:
    """Read until the server closes the socket; its close code."""
    try:
        while True:
            socket.recv(timeout=CLOSE_WAIT_SECONDS)
    except ConnectionClosed as closed:
        assert closed.rcvd is not None, "the client, not the server, closed the socket"
        return closed.rcvd.code
    except TimeoutError:
        pytest.fail(f"the socket was still open {CLOSE_WAIT_SECONDS} s after its credentials went")


def still_open(socket) -> bool:
    socket.send('{"type": "ping"}')
    return answer_to(socket, kinds=("pong",)) == {"type": "pong"}


def unit_of(site, username: str) -> str:
    path = home_area_path(site, username)
    rows = sql(
        site,
        "SELECT code FROM patrols_patrolunit WHERE home_path LIKE %s ORDER BY code LIMIT 1",
        [path + "%"],
    )
    assert rows, f"no patrol unit under {username}'s home area"
    return rows[0][0]


def fresh_ping(unit: str) -> dict:
    """A ping at a time no other test uses (whole milliseconds, as stored)."""
    at = timezone.now() - timedelta(seconds=30, milliseconds=uuid.uuid4().int % 30_000)
    at = at.replace(microsecond=at.microsecond // 1000 * 1000)
    return {"unit": unit, "at": at.isoformat(), "lon": 121.6, "lat": 31.2}


def pings_stored(site, ping: dict) -> int:
    return sql(
        site,
        "SELECT count(*) FROM patrols_position p JOIN patrols_patrolunit u ON u.id = p.unit_id"
        " WHERE u.code = %s AND p.at = %s",
        [ping["unit"], ping["at"]],
    )[0][0]


# --- finding 2: socket actions need the REST twin's role and token scope ----------------------
@pytest.mark.parametrize("action", ["acknowledge", "resolve"])
def test_an_alerts_read_token_cannot_move_an_alert_over_the_socket(site, token_of, action):
    alert_id = open_alert(site, "commander")
    reader = token_of("commander", "alerts:read")
    token_id = sql(site, "SELECT max(id) FROM accounts_apitoken")[0][0]
    with reader.socket("/ws/alerts/") as socket:
        assert receive_json(socket)["type"] == "backlog"
        socket.send(f'{{"action": "{action}", "id": {alert_id}}}')
        answer = answer_to(socket)
        assert answer["type"] == "error", answer
        assert answer["status"] == 403 and answer["action"] == action
        assert "alerts:write" in answer["detail"]
        assert still_open(socket)
    assert alert_state(site, alert_id) == "open"
    # The refusal is in the trail, as the API's 403s are, with who, which token and where from.
    refusals = sql(
        site,
        "SELECT actor_username, token_id, ip FROM audit_auditevent WHERE action = 'denied'"
        " AND detail LIKE %s",
        [f"WEBSOCKET /ws/alerts/ {action} → 403%"],
    )
    assert ("commander", str(token_id), "127.0.0.1") in refusals
    # The REST twin answers the same token the same way.
    assert reader.post(f"/api/v1/alerts/{alert_id}/{action}/").status_code == 403


def test_an_alerts_write_token_acknowledges_and_the_trail_names_actor_token_and_address(
    site, token_of
):
    alert_id = open_alert(site, "commander")
    writer = token_of("commander", "alerts:write", "alerts:read")
    token_id = sql(site, "SELECT max(id) FROM accounts_apitoken")[0][0]
    with writer.socket("/ws/alerts/") as socket:
        assert receive_json(socket)["type"] == "backlog"
        socket.send(f'{{"action": "acknowledge", "id": {alert_id}}}')
        assert answer_to(socket) == {"type": "done", "action": "acknowledge", "id": alert_id}
    assert alert_state(site, alert_id) == "acknowledged"
    trail = sql(
        site,
        "SELECT actor_username, token_id, ip, path FROM audit_auditevent"
        " WHERE object_type = 'alerts.alert' AND object_id = %s",
        [str(alert_id)],
    )
    assert trail == [("commander", str(token_id), "127.0.0.1", "/ws/alerts/")]


def test_an_analysts_session_cannot_plant_pings(site, session_of):
    ping = fresh_ping(unit_of(site, "officer"))
    with session_of("analyst").socket("/ws/patrols/positions/") as socket:
        assert receive_json(socket)["type"] == "snapshot"
        socket.send(f'{{"type": "pings", "pings": [{_json(ping)}]}}')
        answer = answer_to(socket)
        assert answer["type"] == "error" and answer["status"] == 403, answer
        assert answer["action"] == "pings"
        assert still_open(socket)
    assert pings_stored(site, ping) == 0


def test_a_patrols_read_token_cannot_plant_pings(site, token_of):
    ping = fresh_ping(unit_of(site, "officer"))
    with token_of("officer", "patrols:read").socket("/ws/patrols/positions/") as socket:
        assert receive_json(socket)["type"] == "snapshot"
        socket.send(f'{{"type": "pings", "pings": [{_json(ping)}]}}')
        answer = answer_to(socket)
        assert answer["type"] == "error" and answer["status"] == 403, answer
        assert "patrols:write" in answer["detail"]
    assert pings_stored(site, ping) == 0


def test_a_patrols_write_token_of_an_officer_reports_pings(site, token_of):
    ping = fresh_ping(unit_of(site, "officer"))
    device = token_of("officer", "patrols:read", "patrols:write")
    with device.socket("/ws/patrols/positions/") as socket:
        assert receive_json(socket)["type"] == "snapshot"
        socket.send(f'{{"type": "pings", "pings": [{_json(ping)}]}}')
        answer = answer_to(socket)
        assert answer["type"] == "ingested" and answer["stored"] == 1, answer
    assert pings_stored(site, ping) == 1


def _json(value) -> str:
    import json

    return json.dumps(value)


# --- finding 3: a socket closes when its credentials go -----------------------------------------
def test_revoking_a_token_closes_its_socket(site):
    key = api_token(site, "commander", "alerts:read", "alerts:write")
    with with_token(site, key).socket("/ws/alerts/") as socket:
        assert receive_json(socket)["type"] == "backlog"
        site.manage("revoke_api_token", "--prefix", key[:10])
        assert close_code(socket) == CREDENTIALS_GONE


def test_an_expired_tokens_socket_is_closed(site):
    key = api_token(site, "commander", "alerts:read", "alerts:write")
    with with_token(site, key).socket("/ws/alerts/") as socket:
        assert receive_json(socket)["type"] == "backlog"
        sql(
            site,
            "UPDATE accounts_apitoken SET expires_at = now() - interval '1 second'"
            " WHERE prefix = %s",
            [key[:10]],
        )
        assert close_code(socket) == CREDENTIALS_GONE


def test_a_revoked_token_cannot_act_before_its_socket_closes(site):
    alert_id = open_alert(site, "commander")
    key = api_token(site, "commander", "alerts:read", "alerts:write")
    with with_token(site, key).socket("/ws/alerts/") as socket:
        assert receive_json(socket)["type"] == "backlog"
        sql(site, "UPDATE accounts_apitoken SET revoked_at = now() WHERE prefix = %s", [key[:10]])
        socket.send(f'{{"action": "acknowledge", "id": {alert_id}}}')
        assert close_code(socket) == CREDENTIALS_GONE
    assert alert_state(site, alert_id) == "open"


def test_logging_out_closes_the_sessions_socket(site, session_of):
    officer = session_of("officer")
    with officer.socket("/ws/alerts/") as socket:
        assert receive_json(socket)["type"] == "backlog"
        assert officer.post("/accounts/logout/", allow_redirects=False).status_code == 302
        assert close_code(socket) == CREDENTIALS_GONE


def test_a_deactivated_users_socket_is_closed(site, session_of):
    commander = session_of("commander")
    try:
        with commander.socket("/ws/alerts/") as socket:
            assert receive_json(socket)["type"] == "backlog"
            sql(site, "UPDATE accounts_user SET is_active = false WHERE username = 'commander'")
            assert close_code(socket) == CREDENTIALS_GONE
    finally:
        sql(site, "UPDATE accounts_user SET is_active = true WHERE username = 'commander'")
