"""The ``/ws/`` route table. Each app that pushes to browsers adds its consumers here."""

from alerts.routing import websocket_urlpatterns as alert_routes
from patrols.routing import websocket_urlpatterns as patrol_routes

websocket_urlpatterns: list = [*alert_routes, *patrol_routes]
