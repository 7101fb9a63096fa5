from celery import shared_task

from . import services


@shared_task(name="alerts.check_spikes", acks_late=True)
def check_spikes() -> int:
    """Every minute: spike rules against their baselines."""
    return services.alerts_check_spikes()


@shared_task(name="alerts.check_response_breaches", acks_late=True)
def check_response_breaches() -> int:
    """Every minute: incidents past their dispatch or arrival standard."""
    return services.alerts_check_response_breaches()
