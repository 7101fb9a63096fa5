from django.urls import path

from . import views

urlpatterns = [
    path("", views.OverviewPage.as_view(), name="dash-overview"),
    path("incidents/", views.OverviewPage.as_view(), name="dash-incidents"),
    path("compstat/", views.OverviewPage.as_view(), name="dash-compstat"),
    path("campaigns/", views.OverviewPage.as_view(), name="dash-campaigns"),
    path("patrols/", views.OverviewPage.as_view(), name="dash-patrols"),
    path("mediation/", views.OverviewPage.as_view(), name="dash-mediation"),
    path("alerts/", views.OverviewPage.as_view(), name="dash-alerts"),
]
