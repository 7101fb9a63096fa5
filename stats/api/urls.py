from django.urls import path

from .views import (
    BreakdownView,
    CompstatView,
    MoversView,
    SnapshotDetail,
    SnapshotList,
    SummaryView,
    TimeseriesView,
)

urlpatterns = [
    path("stats/summary", SummaryView.as_view(), name="stats-summary"),
    path("stats/timeseries", TimeseriesView.as_view(), name="stats-timeseries"),
    path("stats/breakdown", BreakdownView.as_view(), name="stats-breakdown"),
    path("stats/movers", MoversView.as_view(), name="stats-movers"),
    path("stats/compstat", CompstatView.as_view(), name="stats-compstat"),
    path("stats/snapshots/", SnapshotList.as_view(), name="stats-snapshots"),
    path("stats/snapshots/<int:pk>/", SnapshotDetail.as_view(), name="stats-snapshot"),
]
