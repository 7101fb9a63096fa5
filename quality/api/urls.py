from django.urls import path

from .views import (
    QualityCountsView,
    QualityDismissView,
    QualityItemsView,
    QualityPlaceView,
    QualityTimesView,
)

urlpatterns = [
    path("quality/", QualityCountsView.as_view(), name="quality-counts"),
    path("quality/<slug:kind>/", QualityItemsView.as_view(), name="quality-items"),
    path(
        "quality/<slug:kind>/<str:public_id>/dismiss/",
        QualityDismissView.as_view(),
        name="quality-dismiss",
    ),
    path(
        "quality/<slug:kind>/<str:public_id>/place/",
        QualityPlaceView.as_view(),
        name="quality-place",
    ),
    path(
        "quality/<slug:kind>/<str:public_id>/times/",
        QualityTimesView.as_view(),
        name="quality-times",
    ),
]
