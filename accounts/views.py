import segno
from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.generic import FormView
from django_otp import login as otp_login
from django_otp import match_token

from . import lockout
from .forms import LoginForm, OTPTokenForm
from .otp import confirmed_device, enrolment_device, otp_required


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    redirect_authenticated_user = False


class _SecondFactorView(LoginRequiredMixin, FormView):
    form_class = OTPTokenForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and (
            not otp_required(request.user) or request.user.is_verified()
        ):
            return redirect(self._next_url())
        return super().dispatch(request, *args, **kwargs)

    def _next_url(self) -> str:
        wanted = self.request.POST.get("next") or self.request.GET.get("next") or ""
        if url_has_allowed_host_and_scheme(
            wanted, {self.request.get_host()}, require_https=self.request.is_secure()
        ):
            return wanted
        return reverse(settings.LOGIN_REDIRECT_URL)

    def get_context_data(self, **kwargs):
        return super().get_context_data(next=self._next_url(), **kwargs)

    def _check(self, form, matches):
        """Take a lockout slot (accounts.lockout) before the code is checked, so guesses
        in parallel get no more answers than the limit; then check it with ``matches``."""
        username = self.request.user.get_username()
        if lockout.reserve(self.request, username) is not None:
            return self._locked_out()
        device = matches(form.cleaned_data["token"])
        return self._passed(device) if device else self._failed(form)

    def _passed(self, device):
        otp_login(self.request, device)
        lockout.clear_for(self.request, self.request.user.get_username())
        return redirect(self._next_url())

    def _failed(self, form):
        from audit.services import audit_record

        username = self.request.user.get_username()
        audit_record(action="otp_failed", outcome="failed", detail="wrong TOTP code")
        if lockout.locking_rule(self.request, username) is not None:
            audit_record(action="locked_out", outcome="denied", detail="wrong TOTP codes")
            return self._locked_out()
        form.add_error("token", OTPTokenForm.base_fields["token"].error_messages["invalid"])
        return self.form_invalid(form)

    def _locked_out(self):
        logout(self.request)
        return redirect(f"{reverse('login')}?locked=1")


class OTPVerifyView(_SecondFactorView):
    """The second step of a login for staff and administrators: a TOTP code."""

    template_name = "registration/otp_verify.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and confirmed_device(request.user) is None:
            return redirect(f"{reverse('otp-setup')}?next={self._next_url()}")
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form):
        return self._check(form, lambda token: match_token(self.request.user, token))


class OTPSetupView(_SecondFactorView):
    """Enrolment: scan the QR code into an authenticator app and confirm with a first code."""

    template_name = "registration/otp_setup.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and confirmed_device(request.user) is not None:
            return redirect(f"{reverse('otp-verify')}?next={self._next_url()}")
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        device = enrolment_device(self.request.user)
        uri = device.config_url
        return super().get_context_data(
            qr_data_uri=segno.make(uri, error="m").svg_data_uri(scale=4),
            secret=_base32(device.bin_key),
            **kwargs,
        )

    def form_valid(self, form):
        return self._check(form, self._confirm)

    def _confirm(self, token: str):
        device = enrolment_device(self.request.user)
        if not device.verify_token(token):
            return None
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        return device


def _base32(key: bytes) -> str:
    from base64 import b32encode

    text = b32encode(key).decode().rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))
