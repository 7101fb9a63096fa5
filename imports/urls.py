"""The import page, at ``/imports/``."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.ImportsPage.as_view(), name="dash-imports"),
]
