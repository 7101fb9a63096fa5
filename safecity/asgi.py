"""ASGI entry point served by daphne: WebSockets through Channels (and HTTP in embedded mode,
where ``make run`` serves everything from one daphne)."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safecity.settings.base")
# An ASGI server runs database work on threads that come and go: a connection kept past its
# request would stay open, unused, until the thread died (one per request thread under load).
# Whatever the environment says for the HTTP workers, this server keeps none.
os.environ["DATABASE_CONN_MAX_AGE"] = "0"
# Django must be set up before anything imports models.
django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from safecity.core.ws_auth import TokenAuthMiddleware  # noqa: E402
from safecity.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": AllowedHostsOriginValidator(
            AuthMiddlewareStack(TokenAuthMiddleware(URLRouter(websocket_urlpatterns)))
        ),
    }
)
