"""The incident pages, under ``/incidents/``."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.IncidentsPage.as_view(), name="dash-incidents"),
    path("new/", views.IncidentCreatePage.as_view(), name="dash-incident-new"),
    path("places/", views.IncidentPlacesView.as_view(), name="incident-places"),
    path("<uuid:public_id>/", views.IncidentPage.as_view(), name="dash-incident"),
]
