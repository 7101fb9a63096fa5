"""The analysis (研判) pages, at ``/analysis/``."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.AnalysisPage.as_view(), name="analysis-page"),
    # The forecast's page routes, if any, join here at merge.
]
