from django.db import models
from django.utils.translation import gettext_lazy as _


class CampaignKind(models.TextChoices):
    SPECIAL = "special", _("专项行动")
    HUNDRED_DAYS = "hundred_days", _("百日行动")
    SEASONAL = "seasonal", _("季节性整治")
    OTHER = "other", _("其他")


class CampaignStatus(models.TextChoices):
    PLANNED = "planned", _("筹备")
    ACTIVE = "active", _("进行中")
    CLOSED = "closed", _("已结束")


class Department(models.TextChoices):
    ECONOMIC = "economic", _("经侦")
    CRIMINAL = "criminal", _("刑侦")
    PUBLIC_ORDER = "public_order", _("治安")
    CYBER = "cyber", _("网安")
    IMMIGRATION = "immigration", _("出入境")
    TRAFFIC = "traffic", _("交警")
    NARCOTICS = "narcotics", _("禁毒")
    OTHER = "other", _("其他")


class Metric(models.TextChoices):
    """What a KPI item measures: computed from incident statistics, or reported by units."""

    INCIDENT_COUNT = "incident_count", _("警情数（统计）")
    INCIDENT_YOY_PCT = "incident_yoy_pct", _("警情同比变化%（统计）")
    CLEARANCE_RATE = "clearance_rate", _("破案率%（统计）")
    RESPONSE_COMPLIANCE = "response_compliance", _("3分钟到场率%（统计）")
    COUNTER = "counter", _("上报计数")


COMPUTED_METRICS = frozenset(
    {
        Metric.INCIDENT_COUNT,
        Metric.INCIDENT_YOY_PCT,
        Metric.CLEARANCE_RATE,
        Metric.RESPONSE_COMPLIANCE,
    }
)


class Direction(models.TextChoices):
    AT_LEAST = "at_least", _("不少于")
    AT_MOST = "at_most", _("不多于")


class KpiStatus(models.TextChoices):
    PENDING = "pending", _("未开始")
    ON_TRACK = "on_track", _("正常推进")
    AT_RISK = "at_risk", _("存在风险")
    ACHIEVED = "achieved", _("已完成")
    MISSED = "missed", _("未完成")


class RemediationStatus(models.TextChoices):
    LISTED = "listed", _("挂牌")
    RECTIFYING = "rectifying", _("整改中")
    ACCEPTED = "accepted", _("验收通过")
    DELISTED = "delisted", _("摘牌")
