"""Alert reads, scoped to the user: the same rule for REST, sockets and catch-up."""

from .models import Alert

BACKLOG_LIMIT = 100


def alerts_for_user(user):
    return Alert.objects.for_user(user).select_related("area", "incident", "acknowledged_by")


def alerts_missed(*, user, after_id: int | None, limit: int = BACKLOG_LIMIT) -> list[Alert]:
    """Alerts in scope newer than ``after_id`` (or the latest, on first connect), newest first."""
    alerts = alerts_for_user(user).order_by("-id")
    if after_id is not None:
        alerts = alerts.filter(id__gt=after_id)
    return list(alerts[:limit])
