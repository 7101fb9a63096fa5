"""Raising alerts (in the cause's transaction), delivering them after commit, handling them.

Which rules fire, and with what text, is each kind's handler's to say (alerts.kinds); this
module writes what they say, once per rule and key within the rule's cooldown."""

import logging
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.policy import require
from safecity.core import live

from .choices import AlertState
from .kinds import AlertDraft, Match, Trigger, kind_for
from .models import Alert, AlertRule
from .signals import alert_raised

logger = logging.getLogger(__name__)

FEED = "alerts"
ACKNOWLEDGE_NOTE_MAX = 500


def alert_raise(*, kind: str, **event) -> int:
    """The one way a domain raises alerts: report an event of ``kind`` (its handler's keyword
    arguments: ``subject=`` for most, ``rows=`` or ``device_event=`` for instant rules); every
    enabled rule of the kind the event fires raises its alert. Returns how many were raised.

    Runs in the caller's transaction, so an alert exists exactly when its cause does.
    """
    handler = kind_for(kind)
    rules = _enabled_rules(kind)
    if not rules:
        return 0
    return _raise_all(handler.alerts(rules, **event))


def alerts_check(*, kind: str, now: datetime | None = None) -> int:
    """Run the enabled rules of one periodic kind at ``now``; returns how many alerts."""
    handler = kind_for(kind)
    if handler.trigger != Trigger.PERIODIC:
        raise ValueError(f"{kind} rules are raised by events, not checked periodically")
    rules = _enabled_rules(kind)
    if not rules:
        return 0
    return _raise_all(handler.check(rules, now=now or timezone.now()))


def _enabled_rules(kind: str) -> list[AlertRule]:
    return list(AlertRule.objects.filter(kind=kind, enabled=True).select_related("area"))


def _raise_all(matches: Iterable[Match]) -> int:
    return sum(_alert_write(rule=rule, draft=draft) is not None for rule, draft in matches)


def _alert_write(*, rule: AlertRule, draft: AlertDraft) -> Alert | None:
    """Write an alert unless the rule raised one with this key within its cooldown; the push
    to dashboards is queued for after the commit."""
    since = timezone.now() - timedelta(minutes=rule.cooldown_minutes)
    if Alert.objects.filter(rule=rule, dedup_key=draft.dedup_key, created_at__gte=since).exists():
        return None
    alert = Alert.objects.create(
        rule=rule,
        kind=rule.kind,
        severity=rule.severity,
        area=draft.area,
        area_path=draft.area.path if draft.area else "",
        incident=draft.incident,
        device_event=draft.device_event,
        dedup_key=draft.dedup_key,
        title=draft.title[:200],
        title_en=draft.title_en[:200],
        body=draft.body,
        body_en=draft.body_en,
    )
    transaction.on_commit(lambda: alert_deliver(alert_id=alert.id, event="created"))
    transaction.on_commit(lambda: _alert_announce(alert_id=alert.id))
    return alert


def _alert_announce(*, alert_id: int) -> None:
    """Tell the house's listeners (alerts.signals) of a new alert; one failing stops none."""
    for receiver, result in alert_raised.send_robust(sender=Alert, alert_id=alert_id):
        if isinstance(result, Exception):
            logger.error("alert %s: %r failed: %r", alert_id, receiver, result)


def alert_deliver(*, alert_id: int, event: str) -> bool:
    """Push an alert (created or changed) to the sockets of its area and ancestors.

    A failure is logged, not raised: the alert is saved, and clients catch up on reconnect.
    """
    from .api.serializers import AlertSerializer

    alert = Alert.objects.select_related("area").filter(pk=alert_id).first()
    if alert is None:
        return False
    message = {"type": "alert.message", "event": event, "alert": AlertSerializer(alert).data}
    return live.publish(FEED, {alert.area_path: [alert.id]}, lambda _ids: message)


def alert_acknowledge(*, alert: Alert, user, note: str = "") -> Alert:
    """Acknowledge an open alert, with an optional note kept on it (what is being done)."""
    note = (note or "").strip()
    if len(note) > ACKNOWLEDGE_NOTE_MAX:
        too_long = _("备注最多 %(max)d 个字（现有 %(count)d 个）")
        params = {"max": ACKNOWLEDGE_NOTE_MAX, "count": len(note)}
        raise ValidationError({"note": ValidationError(too_long, params=params)})
    return _alert_move(alert=alert, user=user, to=AlertState.ACKNOWLEDGED, note=note)


def alert_resolve(*, alert: Alert, user) -> Alert:
    return _alert_move(alert=alert, user=user, to=AlertState.RESOLVED)


class AlertStateError(Exception):
    """A step the alert's state does not allow; the message is lazily translated (the pages
    show it in their language, the API in English)."""


@transaction.atomic
def _alert_move(*, alert: Alert, user, to: str, note: str = "") -> Alert:
    require(user, "alerts.change_alert", area_path=alert.area_path or None)
    alert = Alert.objects.select_for_update().get(pk=alert.pk)
    if alert.state == AlertState.RESOLVED:
        raise AlertStateError(_("该告警已解决"))
    if to == AlertState.ACKNOWLEDGED and alert.state == AlertState.ACKNOWLEDGED:
        raise AlertStateError(_("该告警已确认"))
    now = timezone.now()
    if to == AlertState.ACKNOWLEDGED or alert.acknowledged_at is None:
        alert.acknowledged_at, alert.acknowledged_by = now, user
    if to == AlertState.ACKNOWLEDGED:
        alert.acknowledged_note = note
    if to == AlertState.RESOLVED:
        alert.resolved_at, alert.resolved_by = now, user
    alert.state = to
    alert.save()
    transaction.on_commit(lambda: alert_deliver(alert_id=alert.id, event=to))
    return alert
