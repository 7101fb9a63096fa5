"""The platform with a part it needs taken away mid-run, reached over real HTTP and WebSockets.

Each test module serves its own demo city (``serve_demo_city``) as ``site``, as the faults it
makes must reach no other suite; the callers are tests/security's.
"""

from ..security.conftest import session_of, token_of  # noqa: F401  (fixtures on our `site`)
