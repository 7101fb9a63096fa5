"""The platform with a part it needs taken away mid-run, reached over real HTTP and WebSockets.

A module that needs the seeded demo city serves its own (``serve_demo_city``) as ``site``, as
the faults it makes must reach no other suite; the callers are tests/security's. The others
start the platform's processes themselves (tests/faults/stack.py), and a PostgreSQL of their own
when they stop it.
"""

import pytest

from ..security.conftest import session_of, token_of  # noqa: F401  (fixtures on our `site`)
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
