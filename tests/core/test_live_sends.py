"""A push or a socket close that the channel layer does not take in time gives up, logged
(issue 22): it runs in the request that saved the data, and sockets catch up from the database."""

import asyncio
import logging

import pytest

from safecity.core import live


class UnansweringLayer:
    """A channel layer whose server accepted the connection and never answers."""

    def __init__(self):
        self.sent = []

    async def group_send(self, group, message):
        self.sent.append(group)
        await asyncio.Event().wait()


@pytest.fixture
def unanswering_layer(monkeypatch):
    layer = UnansweringLayer()
    monkeypatch.setattr(live, "get_channel_layer", lambda: layer)
    monkeypatch.setattr(live, "SEND_TIMEOUT_SECONDS", 0.05)
    return layer


def test_a_push_the_layer_never_answers_is_given_up_and_logged(unanswering_layer, caplog):
    with caplog.at_level(logging.WARNING, logger="safecity.core.live"):
        delivered = live.publish("alerts", {"/1/2/": [{"id": 1}]}, lambda items: {"n": items})
    assert delivered is False
    assert unanswering_layer.sent == ["alerts.all", "alerts.area.1", "alerts.area.2"]
    assert "not pushed to 3 group(s)" in caplog.text


def test_closing_sockets_the_layer_never_answers_is_given_up_and_logged(unanswering_layer, caplog):
    with caplog.at_level(logging.WARNING, logger="safecity.core.live"):
        live.end_sockets(token_id=7)
    assert unanswering_layer.sent == ["live.token.7"]
    assert "could not tell the sockets of live.token to close" in caplog.text
