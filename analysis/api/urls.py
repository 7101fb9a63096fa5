"""The analysis API, at ``/api/v1/analysis/``."""

from django.urls import include, path

urlpatterns: list = [path("", include("analysis.api.forecast_urls"))]
