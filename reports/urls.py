"""The reports pages, at ``/reports/``."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.ReportListPage.as_view(), name="reports-list"),
    path("<int:pk>/", views.ReportPage.as_view(), name="reports-detail"),
    path("<int:pk>/print", views.ReportDocument.as_view(), name="reports-print"),
    path("<int:pk>/file.<str:fmt>", views.ReportFilePage.as_view(), name="reports-file"),
]
