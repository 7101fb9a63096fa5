"""The idle timeout runs from the login, for the API and for sockets (issue 21, findings 14
and 3): a site of its own with a short SESSION_IDLE_TIMEOUT."""

import time

import pytest

from ..demo_site import serve_demo_city
from .conftest import log_in, receive_json
from .test_sockets import close_code

IDLE_TIMEOUT_SECONDS = 4
IDLE_TIMEOUT = 4408


@pytest.fixture(scope="module")
def idle_site(tmp_path_factory):
    with serve_demo_city(
        suffix="idle",
        var_dir=tmp_path_factory.mktemp("idle"),
        extra_env={"SESSION_IDLE_TIMEOUT": str(IDLE_TIMEOUT_SECONDS)},
    ) as site:
        yield site


def test_the_idle_clock_starts_at_login(idle_site):
    officer = log_in(idle_site, "officer")
    time.sleep(IDLE_TIMEOUT_SECONDS + 1)
    answer = officer.get("/api/v1/incidents/")
    assert answer.status_code in (401, 403), answer.status_code


def test_a_request_within_the_timeout_keeps_the_session(idle_site):
    officer = log_in(idle_site, "officer")
    for _ in range(3):
        time.sleep(IDLE_TIMEOUT_SECONDS * 0.6)
        assert officer.get("/api/v1/incidents/").status_code == 200


def test_an_idle_sessions_socket_is_closed(idle_site):
    officer = log_in(idle_site, "officer")
    with officer.socket("/ws/alerts/") as socket:
        assert receive_json(socket)["type"] == "backlog"
        assert close_code(socket) == IDLE_TIMEOUT
