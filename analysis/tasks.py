"""The analysis engine's Celery tasks (found by Celery's autodiscovery here)."""

from celery import shared_task
from django.conf import settings

from safecity.core.locks import single_flight

from . import services
from .forecast.tasks import refresh_forecasts

__all__ = ["refresh_forecasts", "refresh_near_repeat"]


@shared_task(name="analysis.refresh_near_repeat", acks_late=True)
def refresh_near_repeat(codes: list[str] | None = None) -> list[str]:
    """Nightly, and when an alert finds none kept: the near-repeat zone of each near-repeat
    category (``ANALYSIS_NEAR_REPEAT_CATEGORIES``); one run at a time. Returns the categories
    refreshed."""
    with single_flight("analysis:refresh-near-repeat") as holder:
        if not holder:
            return []
        done = []
        for code in codes or settings.ANALYSIS_NEAR_REPEAT_CATEGORIES:
            if services.near_repeat_refresh(code=code) is not None:
                done.append(code)
        return done
