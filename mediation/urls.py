"""The mediation pages, under ``/mediation/``: the overview, a new case, one case."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.MediationPage.as_view(), name="dash-mediation"),
    path("new/", views.CaseNewPage.as_view(), name="dash-dispute-case-new"),
    path("<uuid:public_id>/", views.CasePage.as_view(), name="dash-dispute-case"),
]
