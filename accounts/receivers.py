"""What a login and a logout set going: the idle clock, and the end of the session's sockets.

Kept apart from the middleware, which the WebSocket authentication reads (``idle_expired``):
the live push imports that, and this imports the live push.
"""

import time

from safecity.core.live import end_sockets

from .middleware import LAST_SEEN_KEY


def start_idle_clock(sender, request, user, **kwargs):
    """The idle clock starts at login, not at the first request after it (``user_logged_in``)."""
    request.session[LAST_SEEN_KEY] = time.time()


def end_sockets_of_session(sender, request, user, **kwargs):
    """A logout closes the session's sockets at once (``user_logged_out``)."""
    session = getattr(request, "session", None)
    if session is not None and session.session_key:
        end_sockets(session_key=session.session_key)
