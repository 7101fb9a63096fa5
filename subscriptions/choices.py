from django.db import models
from django.utils.translation import gettext_lazy as _


class Topic(models.TextChoices):
    REPORT = "report", _("通报")
    ALERT = "alert", _("告警")


class ReportKind(models.TextChoices):
    """The report kinds a briefing is published as (``report.kind`` of reports.signals)."""

    WEEKLY = "weekly", _("周报")
    MONTHLY = "monthly", _("月报")
    CAMPAIGN = "campaign", _("专项行动通报")


class EmailState(models.TextChoices):
    NONE = "", _("不发邮件")
    SENT = "sent", _("已发送")
    FAILED = "failed", _("发送失败")
