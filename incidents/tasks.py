from celery import shared_task

from safecity.core.locks import single_flight

from .replacing import incidents_reassign_areas

REASSIGN_LOCK = "incidents:reassign-areas"


@shared_task(name="incidents.reassign_areas", acks_late=True)
def reassign_areas() -> int:
    """Re-place every located incident after area boundaries changed; one run at a time (a
    killed run's lock goes with its database connection)."""
    with single_flight(REASSIGN_LOCK) as holder:
        if not holder:
            # A run is under way; it reads the areas fresh, so this change is covered or queued
            # next.
            reassign_areas.apply_async(countdown=30)
            return 0
        return incidents_reassign_areas()
