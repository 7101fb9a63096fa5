from django.urls import path
from rest_framework.routers import DefaultRouter

from . import views

router = DefaultRouter()
router.register("mediation/cases", views.DisputeCaseViewSet, basename="dispute-case")
router.register("mediation/follow-ups", views.FollowUpViewSet, basename="follow-up")
urlpatterns = [
    path("mediation/stats/", views.MediationStatsView.as_view(), name="mediation-stats"),
    path(
        "incidents/<uuid:public_id>/dispute-case/",
        views.OpenFromIncidentView.as_view(),
        name="incident-dispute-case",
    ),
    *router.urls,
]
