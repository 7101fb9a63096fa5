"""The emails deliveries send: one message per delivery, in the platform's language, with
the item's link, its attachments, and a one-click unsubscribe link signed for the subscription
(``django.core.signing``: it works without login, and names nothing else), also given as
``List-Unsubscribe`` with ``List-Unsubscribe-Post`` (RFC 8058) for mail clients' own button."""

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

UNSUBSCRIBE_SALT = "subscriptions.unsubscribe"


def absolute(path: str) -> str:
    """A path of the platform as a link that works from a mail client (``SITE_URL``)."""
    if path.startswith(("http://", "https://")):
        return path
    return settings.SITE_URL.rstrip("/") + path


def unsubscribe_token(subscription) -> str:
    return signing.dumps({"s": subscription.pk, "u": subscription.user_id}, salt=UNSUBSCRIBE_SALT)


def unsubscribe_token_read(token: str) -> dict:
    """The subscription and user a token names; ``signing.BadSignature`` if it was altered."""
    value = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    if not isinstance(value, dict) or not {"s", "u"} <= value.keys():
        raise signing.BadSignature("not an unsubscribe token")
    return value


def unsubscribe_url(subscription) -> str:
    return absolute(reverse("unsubscribe", kwargs={"token": unsubscribe_token(subscription)}))


def delivery_message(*, item, subscription, attachments=()) -> EmailMessage:
    """The email of an inbox item, to its user."""
    unsubscribe = unsubscribe_url(subscription)
    with translation.override(settings.LANGUAGE_CODE):
        body = render_to_string(
            "subscriptions/email/delivery.txt",
            {
                "item": item,
                "link": absolute(item.link) if item.link else "",
                "unsubscribe": unsubscribe,
                "user": item.user,
            },
        )
    return EmailMessage(
        subject=item.title,
        body=body,
        to=[item.user.email],
        headers={
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
        attachments=list(attachments),
    )
