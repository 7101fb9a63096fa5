from django.urls import path
from rest_framework.routers import DefaultRouter

from .views import DeviceEventView, IncidentViewSet

router = DefaultRouter()
router.register("incidents", IncidentViewSet, basename="incident")
urlpatterns = [*router.urls, path("events/", DeviceEventView.as_view(), name="device-events")]
