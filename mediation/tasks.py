from celery import shared_task

from . import services


@shared_task(name="mediation.check_overdue_followups", acks_late=True)
def check_overdue_followups() -> int:
    """Every quarter hour: follow-ups past due raise their alert (once each)."""
    return services.followups_check_overdue()
