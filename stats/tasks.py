from celery import shared_task

from safecity.core.locks import single_flight

from . import services
from .compstat import compstat_publish
from .signals import rollups_updated

RECOMPUTE_LOCK = "stats.recompute_dirty"


@shared_task(name="stats.recompute_dirty", acks_late=True, reject_on_worker_lost=True)
def recompute_dirty() -> int:
    """Bring dirty days up to date; beat runs it every minute, changes may ask for it sooner.

    Single-flight: while one run works, others return at once; the run under way, or the next
    beat, picks up what they would have done. Correctness does not depend on the lock (see
    services); it only keeps runs from queueing up behind each other. The lock is the
    database session's, so a worker killed mid-run does not hold it past its connection.
    """
    with single_flight(RECOMPUTE_LOCK) as holder:
        if not holder:
            return 0
        days = services.rollups_recompute_dirty()
    if days:
        rollups_updated.send(sender=recompute_dirty, days=days)
    return days


@shared_task(name="stats.reconcile", acks_late=True, reject_on_worker_lost=True)
def reconcile(days: int = 60) -> int:
    """Nightly: recompute the last ``days`` days outright, whatever the marks say."""
    return services.rollups_reconcile(days=days)


@shared_task(name="stats.publish_compstat", acks_late=True, reject_on_worker_lost=True)
def publish_compstat() -> int:
    """Monday morning: freeze last week's CompStat tables (after a recompute of dirty days)."""
    services.rollups_recompute_dirty()
    return compstat_publish()
