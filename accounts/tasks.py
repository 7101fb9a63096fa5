from celery import shared_task

from . import lockout


@shared_task(name="accounts.prune_login_attempts", acks_late=True)
def prune_login_attempts() -> int:
    """Hourly: failed-login counts past the lockout window go."""
    return lockout.prune_expired()
