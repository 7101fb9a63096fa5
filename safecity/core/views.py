import sys

from django.http import JsonResponse
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from rest_framework.exceptions import NotFound

from .health import check_health
from .unavailable import database_unavailable, log_unavailable, unavailable_response


@never_cache
@require_GET
def healthz(request):
    """200 when every part the platform needs answers, 503 naming the parts that do not."""
    report = check_health()
    return JsonResponse(report, status=200 if report["status"] == "ok" else 503)


def not_found(request, exception):
    """A 404 under /api/ in the API's JSON shape (an address no route matches), else the page."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": str(NotFound.default_detail)}, status=404)
    return defaults.page_not_found(request, exception)


def server_error(request):
    """A 503 when the database could not be reached (the client may retry), else Django's 500.

    Django calls this while handling the exception, so ``sys.exc_info()`` names it; this is
    the one place that sees what middleware (loading the session or the user) raised.
    """
    exc = sys.exc_info()[1]
    if database_unavailable(exc):
        log_unavailable(request, exc)
        return unavailable_response(request)
    return defaults.server_error(request)
