"""The campaign pages, under ``/campaigns/``."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.CampaignsPage.as_view(), name="dash-campaigns"),
    path("<int:pk>/", views.CampaignPage.as_view(), name="dash-campaign"),
]
