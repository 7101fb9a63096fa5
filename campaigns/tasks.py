from celery import shared_task

from . import services


@shared_task(name="campaigns.evaluate_kpis", acks_late=True)
def evaluate_kpis() -> int:
    """Daily, and after the statistics change: every open campaign's KPI progress."""
    return services.kpis_evaluate()


@shared_task(name="campaigns.check_remediation_overdue", acks_late=True)
def check_remediation_overdue() -> int:
    return services.remediations_check_overdue()
