"""The incident pages, under ``/incidents/``."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.IncidentsPage.as_view(), name="dash-incidents"),
    path("<uuid:public_id>/", views.IncidentPage.as_view(), name="dash-incident"),
]
