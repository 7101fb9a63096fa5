"""The inbox page, saved views' links and the emails' unsubscribe links."""

from django.urls import path

from . import views

urlpatterns = [
    path("inbox/", views.InboxPage.as_view(), name="dash-inbox"),
    path("views/<int:pk>/", views.view_open, name="view-open"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
