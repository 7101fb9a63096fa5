"""The reports API, at ``/api/v1/reports/``."""

from django.urls import path

from . import views

urlpatterns = [
    path("reports/", views.ReportList.as_view(), name="report-list"),
    path("reports/jobs/<uuid:public_id>/", views.ReportJobDetail.as_view(), name="report-job"),
    path("reports/<int:pk>/", views.ReportDetail.as_view(), name="report-api-detail"),
    path("reports/<int:pk>/<str:fmt>", views.ReportFile.as_view(), name="report-file"),
]
