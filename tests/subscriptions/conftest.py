"""A real SMTP server (aiosmtpd) for the deliveries, and a stand-in for a published report
honouring the contract of ``reports.signals.report_published``."""

import email
import email.policy
import logging
from dataclasses import dataclass, field
from datetime import date

import pytest
from aiosmtpd.controller import Controller

from accounts.choices import Role

from ..conftest import free_port

# aiosmtpd logs every SMTP command at INFO.
logging.getLogger("mail.log").setLevel(logging.WARNING)

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


class Mailbox:
    """What the SMTP server received: (envelope sender, recipients, parsed message)."""

    def __init__(self):
        self.received = []

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.received.append((envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"

    @property
    def messages(self):
        return [message for _sender, _recipients, message in self.received]


@pytest.fixture
def smtp_server():
    """An SMTP server on a free port of this machine, collecting what it is sent."""
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    mailbox.port = controller.port
    yield mailbox
    controller.stop()


@pytest.fixture
def mail_over_smtp(settings, smtp_server):
    """Django's SMTP backend pointed at the test's SMTP server; its mailbox."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = smtp_server.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    return smtp_server


@dataclass
class StandInReport:
    """A published report as the reports app promises it (reports/signals.py)."""

    kind: str
    area: object
    title: str
    period_start: date
    period_end: date
    files: list = field(default_factory=list)

    def get_absolute_url(self) -> str:
        return f"/reports/stand-in-{self.kind}-{self.area.pk}/"

    def attachments(self) -> list:
        return list(self.files)


def stand_in_report(area, kind="weekly", *, start=date(2026, 11, 23), end=date(2026, 11, 29)):
    docx = f"{area.name} {kind} {start}".encode() * 50
    pdf = b"%PDF-1.7\n" + docx[::-1]
    return StandInReport(
        kind=kind,
        area=area,
        title=f"{area.name}警情通报（{start:%m月%d日}—{end:%m月%d日}）",
        period_start=start,
        period_end=end,
        files=[
            (f"briefing-{area.code}.docx", docx, DOCX),
            (f"briefing-{area.code}.pdf", pdf, "application/pdf"),
        ],
    )


@pytest.fixture
def commanders(two_districts, make_user):
    """A district commander of each district, with an email address: (of A, of B)."""
    district_a, district_b = two_districts
    return (
        make_user(Role.DISTRICT_COMMANDER, district_a, email="a@example.test"),
        make_user(Role.DISTRICT_COMMANDER, district_b, email="b@example.test"),
    )
