from django.urls import path

from . import views

urlpatterns = [
    path("", views.AuditEventsPage.as_view(), name="audit-events"),
]
