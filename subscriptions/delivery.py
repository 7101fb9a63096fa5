"""Delivering what was subscribed to: a published report, a raised alert.

Each subscriber gets one inbox item per report or alert (a repeated delivery adds nothing) and,
if their subscription asks for it and they have an address, an email through Django's email
backend — the report's files attached. Whether a subscriber may still have it is decided now,
at delivery, not when they subscribed: an inactive user, a role that may not read the
resource, or a jurisdiction that no longer covers the area (moved to another district) gets
nothing."""

import logging
import smtplib
from urllib.parse import urlencode

from django.core.mail import get_connection
from django.db import transaction
from django.db.models import Q
from django.urls import reverse

from accounts.backends import may_read
from alerts.models import Alert
from areas.scoping import scope_for

from .choices import EmailState, Topic
from .emails import delivery_message
from .models import InboxItem, Subscription

logger = logging.getLogger(__name__)


def entitled(user, resource: str, area_path: str) -> bool:
    """Whether ``user`` may be sent something of ``resource`` at ``area_path`` now."""
    return user.is_active and may_read(user, resource) and scope_for(user).covers(area_path)


def report_deliver(*, report) -> list[InboxItem]:
    """Deliver a published report (the contract of ``reports.signals.report_published``) to
    the subscribers of its kind and area; returns the new inbox items."""
    area = report.area
    key = f"report:{report.kind}:{area.pk}:{report.period_start}:{report.period_end}"
    subscriptions = (
        Subscription.objects.filter(topic=Topic.REPORT, report_kind=report.kind, area=area)
        .select_related("user__home_area")
        .order_by("id")
    )
    body = f"{area.name} · {report.period_start:%Y-%m-%d} — {report.period_end:%Y-%m-%d}"
    created = []
    with transaction.atomic():
        for subscription in subscriptions:
            # A briefing is read as the statistics it is made of (the reports pages and API).
            if not entitled(subscription.user, "stats", area.path):
                continue
            item, new = InboxItem.objects.get_or_create(
                user=subscription.user,
                key=key,
                defaults={
                    "subscription": subscription,
                    "topic": Topic.REPORT,
                    "title": report.title[:300],
                    "body": body,
                    "link": report.get_absolute_url(),
                    "area": area,
                },
            )
            if new:
                created.append((item, subscription))
    emailed = [(item, sub) for item, sub in created if sub.email and sub.user.email]
    attachments = report.attachments() if emailed else []
    _send(
        [
            (item, delivery_message(item=item, subscription=sub, attachments=attachments))
            for item, sub in emailed
        ]
    )
    return [item for item, _sub in created]


def _alert_subscriptions(alert: Alert):
    """The alert subscriptions ``alert`` is for: of its rule, of its kind, or of all alerts."""
    which = Q(alert_kind=alert.kind) | Q(alert_rule=None, alert_kind="")
    if alert.rule_id is not None:
        which |= Q(alert_rule_id=alert.rule_id)
    return (
        Subscription.objects.filter(which, topic=Topic.ALERT)
        .select_related("user__home_area", "area")
        .order_by("-email", "id")
    )


def alert_deliver_to_subscribers(*, alert_id: int) -> list[InboxItem]:
    """Deliver a raised alert to its subscribers: one inbox item (and email) per user, however
    many of their subscriptions it matches; returns the new inbox items."""
    alert = Alert.objects.select_related("area").filter(pk=alert_id).first()
    if alert is None:
        return []
    chosen: dict[int, Subscription] = {}
    for subscription in _alert_subscriptions(alert):
        if subscription.user_id in chosen:
            continue
        if subscription.area is not None and not alert.area_path.startswith(subscription.area.path):
            continue
        if entitled(subscription.user, "alerts", alert.area_path):
            chosen[subscription.user_id] = subscription
    query = f"?{urlencode({'area': alert.area_id})}" if alert.area_id else ""
    link = reverse("dash-alerts") + query
    created = []
    with transaction.atomic():
        for subscription in chosen.values():
            item, new = InboxItem.objects.get_or_create(
                user=subscription.user,
                key=f"alert:{alert.pk}",
                defaults={
                    "subscription": subscription,
                    "topic": Topic.ALERT,
                    "title": alert.title,
                    "title_en": alert.title_en,
                    "body": alert.body,
                    "body_en": alert.body_en,
                    "link": link,
                    "area": alert.area,
                },
            )
            if new:
                created.append((item, subscription))
    _send(
        [
            (item, delivery_message(item=item, subscription=sub))
            for item, sub in created
            if sub.email and sub.user.email
        ]
    )
    return [item for item, _sub in created]


def _send(messages: list) -> None:
    """Send ``(item, message)`` pairs over one connection, recording on each item whether its
    email went. A failure is logged and kept on the item; the inbox has it either way."""
    if not messages:
        return
    connection = get_connection()
    try:
        connection.open()
    except (OSError, smtplib.SMTPException) as error:
        logger.error("email: cannot reach the mail server: %s", error)
        for item, _message in messages:
            _record(item, EmailState.FAILED, str(error))
        return
    try:
        for item, message in messages:
            message.connection = connection
            try:
                message.send()
            except (OSError, smtplib.SMTPException) as error:
                logger.error("email to user %s failed: %s", item.user_id, error)
                _record(item, EmailState.FAILED, str(error))
            else:
                _record(item, EmailState.SENT, "")
    finally:
        connection.close()


def _record(item: InboxItem, state: str, error: str) -> None:
    item.email_state, item.email_error = state, error[:1000]
    item.save(update_fields=["email_state", "email_error"])
