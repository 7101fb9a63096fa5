"""The answer while the database cannot be reached: 503 with ``Retry-After``, JSON under
``/api/`` and a short page elsewhere, instead of a 500 and its traceback.

Three hooks lead here, because Django turns an exception into a response wherever it is raised:
DRF's exception handler (API views), :class:`DatabaseUnavailableMiddleware` (other views) and
:func:`safecity.core.views.server_error` (middleware, such as the session and user loading).
Persistent connections recover by themselves: ``CONN_HEALTH_CHECKS`` replaces a dead one at the
next request.
"""

import logging

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.utils.html import format_html
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)

# Refused or dropped connections, a server shutting down, a lock or statement timeout: each
# passes, so the client is told to retry rather than that the request was wrong.
DATABASE_ERRORS = (OperationalError, InterfaceError)
UNAVAILABLE_DETAIL = _("数据库暂时无法访问，请稍后重试。")
UNAVAILABLE_TITLE = _("服务暂不可用")
UNAVAILABLE_PAGE = (
    '<!doctype html><html lang="{}"><meta charset="utf-8"><title>{}</title>'
    "<h1>{}</h1><p>{}</p></html>"
)


def database_unavailable(exc: BaseException | None) -> bool:
    return isinstance(exc, DATABASE_ERRORS)


def log_unavailable(request, exc: BaseException) -> None:
    logger.warning(
        "database unavailable, answered 503: %s %s: %s", request.method, request.path, exc
    )


def unavailable_response(request) -> HttpResponse:
    """503 for ``request``: ``{"detail": ...}`` under /api/, else a page needing no database."""
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": str(UNAVAILABLE_DETAIL)}, status=503)
    else:
        page = format_html(
            UNAVAILABLE_PAGE,
            get_language() or "",
            UNAVAILABLE_TITLE,
            UNAVAILABLE_TITLE,
            UNAVAILABLE_DETAIL,
        )
        response = HttpResponse(page, status=503, content_type="text/html; charset=utf-8")
    response["Retry-After"] = str(settings.DATABASE_RETRY_AFTER_SECONDS)
    return response


class DatabaseUnavailableMiddleware:
    """Answers 503 for a view (other than the API's, which DRF answers) that lost the database."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not database_unavailable(exception):
            return None
        log_unavailable(request, exception)
        return unavailable_response(request)
