"""The alerts engine's periodic work: beat sends ``alerts.check_periodic`` every minute, which
asks the kind registry for the periodic kinds and checks each in a task of its own (so one
kind's failure or slowness holds up no other)."""

from celery import shared_task

from . import kinds, services


@shared_task(name="alerts.check_periodic", acks_late=True)
def check_periodic() -> list[str]:
    """Every minute: queue a check of each periodic kind's rules; returns the kinds queued."""
    codes = [kind.code for kind in kinds.periodic()]
    for code in codes:
        check_kind.delay(code)
    return codes


@shared_task(name="alerts.check_kind", acks_late=True)
def check_kind(kind: str) -> int:
    """One periodic kind's enabled rules, now; returns how many alerts were raised."""
    return services.alerts_check(kind=kind)
