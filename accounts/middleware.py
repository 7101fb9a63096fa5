"""Session rules: the idle timeout (its clock started at login by accounts.receivers), and the
second factor for staff and administrators."""

import time
from urllib.parse import quote

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.models import AnonymousUser
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse

from .otp import confirmed_device, otp_required

LAST_SEEN_KEY = "_last_seen"
# Refreshing the time on every request would write the session on every request.
LAST_SEEN_RESOLUTION = 60
# Paths an unverified user may reach: the login steps themselves, and what they load.
OTP_EXEMPT_PREFIXES = ("/accounts/", "/static/", "/i18n/", "/healthz")


def idle_expired(session, now: float | None = None) -> bool:
    last_seen = session.get(LAST_SEEN_KEY)
    now = time.time() if now is None else now
    return last_seen is not None and now - last_seen > settings.SESSION_IDLE_TIMEOUT


class SessionSecurityMiddleware:
    """Logs out a session idle for ``SESSION_IDLE_TIMEOUT`` seconds, and keeps a user who
    must pass the second factor on the TOTP pages until they have."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            response = self._idle(request) or self._second_factor(request)
            if response is not None:
                return response
        return self.get_response(request)

    def _idle(self, request):
        now = time.time()
        if idle_expired(request.session, now):
            from audit.services import audit_record

            audit_record(action="logout", detail="idle timeout", user=request.user)
            logout(request)
            if _is_api(request):
                return None  # the API now sees an anonymous caller and answers 401/403
            return redirect(f"{reverse('login')}?next={quote(request.get_full_path())}&idle=1")
        # A short timeout needs a finer clock, or an active session would expire.
        resolution = min(LAST_SEEN_RESOLUTION, settings.SESSION_IDLE_TIMEOUT / 10)
        if now - request.session.get(LAST_SEEN_KEY, 0) > resolution:
            request.session[LAST_SEEN_KEY] = now
        return None

    def _second_factor(self, request):
        user = request.user
        if not otp_required(user) or user.is_verified():
            return None
        if request.path.startswith(OTP_EXEMPT_PREFIXES):
            return None
        if _is_api(request):
            if request.headers.get("Authorization"):
                # A token call from a browser with a half-finished login: the token decides.
                request.user = AnonymousUser()
                return None
            return JsonResponse({"detail": "two-factor verification required"}, status=403)
        step = "otp-verify" if confirmed_device(user) else "otp-setup"
        return redirect(f"{reverse(step)}?next={quote(request.get_full_path())}")


def _is_api(request) -> bool:
    return request.path.startswith("/api/")
