"""API token authentication: ``Authorization: Token <key>`` (or ``Bearer <key>``)."""

from datetime import timedelta
from functools import cache

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from areas.models import Area

from .models import PRINCIPAL_AREA_DEFERRED, ApiToken, User, hash_token_key

# Writing the last-used time on every request would make each read a write.
LAST_USED_RESOLUTION = timedelta(minutes=1)


@cache
def _principal_statement() -> tuple[str, list, list, list]:
    """The token, its user and the user's jurisdiction (without its boundary) in one statement,
    written out once: the ORM composing it anew took longer than the rest of a summary read.
    The conditions are ``ApiToken.objects.usable()``'s."""
    deferred = {field.removeprefix("home_area__") for field in PRINCIPAL_AREA_DEFERRED}
    parts = [
        (ApiToken, "t", list(ApiToken._meta.concrete_fields)),
        (User, "u", list(User._meta.concrete_fields)),
        (Area, "a", [f for f in Area._meta.concrete_fields if f.name not in deferred]),
    ]
    quote = connection.ops.quote_name
    columns = ", ".join(
        f"{alias}.{quote(field.column)}" for _, alias, fields in parts for field in fields
    )
    statement = (
        f"SELECT {columns} FROM {quote(ApiToken._meta.db_table)} t "
        f"JOIN {quote(User._meta.db_table)} u ON u.id = t.user_id "
        f"LEFT JOIN {quote(Area._meta.db_table)} a ON a.id = u.home_area_id "
        "WHERE t.key_hash = %s AND t.revoked_at IS NULL AND t.expires_at > %s AND u.is_active"
    )
    return statement, *(fields for _, _, fields in parts)


def _instance(model, fields: list, values: list):
    """A ``model`` instance from its columns' raw values, each converted as the ORM would."""
    values = [
        converter(value, None, connection) if converter else value
        for converter, value in zip(_converters(tuple(fields)), values, strict=True)
    ]
    return model.from_db(connection.alias, [field.attname for field in fields], values)


@cache
def _converters(fields: tuple) -> list:
    return [getattr(field, "from_db_value", None) for field in fields]


def token_for_key(key: str) -> ApiToken | None:
    """The usable token with this key (not expired, not revoked, active user), else None;
    its user and the user's home area come with it."""
    statement, token_fields, user_fields, area_fields = _principal_statement()
    with connection.cursor() as cursor:
        cursor.execute(statement, [hash_token_key(key), timezone.now()])
        row = cursor.fetchone()
    if row is None:
        return None
    ends = (len(token_fields), len(token_fields) + len(user_fields))
    token = _instance(ApiToken, token_fields, row[: ends[0]])
    user = _instance(User, user_fields, row[ends[0] : ends[1]])
    area_values = row[ends[1] :]
    area = _instance(Area, area_fields, area_values) if area_values[0] is not None else None
    User.home_area.field.set_cached_value(user, area)
    ApiToken.user.field.set_cached_value(token, user)
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
