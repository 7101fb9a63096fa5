"""The data-quality page, at ``/quality/``."""

from django.urls import path

from . import views

urlpatterns = [path("", views.QualityPage.as_view(), name="dash-quality")]
