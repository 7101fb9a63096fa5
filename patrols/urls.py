"""The patrols page, at ``/patrols/``."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.PatrolsPage.as_view(), name="dash-patrols"),
]
