"""The alerts page, at ``/alerts/``."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.AlertsPage.as_view(), name="dash-alerts"),
]
