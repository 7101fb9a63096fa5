"""The analysis API, at ``/api/v1/analysis/``."""

from django.urls import include, path

from .views import EmergingView, HotspotsView, NearRepeatView

urlpatterns = [
    path("analysis/hotspots", HotspotsView.as_view(), name="analysis-hotspots"),
    path("analysis/emerging", EmergingView.as_view(), name="analysis-emerging"),
    path("analysis/near-repeat", NearRepeatView.as_view(), name="analysis-near-repeat"),
    path("", include("analysis.api.forecast_urls")),
]
