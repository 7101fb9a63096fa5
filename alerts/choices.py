from django.db import models
from django.utils.translation import gettext_lazy as _


class Severity(models.TextChoices):
    INFO = "info", _("提示")
    WARNING = "warning", _("预警")
    CRITICAL = "critical", _("紧急")


class RuleKind(models.TextChoices):
    INSTANT = "instant", _("即时")
    SPIKE = "spike", _("突增")
    RESPONSE_BREACH = "response_breach", _("响应超时")
    CAMPAIGN_KPI = "campaign_kpi", _("专项指标风险")
    REMEDIATION_OVERDUE = "remediation_overdue", _("整治逾期")
    FOLLOWUP_OVERDUE = "followup_overdue", _("纠纷回访逾期")
    NEAR_REPEAT = "near_repeat", _("近重复风险")


class AlertState(models.TextChoices):
    OPEN = "open", _("未处理")
    ACKNOWLEDGED = "acknowledged", _("已确认")
    RESOLVED = "resolved", _("已解决")
