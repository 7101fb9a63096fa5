"""Request bodies, bounded: every JSON body of the API is read here, no larger than a limit
(a JSON 413 naming it), parsed by orjson and no deeper than ``JSON_MAX_DEPTH`` (a JSON 400).

Python's own ``json`` recurses once per nesting level, so ``[`` × 100,000 exhausted the
interpreter's stack (a 500); orjson stops at 1,024 levels, and the platform's bound stops well
before anything that walks the data (serializers, ``json.dumps`` of a JSON field) could."""

import orjson
from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework import status
from rest_framework.exceptions import APIException, ParseError
from rest_framework.parsers import BaseParser

# No request of the platform nests deeper (a GeoJSON multipolygon in a feature is 7 levels).
JSON_MAX_DEPTH = 64


class BodyTooLarge(APIException):
    """A body over the limit of its route: 413, naming the limit."""

    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "body_too_large"

    def __init__(self, limit: int):
        super().__init__(
            _("The request body is larger than the limit of %(limit)s bytes (%(size)s).")
            % {"limit": f"{limit:,}", "size": _megabytes(limit)}
        )
        self.limit = limit


class TooManyRows(APIException):
    """A bulk request of more rows than the route takes: 413, naming the limit."""

    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "too_many_rows"

    def __init__(self, limit: int, hint: str = ""):
        message = _("The request has more rows than the limit of %(limit)s.") % {
            "limit": f"{limit:,}"
        }
        super().__init__(f"{message} {hint}".strip())
        self.limit = limit


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):g} MB"


def body_limit() -> int:
    """The most bytes of a request body, except on routes with a limit of their own."""
    return settings.DATA_UPLOAD_MAX_MEMORY_SIZE


def read_body(request, limit: int) -> bytes:
    """The raw body of a (DRF or Django) request, refused with a 413 when over ``limit`` bytes.

    Read from the request's stream, not ``request.body``: that one applies Django's global
    ``DATA_UPLOAD_MAX_MEMORY_SIZE``, and a route with a larger limit of its own reads here."""
    django_request = getattr(request, "_request", request)
    declared = django_request.META.get("CONTENT_LENGTH") or 0
    try:
        declared = int(declared)
    except ValueError:
        declared = 0
    if declared > limit:
        raise BodyTooLarge(limit)
    if hasattr(django_request, "_body"):
        body = django_request._body
    elif getattr(django_request, "_read_started", False):
        raise ParseError(_("The request body was already read as a form."))
    else:
        body = django_request.read(limit + 1)
    if len(body) > limit:
        raise BodyTooLarge(limit)
    return body


def parse_json(data: bytes | str):
    """The JSON value of ``data``; ParseError (a 400) when it is not JSON or nests too deep."""
    try:
        value = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise ParseError(_("JSON parse error - %(error)s") % {"error": exc}) from exc
    check_depth(value)
    return value


def check_depth(value, limit: int = JSON_MAX_DEPTH) -> None:
    """ParseError when ``value`` nests lists and objects deeper than ``limit`` levels. Walks
    without recursion, so no depth can exhaust the stack here."""
    level = [value]
    depth = 0
    while level:
        containers = [item for item in level if isinstance(item, list | dict)]
        if not containers:
            return
        depth += 1
        if depth > limit:
            raise ParseError(_("JSON nested deeper than %(limit)s levels.") % {"limit": limit})
        level = []
        for container in containers:
            level.extend(container.values() if isinstance(container, dict) else container)


class JSONParser(BaseParser):
    """The API's JSON parser (in place of DRF's, which recursed without bound)."""

    media_type = "application/json"

    def parse(self, stream, media_type=None, parser_context=None):
        request = (parser_context or {}).get("request")
        if request is not None:
            return parse_json(read_body(request, body_limit()))
        data = stream.read(body_limit() + 1) if stream is not None else b""
        if len(data) > body_limit():
            raise BodyTooLarge(body_limit())
        return parse_json(data)


class RawBody(bytes):
    """A body left unparsed. Sent as a form, it is what DRF gives the session's CSRF check as
    ``request.POST``, which asks it for ``csrfmiddlewaretoken``: it holds no fields, so the
    check takes the token from the X-CSRFToken header as for any JSON body."""

    def get(self, key, default=None):
        return default


class RawBodyParser(BaseParser):
    """The body unparsed (bytes), for a route that reads it itself (a JSON array or JSON lines
    of bulk ingest), within the limit its view gives by ``raw_body_limit()``."""

    media_type = "*/*"

    def parse(self, stream, media_type=None, parser_context=None):
        context = parser_context or {}
        view_limit = getattr(context.get("view"), "raw_body_limit", None)
        return RawBody(read_body(context["request"], view_limit() if view_limit else body_limit()))


class RawJSONBodyParser(RawBodyParser, JSONParser):
    """RawBodyParser for JSON bodies (so that the schema names application/json)."""

    media_type = "application/json"
