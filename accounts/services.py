"""Writes of the accounts app: API tokens."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from audit.services import audit_record
from safecity.core import live

from .models import TOKEN_PREFIX_LENGTH, ApiToken, hash_token_key
from .scopes import check_scopes

MAX_TOKEN_DAYS = 366


@transaction.atomic
def api_token_create(*, user, scopes, days: int, name: str = "") -> tuple[ApiToken, str]:
    """A new token and its key; the key is shown once and only its hash is stored."""
    scopes = check_scopes(scopes)
    if not scopes:
        raise ValueError("a token needs at least one scope")
    if not 1 <= days <= MAX_TOKEN_DAYS:
        raise ValueError(f"a token lives 1 to {MAX_TOKEN_DAYS} days")
    if not user.is_active:
        raise ValueError(f"user {user} is not active")
    key = ApiToken.generate_key()
    token = ApiToken.objects.create(
        user=user,
        name=name,
        prefix=key[:TOKEN_PREFIX_LENGTH],
        key_hash=hash_token_key(key),
        scopes=scopes,
        expires_at=timezone.now() + timedelta(days=days),
    )
    audit_record(
        action="token_create",
        obj=token,
        changes={"user": user.username, "scopes": scopes, "expires_at": token.expires_at},
    )
    return token, key


@transaction.atomic
def api_token_revoke(*, token: ApiToken) -> ApiToken:
    """Revoke a token at once, closing its sockets; a revoked token stays listed, for the
    record."""
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(action="token_revoke", obj=token, changes={"user": token.user.username})
        transaction.on_commit(lambda: live.end_sockets(token_id=token.pk))
    return token
