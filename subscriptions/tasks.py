"""The subscriptions' background work: delivering a raised alert to its subscribers."""

from celery import shared_task

from .delivery import alert_deliver_to_subscribers


@shared_task(name="subscriptions.deliver_alert", acks_late=True)
def deliver_alert(alert_id: int) -> int:
    """Deliver one alert (by id) to its subscribers; returns how many inbox items it made."""
    return len(alert_deliver_to_subscribers(alert_id=alert_id))
