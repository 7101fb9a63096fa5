"""single_flight, the lock of runs that must not overlap (the statistics recompute, the area
reassignment): one holder at a time, never waited for, and let go
whatever way its block ends (on PostgreSQL also when the holder's session dies: see
test_worker_killed)."""

import threading

import pytest
from django.db import connections

from safecity.core.locks import single_flight

pytestmark = pytest.mark.django_db

NAME = "stats.test-lock"


def test_a_second_caller_does_not_get_a_held_lock_and_does_not_wait(db):
    held, done = threading.Event(), threading.Event()
    holder_results = []

    def hold():
        try:
            with single_flight(NAME) as holder:
                holder_results.append(holder)
                held.set()
                done.wait(30)
        finally:
            connections.close_all()

    thread = threading.Thread(target=hold)
    thread.start()
    try:
        assert held.wait(30)
        with single_flight(NAME) as second:
            assert second is False
    finally:
        done.set()
        thread.join(30)
    assert holder_results == [True]
    with single_flight(NAME) as after:
        assert after is True


def test_the_lock_is_let_go_when_its_block_fails(db):
    with pytest.raises(RuntimeError), single_flight(NAME) as holder:
        assert holder is True
        raise RuntimeError
    with single_flight(NAME) as again:
        assert again is True
