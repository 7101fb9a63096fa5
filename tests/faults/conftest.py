"""Fixtures of the fault tests: the platform's processes, and a PostgreSQL of the test's own."""

import pytest

from .stack import Processes, private_postgres_cluster


@pytest.fixture
def processes(tmp_path):
    """Starts the platform's processes (tests/faults/stack.py); stops them after the test."""
    started = Processes(log_dir=tmp_path)
    yield started
    started.stop_all()


@pytest.fixture
def private_postgres():
    """A PostgreSQL cluster that only this test uses, so it may stop and start it."""
    yield from private_postgres_cluster()
