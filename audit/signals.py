"""Authentication events into the trail: logins, logouts and failed logins."""

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed

from .choices import AuditAction, AuditOutcome
from .services import audit_record


def logged_in(sender, request, user, **kwargs):
    audit_record(action=AuditAction.LOGIN, obj=user, user=user, request=request)


def logged_out(sender, request, user, **kwargs):
    if user is not None:
        audit_record(action=AuditAction.LOGOUT, obj=user, user=user, request=request)


def login_failed(sender, credentials, request=None, **kwargs):
    # Django has already masked the password in ``credentials``.
    username = str(credentials.get(get_user_model().USERNAME_FIELD) or "")
    audit_record(
        action=AuditAction.LOGIN_FAILED,
        outcome=AuditOutcome.FAILED,
        object_type=get_user_model()._meta.label_lower,
        object_repr=username,
        actor_username=username,
        request=request,
    )


def connect() -> None:
    user_logged_in.connect(logged_in, dispatch_uid="audit-login")
    user_logged_out.connect(logged_out, dispatch_uid="audit-logout")
    user_login_failed.connect(login_failed, dispatch_uid="audit-login-failed")
