from celery import shared_task
from django.core.cache import cache


@shared_task(name="core.heartbeat")
def heartbeat(token: str) -> str:
    """Record that a worker ran: operators and tests see the queue → worker path work."""
    cache.set(f"heartbeat:{token}", "done", timeout=300)
    return token
