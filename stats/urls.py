"""The statistics pages: the overview at the site's root, and CompStat."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.OverviewPage.as_view(), name="dash-overview"),
    path("compstat/", views.CompstatPage.as_view(), name="dash-compstat"),
]
