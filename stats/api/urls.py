from django.urls import path

from .views import BreakdownView, SummaryView, TimeseriesView

urlpatterns = [
    path("stats/summary", SummaryView.as_view(), name="stats-summary"),
    path("stats/timeseries", TimeseriesView.as_view(), name="stats-timeseries"),
    path("stats/breakdown", BreakdownView.as_view(), name="stats-breakdown"),
]
