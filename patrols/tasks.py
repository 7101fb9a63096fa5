from celery import shared_task

from . import services


@shared_task(name="patrols.prune_positions", acks_late=True)
def prune_positions() -> int:
    """Nightly: pings older than PATROL_POSITION_RETENTION_DAYS go."""
    return services.positions_prune()
