from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("otp/", views.OTPVerifyView.as_view(), name="otp-verify"),
    path("otp/setup/", views.OTPSetupView.as_view(), name="otp-setup"),
]
