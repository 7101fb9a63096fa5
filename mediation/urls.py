"""The mediation page, at ``/mediation/``."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.MediationPage.as_view(), name="dash-mediation"),
]
