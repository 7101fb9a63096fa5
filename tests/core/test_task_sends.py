"""A task that cannot be queued (the broker's Redis is down) is logged, not raised (issue 22)."""

import logging

import pytest

from safecity.celery import app
from stats.tasks import recompute_dirty

pytestmark = pytest.mark.redis


@pytest.fixture
def queued_for_real():
    """Tasks go to the broker in this test, whatever the suite runs with."""
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    yield
    app.conf.task_always_eager = eager


def test_a_task_that_cannot_be_queued_is_logged_and_the_sender_goes_on(
    private_redis, queued_for_real, caplog
):
    url, process = private_redis
    process.kill()
    process.wait()
    with (
        app.connection_for_write(url) as connection,
        caplog.at_level(logging.ERROR, logger="safecity.celery"),
    ):
        result = recompute_dirty.apply_async(connection=connection)
    assert result is None
    assert "stats.recompute_dirty was not queued" in caplog.text


def test_a_task_is_queued_while_the_broker_answers(private_redis, queued_for_real):
    url, _ = private_redis
    with app.connection_for_write(url) as connection:
        result = recompute_dirty.apply_async(connection=connection)
    assert result is not None and result.id
