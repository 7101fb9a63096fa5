"""API token authentication: ``Authorization: Token <key>`` (or ``Bearer <key>``)."""

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from .models import PRINCIPAL_AREA_DEFERRED, ApiToken, hash_token_key

# Writing the last-used time on every request would make each read a write.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def token_for_key(key: str) -> ApiToken | None:
    """The usable token with this key (not expired, not revoked, active user), else None."""
    # One query brings the token, its user and the user's jurisdiction (the scope check's).
    token = (
        ApiToken.objects.usable()
        .select_related("user__home_area")
        .defer(*(f"user__{field}" for field in PRINCIPAL_AREA_DEFERRED))
        .filter(key_hash=hash_token_key(key))
        .order_by()
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


class ApiTokenAuthentication(authentication.BaseAuthentication):
    keywords = ("token", "bearer")

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].decode("latin-1").lower() not in self.keywords:
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("令牌格式错误：Authorization: Token <key>"))
        try:
            key = header[1].decode()
        except UnicodeError:
            raise exceptions.AuthenticationFailed(_("令牌格式错误。")) from None
        token = token_for_key(key)
        if token is None:
            raise exceptions.AuthenticationFailed(_("令牌无效、已过期或已吊销。"))
        return token.user, token

    def authenticate_header(self, request):
        return "Token"
