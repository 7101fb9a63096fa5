"""A published report reaches its subscribers: an inbox item, and an email through a real SMTP
server (aiosmtpd) with the report's files attached and a one-click unsubscribe link, which
works over real HTTP without login. Who receives it is decided at delivery."""

import base64
import json
import urllib.request
from email.utils import parseaddr

import pytest

from reports.signals import report_published
from subscriptions.choices import EmailState, Topic
from subscriptions.models import InboxItem, Subscription
from subscriptions.services import subscription_create

from .conftest import stand_in_report

pytestmark = pytest.mark.django_db


def subscribe(user, area, kind="weekly", email=True) -> Subscription:
    return subscription_create(
        user=user, topic=Topic.REPORT, report_kind=kind, area=area, email=email
    )


def unsubscribe_link(message) -> str:
    return str(message["List-Unsubscribe"]).strip().removeprefix("<").removesuffix(">")


def publish(report) -> None:
    report_published.send(sender=type(report), report=report)


def test_a_subscriber_gets_the_report_in_the_inbox_and_by_email(
    commanders, two_districts, mail_over_smtp, settings
):
    district_a, _ = two_districts
    commander_a, _ = commanders
    subscribe(commander_a, district_a)
    report = stand_in_report(district_a)
    publish(report)

    item = InboxItem.objects.get(user=commander_a)
    assert (item.title, item.link, item.area) == (
        report.title, report.get_absolute_url(), district_a,
    )  # fmt: skip
    assert item.email_state == EmailState.SENT and item.read_at is None
    [(sender, recipients, message)] = mail_over_smtp.received
    assert sender == parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
    assert recipients == [commander_a.email]
    assert str(message["Subject"]).strip() == report.title
    attached = [
        (part.get_filename(), part.get_content(), part.get_content_type())
        for part in message.iter_attachments()
    ]
    assert attached == report.attachments()
    body = message.get_body(preferencelist=("plain",)).get_content()
    assert report.get_absolute_url() in body


def test_a_report_is_delivered_once_however_often_it_is_announced(
    commanders, two_districts, mail_over_smtp
):
    district_a, _ = two_districts
    subscribe(commanders[0], district_a)
    report = stand_in_report(district_a)
    publish(report)
    publish(report)
    assert InboxItem.objects.filter(user=commanders[0]).count() == 1
    assert len(mail_over_smtp.received) == 1


def test_only_subscribers_of_that_kind_and_area_get_it(
    commanders, two_districts, make_user, mail_over_smtp
):
    district_a, district_b = two_districts
    commander_a, commander_b = commanders
    subscribe(commander_a, district_a, kind="monthly")
    subscribe(commander_b, district_b)
    publish(stand_in_report(district_a, "weekly"))
    assert not InboxItem.objects.exists() and mail_over_smtp.received == []
    publish(stand_in_report(district_b, "weekly"))
    assert list(InboxItem.objects.values_list("user", flat=True)) == [commander_b.pk]


def test_inbox_only_subscriptions_send_no_email(commanders, two_districts, mail_over_smtp):
    district_a, _ = two_districts
    subscribe(commanders[0], district_a, email=False)
    publish(stand_in_report(district_a))
    assert InboxItem.objects.get().email_state == EmailState.NONE
    assert mail_over_smtp.received == []


def test_a_user_who_left_the_district_or_was_deactivated_receives_nothing(
    commanders, two_districts, make_user, mail_over_smtp
):
    district_a, district_b = two_districts
    commander_a, _ = commanders
    moved = make_user(commander_a.role, district_a, email="moved@example.test")
    gone = make_user(commander_a.role, district_a, email="gone@example.test")
    for user in (commander_a, moved, gone):
        subscribe(user, district_a)
    moved.home_area = district_b
    moved.save()
    gone.is_active = False
    gone.save()

    publish(stand_in_report(district_a))
    assert list(InboxItem.objects.values_list("user", flat=True)) == [commander_a.pk]
    assert [recipients for _, recipients, _ in mail_over_smtp.received] == [[commander_a.email]]


def test_a_mail_server_that_refuses_leaves_the_inbox_item(commanders, two_districts, settings):
    district_a, _ = two_districts
    subscribe(commanders[0], district_a)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    publish(stand_in_report(district_a))
    item = InboxItem.objects.get()
    assert item.email_state == EmailState.FAILED and item.email_error


@pytest.mark.django_db(transaction=True)
def test_the_emails_unsubscribe_link_works_over_http_without_login(
    commanders, two_districts, mail_over_smtp, live_server, settings
):
    settings.SITE_URL = live_server.url
    district_a, _ = two_districts
    commander_a, _ = commanders
    weekly = subscribe(commander_a, district_a)
    monthly = subscribe(commander_a, district_a, kind="monthly")
    publish(stand_in_report(district_a))
    [message] = mail_over_smtp.messages
    link = unsubscribe_link(message)
    assert str(message["List-Unsubscribe-Post"]).strip() == "List-Unsubscribe=One-Click"
    assert link.startswith(live_server.url)
    assert link in message.get_body(preferencelist=("plain",)).get_content()

    with urllib.request.urlopen(link, timeout=10) as answer:  # a click: no session, no cookie
        assert answer.status == 200
    assert not Subscription.objects.filter(pk=weekly.pk).exists()
    # Only the subscription the link names: the monthly one stays.
    assert Subscription.objects.filter(pk=monthly.pk).exists()
    # A second click finds it gone, and says so.
    with urllib.request.urlopen(link, timeout=10) as answer:
        assert answer.status == 200
    # The next report of that kind reaches no one.
    publish(stand_in_report(district_a))
    assert len(mail_over_smtp.received) == 1


@pytest.mark.django_db(transaction=True)
def test_a_mail_clients_one_click_post_unsubscribes(
    commanders, two_districts, mail_over_smtp, live_server, settings
):
    settings.SITE_URL = live_server.url
    district_a, _ = two_districts
    subscription = subscribe(commanders[0], district_a)
    publish(stand_in_report(district_a))
    link = unsubscribe_link(mail_over_smtp.messages[0])
    request = urllib.request.Request(link, data=b"List-Unsubscribe=One-Click", method="POST")
    with urllib.request.urlopen(request, timeout=10) as answer:
        assert answer.status == 200
    assert not Subscription.objects.filter(pk=subscription.pk).exists()


def test_an_altered_link_unsubscribes_nothing(commanders, two_districts, client, mail_over_smtp):
    district_a, _ = two_districts
    subscription = subscribe(commanders[0], district_a)
    other = subscribe(commanders[0], district_a, kind="monthly")
    publish(stand_in_report(district_a))
    link = unsubscribe_link(mail_over_smtp.messages[0])
    token = link.rstrip("/").rsplit("/", 1)[1]
    # The payload rewritten to name the other subscription, the signature kept.
    payload, signature = token.split(":", 1)
    named = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    assert named == {"s": subscription.pk, "u": commanders[0].pk}
    named["s"] = other.pk
    forged_payload = base64.urlsafe_b64encode(json.dumps(named, separators=(",", ":")).encode())
    forged = forged_payload.decode().rstrip("=") + ":" + signature
    assert client.get(f"/unsubscribe/{forged}/").status_code == 404
    assert Subscription.objects.count() == 2
