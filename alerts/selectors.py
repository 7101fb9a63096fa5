"""Alert reads, scoped to the user: the same rule for REST, sockets and catch-up."""

from areas.scoping import scope_for

from .models import Alert, AlertRule

BACKLOG_LIMIT = 100


def alerts_for_user(user):
    return Alert.objects.for_user(user).select_related("area", "incident", "acknowledged_by")


def alerts_missed(*, user, after_id: int | None, limit: int = BACKLOG_LIMIT) -> list[Alert]:
    """Alerts in scope newer than ``after_id`` (or the latest, on first connect), newest first."""
    alerts = alerts_for_user(user).order_by("-id")
    if after_id is not None:
        alerts = alerts.filter(id__gt=after_id)
    return list(alerts[:limit])


def rules_for_user(user):
    """The rules watching the user's jurisdiction: the city's (no area), those of an area above
    it and those inside it — not another district's."""
    rules = AlertRule.objects.select_related("area").order_by("kind", "name")
    scope = scope_for(user)
    if scope.everything:
        return rules
    if scope.is_empty:
        return rules.none()
    return scope.covering(rules, "area__path") | rules.filter(area__isnull=True)
