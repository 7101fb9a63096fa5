"""Where a request comes from: the address the audit trail believes."""

from types import SimpleNamespace

from audit.context import client_ip, token_identifier


def test_the_address_is_remote_addr_when_forwarding_is_not_trusted(settings):
    settings.AUDIT_TRUST_X_FORWARDED_FOR = False
    meta = {"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": "203.0.113.7, 10.0.0.1"}

    assert client_ip(meta) == "10.0.0.1"


def test_the_address_the_trusted_proxy_appended_is_used_not_one_the_client_wrote(settings):
    settings.AUDIT_TRUST_X_FORWARDED_FOR = True
    settings.TRUSTED_PROXY_COUNT = 1
    # The client sent "X-Forwarded-For: 198.51.100.9"; the proxy appended what it saw.
    meta = {"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": " 198.51.100.9 , 203.0.113.7"}

    assert client_ip(meta) == "203.0.113.7"


def test_behind_two_proxies_the_address_the_outer_one_appended_is_used(settings):
    settings.AUDIT_TRUST_X_FORWARDED_FOR = True
    settings.TRUSTED_PROXY_COUNT = 2
    meta = {
        "REMOTE_ADDR": "10.0.0.2",
        "HTTP_X_FORWARDED_FOR": "198.51.100.9, 203.0.113.7, 10.0.0.1",
    }

    assert client_ip(meta) == "203.0.113.7"


def test_an_address_that_is_not_one_is_recorded_as_none(settings):
    settings.AUDIT_TRUST_X_FORWARDED_FOR = True

    assert client_ip({"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": "unknown"}) is None


def test_a_token_is_named_by_its_id_never_by_a_secret_key():
    from accounts.models import ApiToken

    assert token_identifier(ApiToken(pk=42, key_hash="secret-digest")) == "42"
    assert token_identifier(None) is None
    assert token_identifier(SimpleNamespace(pk=1)) is None


def test_a_socket_action_names_the_sockets_user_token_address_and_path(settings):
    from accounts.models import ApiToken, User
    from audit.context import context_for_socket

    settings.AUDIT_TRUST_X_FORWARDED_FOR = True
    user, token = User(pk=7, username="c"), ApiToken(pk=42)
    scope = {
        "user": user,
        "api_token": token,
        "client": ["10.0.0.1", 51234],
        "path": "/ws/alerts/",
        "headers": [(b"x-forwarded-for", b"198.51.100.9, 203.0.113.7"), (b"user-agent", b"dev/1")],
    }

    context = context_for_socket(scope)

    assert (context.user, context.token_id, context.ip) == (user, "42", "203.0.113.7")
    assert (context.method, context.path, context.user_agent) == (
        "WEBSOCKET",
        "/ws/alerts/",
        "dev/1",
    )
