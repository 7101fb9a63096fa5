"""Crackdown campaigns (专项行动): what they hold, and the KPI items they are measured by."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from areas.geometry import GeometryError, parse_area_geometry

from .choices import (
    COMPUTED_METRICS,
    CampaignKind,
    CampaignStatus,
    Department,
    Direction,
    KpiStatus,
    Metric,
    RemediationStatus,
)


class CampaignPart:
    """A part of a campaign that lies somewhere: ``area_field`` names the area (or areas) it is
    led from or held in, which decide who sees it and who may change it."""

    area_field: str

    def area_paths(self) -> list[str]:
        value = getattr(self, self.area_field)
        if self._meta.get_field(self.area_field).many_to_many:
            return [area.path for area in value.all()]
        return [value.path]


class Campaign(models.Model):
    """A time-boxed operation over some areas, e.g. 砺剑2024-1号 or a summer 百日行动."""

    name = models.CharField(_("名称"), max_length=100)
    code = models.SlugField(_("编号"), max_length=48, unique=True)
    kind = models.CharField(_("类型"), max_length=16, choices=CampaignKind.choices)
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    organizer = models.ForeignKey(
        "areas.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("组织单位")
    )
    scope_areas = models.ManyToManyField("areas.Area", related_name="+", verbose_name=_("范围"))
    focus_categories = models.JSONField(_("重点警情类别"), default=list, blank=True)
    status = models.CharField(
        _("状态"), max_length=16, choices=CampaignStatus.choices, default=CampaignStatus.PLANNED
    )
    goals = models.TextField(_("目标"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("专项行动")
        verbose_name_plural = _("专项行动")
        ordering = ["-starts_on", "code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")), name="campaign_period"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": "the campaign ends before it starts"})

    def holds(self, day) -> bool:
        """Whether ``day`` lies within the campaign's period."""
        return self.starts_on <= day <= self.ends_on


def _campaign_of(part) -> "Campaign | None":
    # A part not yet given its campaign (an admin form left blank) has none to check against.
    return part.campaign if part.campaign_id else None


class SubOperation(CampaignPart, models.Model):
    """A named line of work inside a campaign (清患, 拔钉, 铁拳 ...), led by a unit."""

    area_field = "lead_unit"

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="operations")
    name = models.CharField(_("名称"), max_length=100)
    lead_unit = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+")
    description = models.TextField(_("内容"), blank=True)

    class Meta:
        verbose_name = _("子行动")
        verbose_name_plural = _("子行动")

    def __str__(self) -> str:
        return self.name


class ClusterBattle(CampaignPart, models.Model):
    """A cluster battle (集群战役) against one crime domain, and what it achieved."""

    area_field = "lead_unit"

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="battles")
    name = models.CharField(_("名称"), max_length=100)
    # Left out, the campaign's organizer leads it.
    lead_unit = models.ForeignKey(
        "areas.Area",
        on_delete=models.PROTECT,
        related_name="+",
        blank=True,
        verbose_name=_("牵头单位"),
    )
    category = models.ForeignKey("incidents.Category", on_delete=models.PROTECT)
    department = models.CharField(_("牵头部门"), max_length=16, choices=Department.choices)
    launched_on = models.DateField(_("发起日期"))
    cases_solved = models.PositiveIntegerField(_("破案数"), default=0)
    suspects = models.PositiveIntegerField(_("抓获嫌疑人"), default=0)
    gangs_broken = models.PositiveIntegerField(_("打掉团伙"), default=0)
    money_involved = models.DecimalField(
        _("涉案金额"), max_digits=16, decimal_places=2, default=Decimal(0)
    )

    class Meta:
        verbose_name = _("集群战役")
        verbose_name_plural = _("集群战役")

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        if self.lead_unit_id is None:
            self.lead_unit_id = self.campaign.organizer_id
        super().save(*args, **kwargs)


class KpiItem(CampaignPart, models.Model):
    """One line of the quantified responsibility list (量化责任清单) and its progress."""

    area_field = "unit"

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="kpis")
    label = models.CharField(_("指标"), max_length=200)
    metric = models.CharField(_("度量"), max_length=24, choices=Metric.choices)
    category = models.ForeignKey(
        "incidents.Category", null=True, blank=True, on_delete=models.PROTECT
    )
    unit = models.ForeignKey(
        "areas.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("责任单位")
    )
    unit_path = models.CharField(max_length=255, editable=False)
    target = models.DecimalField(_("目标值"), max_digits=14, decimal_places=2)
    direction = models.CharField(_("方向"), max_length=16, choices=Direction.choices)
    deadline = models.DateField(_("完成时限"))
    # Progress, recomputed by Celery.
    current = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    percent_of_target = models.DecimalField(max_digits=8, decimal_places=1, null=True, blank=True)
    status = models.CharField(max_length=16, choices=KpiStatus.choices, default=KpiStatus.PENDING)
    evaluated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("责任清单指标")
        verbose_name_plural = _("责任清单指标")
        ordering = ["campaign", "deadline", "id"]

    def __str__(self) -> str:
        return self.label

    def save(self, *args, **kwargs):
        self.unit_path = self.unit.path
        super().save(*args, **kwargs)

    def clean(self) -> None:
        errors = {}
        if self.metric == Metric.COUNTER and self.category_id:
            errors["category"] = _("上报计数类指标不设警情类别")
        campaign = _campaign_of(self)
        if campaign and self.deadline and not campaign.holds(self.deadline):
            errors["deadline"] = _("不在行动期间内")
        # Computed rates and changes are percentages; counts (reported or computed) are not.
        is_percentage = self.metric in COMPUTED_METRICS and self.metric != Metric.INCIDENT_COUNT
        if is_percentage and self.target is not None and not -100 <= self.target <= 1000:
            errors["target"] = _("应为百分比")
        if errors:
            raise ValidationError(errors)


class KpiReport(models.Model):
    """A unit's dated progress report on a counter item: how many since the last report."""

    item = models.ForeignKey(KpiItem, on_delete=models.CASCADE, related_name="reports")
    reported_on = models.DateField(_("日期"))
    value = models.DecimalField(_("数量"), max_digits=14, decimal_places=2)
    note = models.TextField(_("说明"), blank=True)
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("指标进度上报")
        verbose_name_plural = _("指标进度上报")
        ordering = ["reported_on", "id"]

    def __str__(self) -> str:
        return f"{self.item} +{self.value} {self.reported_on}"

    def clean(self) -> None:
        if self.value is not None and self.value < 0:
            raise ValidationError({"value": _("上报数量不能为负数")})


class Sweep(CampaignPart, models.Model):
    """A concentrated sweep (集中清查) and its tallies."""

    area_field = "areas"

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="sweeps")
    held_on = models.DateField(_("日期"))
    areas = models.ManyToManyField("areas.Area", related_name="+")
    officers = models.PositiveIntegerField(_("出动警力"), default=0)
    checkpoints = models.PositiveIntegerField(_("设卡"), default=0)
    venues_checked = models.PositiveIntegerField(_("检查场所"), default=0)
    dangerous_goods_firms = models.PositiveIntegerField(_("检查危爆企业"), default=0)
    hazards_found = models.PositiveIntegerField(_("发现隐患"), default=0)
    hazards_rectified = models.PositiveIntegerField(_("整改隐患"), default=0)
    violations = models.PositiveIntegerField(_("查处违法"), default=0)
    cases = models.PositiveIntegerField(_("立案"), default=0)
    notices = models.PositiveIntegerField(_("下发通知书"), default=0)

    class Meta:
        verbose_name = _("集中清查")
        verbose_name_plural = _("集中清查")
        ordering = ["held_on", "id"]

    def __str__(self) -> str:
        return f"{self.campaign} {self.held_on}"

    def clean(self) -> None:
        errors = {}
        if (self.hazards_rectified or 0) > (self.hazards_found or 0):
            errors["hazards_rectified"] = _("整改隐患数不能多于发现隐患数")
        campaign = _campaign_of(self)
        if campaign and self.held_on and not campaign.holds(self.held_on):
            errors["held_on"] = _("不在行动期间内")
        if errors:
            raise ValidationError(errors)


SWEEP_TALLIES = (
    "officers", "checkpoints", "venues_checked", "dangerous_goods_firms", "hazards_found",
    "hazards_rectified", "violations", "cases", "notices",
)  # fmt: skip


class RemediationArea(CampaignPart, models.Model):
    """A listed remediation area (挂牌整治): a polygon with a problem, a target and a due date."""

    area_field = "unit"

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="remediations")
    name = models.CharField(_("名称"), max_length=100)
    geometry = models.JSONField(_("范围"))
    unit = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+")
    unit_path = models.CharField(max_length=255, editable=False)
    responsible_person = models.CharField(_("责任人"), max_length=50)
    problem = models.TextField(_("突出问题"))
    target = models.CharField(_("整治目标"), max_length=200)
    listed_on = models.DateField(_("挂牌日期"))
    due_on = models.DateField(_("整治时限"))
    status = models.CharField(
        max_length=16, choices=RemediationStatus.choices, default=RemediationStatus.LISTED
    )

    class Meta:
        verbose_name = _("挂牌整治点")
        verbose_name_plural = _("挂牌整治点")
        ordering = ["due_on", "id"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.unit_path = self.unit.path
        super().save(*args, **kwargs)

    def clean(self) -> None:
        errors = {}
        # The boundary checks of every area (vertex limit, validity).
        try:
            parse_area_geometry(self.geometry)
        except GeometryError as exc:
            errors["geometry"] = str(exc)
        if self.listed_on and self.due_on and self.due_on < self.listed_on:
            errors["due_on"] = "due before it is listed"
        if errors:
            raise ValidationError(errors)


class RemediationInspection(models.Model):
    """A weekly inspection of a remediation area and what it found."""

    area = models.ForeignKey(RemediationArea, on_delete=models.CASCADE, related_name="inspections")
    inspected_on = models.DateField(_("检查日期"))
    findings = models.TextField(_("检查情况"))
    inspector = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)

    class Meta:
        verbose_name = _("整治检查")
        verbose_name_plural = _("整治检查")
        ordering = ["inspected_on", "id"]

    def __str__(self) -> str:
        return f"{self.area} {self.inspected_on}"

    def clean(self) -> None:
        if self.inspected_on is None:
            return
        if self.inspected_on > timezone.localdate():
            raise ValidationError({"inspected_on": _("检查日期不能晚于今天")})
        # A copy for a serializer's check has no area yet: the service checks it with one.
        if self.area_id and self.inspected_on < self.area.listed_on:
            raise ValidationError(
                {
                    "inspected_on": ValidationError(
                        _("检查日期早于挂牌日期（%(listed)s）"),
                        params={"listed": self.area.listed_on.isoformat()},
                    )
                }
            )
