from celery import shared_task
from django.core.cache import cache

from . import services

REASSIGN_LOCK = "incidents:reassign-areas:lock"


@shared_task(name="incidents.reassign_areas", acks_late=True)
def reassign_areas() -> int:
    """Re-place every located incident after area boundaries changed; one run at a time."""
    if not cache.add(REASSIGN_LOCK, "1", timeout=3600):
        # A run is under way; it reads the areas fresh, so this change is covered or queued next.
        reassign_areas.apply_async(countdown=30)
        return 0
    try:
        return services.incidents_reassign_areas()
    finally:
        cache.delete(REASSIGN_LOCK)
