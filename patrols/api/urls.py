from django.urls import path
from rest_framework.routers import DefaultRouter

from . import views

router = DefaultRouter()
router.register("patrols/units", views.PatrolUnitViewSet, basename="patrol-unit")
router.register("patrols/standards", views.ResponseStandardViewSet, basename="response-standard")
urlpatterns = [
    path("patrols/compliance/", views.ComplianceView.as_view(), name="patrol-compliance"),
    path("patrols/coverage/", views.CoverageView.as_view(), name="patrol-coverage"),
    path("patrols/positions/", views.PositionsView.as_view(), name="patrol-positions"),
    path(
        "incidents/<uuid:public_id>/suggested-units/",
        views.SuggestedUnitsView.as_view(),
        name="incident-suggested-units",
    ),
    *router.urls,
]
