"""The API's JSON parser and body limits (safecity/core/api/parsers.py)."""

import pytest
from django.core.exceptions import RequestDataTooBig
from rest_framework.exceptions import ParseError

from safecity.core.api.exceptions import exception_handler
from safecity.core.api.parsers import JSON_MAX_DEPTH, parse_json


def nested(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


def test_json_as_deep_as_the_bound_is_read():
    value = parse_json(nested(JSON_MAX_DEPTH))
    assert isinstance(value, list)


@pytest.mark.parametrize("depth", [JSON_MAX_DEPTH + 1, 1000, 100_000])
def test_json_deeper_than_the_bound_is_a_parse_error(depth):
    with pytest.raises(ParseError):
        parse_json(nested(depth))


def test_deep_object_values_count_as_levels():
    body = b'{"a": ' * (JSON_MAX_DEPTH + 1) + b"1" + b"}" * (JSON_MAX_DEPTH + 1)
    with pytest.raises(ParseError, match="nested deeper"):
        parse_json(body)


@pytest.mark.parametrize("body", [b"", b"{", b"{'a': 1}", b"\xff", b"NaN", b"[1,]"])
def test_malformed_json_is_a_parse_error(body):
    with pytest.raises(ParseError):
        parse_json(body)


def test_djangos_too_big_body_is_a_json_413_naming_the_limit(settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = exception_handler(RequestDataTooBig("too big"), {})
    assert response.status_code == 413
    assert response.data["limit_bytes"] == 1000
    assert "1,000" in str(response.data["detail"])
