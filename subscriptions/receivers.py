"""What the subscriptions app does when the house announces something: deliver it.

A published report is delivered at once, in the process that published it (the report object
carries its files, and the reports app publishes from its own Celery queue); a raised alert
is queued for a worker by its id, so the request that raised it never waits on mail."""

from django.conf import settings

from . import tasks
from .delivery import report_deliver


def report_published(sender, *, report, **kwargs) -> None:
    report_deliver(report=report)


def alert_raised(sender, *, alert_id: int, **kwargs) -> None:
    tasks.deliver_alert.apply_async(args=[alert_id], queue=settings.SUBSCRIPTIONS_QUEUE)
