"""Who must pass the second factor, and the TOTP device of a user."""

from django.conf import settings
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from .choices import Role


def otp_required(user) -> bool:
    """Staff and administrators must pass a TOTP check (``OTP_REQUIRED_FOR_STAFF``)."""
    if not (settings.OTP_REQUIRED_FOR_STAFF and user.is_authenticated):
        return False
    return bool(user.is_staff or user.is_superuser or user.role == Role.ADMINISTRATOR)


def session_verified(session) -> bool:
    """Whether this session passed the second factor (for WebSockets, which have no
    OTPMiddleware)."""
    return bool(session and session.get(DEVICE_ID_SESSION_KEY))


def confirmed_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).first()


def enrolment_device(user) -> TOTPDevice:
    """The user's unconfirmed device, made on first use; it is confirmed by a first code."""
    device = TOTPDevice.objects.devices_for_user(user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="SafeCity", confirmed=False)
    return device
