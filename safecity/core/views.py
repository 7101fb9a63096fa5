from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .health import check_health


@never_cache
@require_GET
def healthz(request):
    """200 when every part the platform needs answers, 503 naming the parts that do not."""
    report = check_health()
    return JsonResponse(report, status=200 if report["status"] == "ok" else 503)
