from django.urls import path

from .consumers import PositionConsumer

websocket_urlpatterns = [
    path("ws/patrols/positions/", PositionConsumer.as_asgi(), name="ws-patrol-positions")
]
