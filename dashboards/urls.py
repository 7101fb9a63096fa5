from django.urls import path

from . import views

# Pages not built yet render the overview until their own view lands.
urlpatterns = [
    path("", views.OverviewPage.as_view(), name="dash-overview"),
    path("incidents/", views.IncidentsPage.as_view(), name="dash-incidents"),
    path("incidents/<uuid:public_id>/", views.IncidentPage.as_view(), name="dash-incident"),
    path("compstat/", views.CompstatPage.as_view(), name="dash-compstat"),
    path("campaigns/", views.CampaignsPage.as_view(), name="dash-campaigns"),
    path("campaigns/<int:pk>/", views.CampaignPage.as_view(), name="dash-campaign"),
    path("patrols/", views.PatrolsPage.as_view(), name="dash-patrols"),
    path("mediation/", views.MediationPage.as_view(), name="dash-mediation"),
    path("alerts/", views.AlertsPage.as_view(), name="dash-alerts"),
]
