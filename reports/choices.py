from django.db import models
from django.utils.translation import gettext_lazy as _


class ReportKind(models.TextChoices):
    WEEKLY = "weekly", _("周报")
    MONTHLY = "monthly", _("月报")
    CAMPAIGN = "campaign", _("专项行动通报")
