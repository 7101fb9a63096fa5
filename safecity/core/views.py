import sys
from functools import cache
from pathlib import Path

from django.contrib.staticfiles import finders
from django.http import HttpResponse, JsonResponse
from django.utils.translation import gettext_lazy as _
from django.views import defaults
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_GET
from rest_framework.exceptions import APIException, NotFound, ParseError, PermissionDenied

from .health import check_health
from .pages.errors import error_page
from .unavailable import database_unavailable, log_unavailable, unavailable_response

FAVICON_MAX_AGE = 7 * 24 * 3600


@require_GET
@cache_control(max_age=FAVICON_MAX_AGE, public=True)
def favicon(request):
    """The platform's icon (static/favicon.svg) at /favicon.ico, where browsers and feed
    readers look for it without reading the page."""
    return HttpResponse(_favicon_bytes(), content_type="image/svg+xml")


@cache
def _favicon_bytes() -> bytes:
    return Path(finders.find("favicon.svg")).read_bytes()


@never_cache
@require_GET
def healthz(request):
    """200 when every part the platform needs answers, 503 naming the parts that do not."""
    report = check_health()
    return JsonResponse(report, status=200 if report["status"] == "ok" else 503)


def _api_error(request, status: int, detail) -> JsonResponse | None:
    """Under /api/, an error in the API's JSON shape; None for a page."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": str(detail)}, status=status)
    return None


def bad_request(request, exception):
    """400: a request Django refused (a malformed host or header, a bad upload)."""
    return _api_error(request, 400, ParseError.default_detail) or error_page(request, 400)


def permission_denied(request, exception):
    """403 in the shell: the role or jurisdiction does not reach the page."""
    return _api_error(request, 403, PermissionDenied.default_detail) or error_page(request, 403)


def csrf_failure(request, reason=""):
    """403 for a form posted without its CSRF token (an expired page): the shell says so."""
    detail = _("表单已过期，请刷新页面后重新提交。")
    return _api_error(request, 403, detail) or error_page(request, 403, reason=detail)


def not_found(request, exception):
    """A 404 under /api/ in the API's JSON shape (an address no route matches), else the page."""
    return _api_error(request, 404, NotFound.default_detail) or error_page(request, 404)


def server_error(request):
    """A 503 when the database could not be reached (the client may retry), else the 500 page.

    Django calls this while handling the exception, so ``sys.exc_info()`` names it; this is
    the one place that sees what middleware (loading the session or the user) raised.
    """
    exc = sys.exc_info()[1]
    if database_unavailable(exc):
        log_unavailable(request, exc)
        return unavailable_response(request)
    api = _api_error(request, 500, APIException.default_detail)
    if api is not None:
        return api
    try:
        return error_page(request, 500)
    except Exception:
        # The shell itself failed (a broken template): Django's plain page says it all.
        return defaults.server_error(request)
