"""The ``/ws/`` route table. Each app that pushes to browsers adds its consumers here, each
route named."""

from alerts.routing import websocket_urlpatterns as alert_routes
from patrols.routing import websocket_urlpatterns as patrol_routes

websocket_urlpatterns: list = [*alert_routes, *patrol_routes]
# Read as a URLconf (settings.WEBSOCKET_URLCONF) for the routes' paths: scripts ask for a
# socket by its name, as for any other route.
urlpatterns = websocket_urlpatterns
