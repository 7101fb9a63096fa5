"""A raised alert reaches its subscribers, whatever raised it: every alert passes the alerts
engine's ``alert_raised`` announcement, which queues the delivery for a Celery worker."""

import time
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from alerts.choices import RuleKind, Severity
from alerts.models import Alert, AlertRule
from incidents.ingest import incidents_ingest
from subscriptions.choices import EmailState, Topic
from subscriptions.models import InboxItem
from subscriptions.services import subscription_create

from ..conftest import child_environment, free_port, redis_available, require, spawn_celery_worker
from ..conftest import stop as stop_process

pytestmark = pytest.mark.django_db

FATAL = "traffic_accident_fatal"
IN_A, IN_B = (120.5, 30.5), (122.5, 30.5)


def row(ref: str, where, category=FATAL) -> dict:
    return {
        "source_ref": ref,
        "category": category,
        "reported_at": (timezone.now() - timedelta(minutes=5)).isoformat(),
        "lon": where[0],
        "lat": where[1],
    }


def rule(**values) -> AlertRule:
    defaults = {"name": "致死事故", "kind": RuleKind.INSTANT, "severity": Severity.CRITICAL}
    return AlertRule.objects.create(**(defaults | {"categories": [FATAL]} | values))


def subscribe(user, **values):
    return subscription_create(user=user, topic=Topic.ALERT, **values)


@pytest.fixture
def raise_alerts(eager_celery, django_capture_on_commit_callbacks):
    """Ingest rows and run what their commit runs (the alert's announcement, its delivery)."""

    def raise_(*rows):
        with django_capture_on_commit_callbacks(execute=True):
            incidents_ingest(rows=list(rows), source_system="t")
        return list(Alert.objects.order_by("id"))

    return raise_


def test_subscribers_of_a_rule_a_kind_or_all_alerts_each_get_it_once(
    commanders, make_user, raise_alerts, mailoutbox
):
    commander_a, commander_b = commanders
    fatal = rule()
    by_rule = make_user(commander_a.role, commander_a.home_area, email="r@example.test")
    by_kind = make_user(commander_a.role, commander_a.home_area)
    subscribe(by_rule, alert_rule=fatal)
    subscribe(by_kind, alert_kind=RuleKind.SPIKE)
    subscribe(commander_a)  # every alert of the district
    subscribe(commander_a, alert_rule=fatal, email=False)  # and this rule's, in the inbox
    subscribe(commander_b)

    [alert] = raise_alerts(row("F1", IN_A))
    items = InboxItem.objects.filter(key=f"alert:{alert.pk}")
    assert sorted(items.values_list("user", flat=True)) == sorted([by_rule.pk, commander_a.pk])
    assert {item.title for item in items} == {alert.title}
    # One email each (by_kind's kind did not fire; district B's commander is out of its area).
    assert sorted(message.to[0] for message in mailoutbox) == sorted(
        [by_rule.email, commander_a.email]
    )
    assert all(message.extra_headers["List-Unsubscribe"] for message in mailoutbox)


def test_an_area_subscription_hears_only_its_area(commanders, two_districts, raise_alerts):
    _, district_b = two_districts
    analyst = commanders[0]
    analyst.role, analyst.home_area = "city_analyst", None
    analyst.save()
    rule()
    subscribe(analyst, area=district_b)
    alerts = raise_alerts(row("A1", IN_A), row("B1", IN_B))
    assert len(alerts) == 2
    [item] = InboxItem.objects.all()
    assert item.area.path.startswith(district_b.path)


def test_a_user_who_left_the_district_hears_no_more_of_it(
    commanders, two_districts, raise_alerts, mailoutbox
):
    district_a, district_b = two_districts
    commander_a, _ = commanders
    rule()
    subscribe(commander_a)
    raise_alerts(row("A1", IN_A))
    assert InboxItem.objects.filter(user=commander_a).count() == 1
    commander_a.home_area = district_b
    commander_a.save()
    raise_alerts(row("A2", IN_A))
    assert InboxItem.objects.filter(user=commander_a).count() == 1
    # In the new district the same subscription (all alerts of one's jurisdiction) hears B's.
    raise_alerts(row("B1", IN_B))
    paths = InboxItem.objects.filter(user=commander_a).values_list("area__path", flat=True)
    assert [path.startswith(district_b.path) for path in paths] == [True, False]
    assert paths[1].startswith(district_a.path)
    assert len(mailoutbox) == 2


def test_a_rule_watching_another_district_cannot_be_subscribed(commanders, two_districts):
    _, district_b = two_districts
    theirs = rule(area=district_b)
    with pytest.raises(ValidationError) as refused:
        subscribe(commanders[0], alert_rule=theirs)
    assert "alert_rule" in refused.value.message_dict


@pytest.mark.redis
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_raised_alert_is_mailed_by_a_real_worker(commanders, settings, mail_over_smtp):
    """The incident's request only queues the delivery; a `celery worker` process sends it."""
    require(redis_available(), "REDIS_URL is not set or Redis does not answer")
    queue = f"test-subscriptions-{free_port()}"
    settings.SUBSCRIPTIONS_QUEUE = queue
    env = child_environment(settings, settings.REDIS_URL) | {
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(mail_over_smtp.port),
        "SITE_URL": "http://safecity.example.test",
        "SUBSCRIPTIONS_QUEUE": queue,
    }
    worker = spawn_celery_worker(env, queue, cwd=settings.BASE_DIR)
    try:
        commander_a, _ = commanders
        rule()
        subscribe(commander_a)
        incidents_ingest(rows=[row("W1", IN_A)], source_system="t")
        alert = Alert.objects.get()
        deadline = time.monotonic() + 60
        while not mail_over_smtp.received and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        stop_process(worker)
    [(_sender, recipients, message)] = mail_over_smtp.received
    assert recipients == [commander_a.email]
    assert str(message["Subject"]).strip() == alert.title
    unsubscribe = str(message["List-Unsubscribe"]).strip()
    assert unsubscribe.startswith("<http://safecity.example.test/unsubscribe/")
    item = InboxItem.objects.get(user=commander_a)
    assert (item.key, item.email_state) == (f"alert:{alert.pk}", EmailState.SENT)
