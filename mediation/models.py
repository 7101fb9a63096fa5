"""Dispute cases (矛盾纠纷), their types, timeline, follow-ups and daily rollup."""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from areas.models import Area
from areas.scoping import ScopedQuerySet
from stats.models import Rollup, rollup_keys

from .choices import Agency, CaseSource, CaseStatus, RiskLevel


class DisputeType(models.Model):
    """A kind of dispute; flat, with a path like the incident categories' so the statistics
    engine rolls cases up by type the same way."""

    code = models.SlugField(_("编码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=50)
    name_en = models.CharField(_("英文名称"), max_length=50, blank=True)
    sort_order = models.PositiveSmallIntegerField(default=0)
    path = models.CharField(max_length=64, editable=False)

    class Meta:
        verbose_name = _("纠纷类型")
        verbose_name_plural = _("纠纷类型")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.path = f"/{self.code}/"
        super().save(*args, **kwargs)


class DisputeCaseQuerySet(ScopedQuerySet):
    scope_path_field = "area_path"


class DisputeCase(models.Model):
    """A dispute (矛盾纠纷) from screening to its outcome."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    type = models.ForeignKey(DisputeType, verbose_name=_("类型"), on_delete=models.PROTECT)
    type_path = models.CharField(max_length=64, editable=False)
    summary = models.TextField(_("纠纷概要"))
    # [{"name": "...", "phone": "...", "role": "申请人"}]: personal data, masked for users
    # without the mediation.view_personal_data permission.
    parties = models.JSONField(_("当事人"), default=list, blank=True)
    source = models.CharField(_("来源"), max_length=16, choices=CaseSource.choices)
    risk = models.CharField(
        _("风险等级"), max_length=8, choices=RiskLevel.choices, default=RiskLevel.LOW
    )
    mediators = models.JSONField(_("调解力量"), default=list, blank=True)
    status = models.CharField(
        _("状态"), max_length=16, choices=CaseStatus.choices, default=CaseStatus.SCREENED
    )
    lon = models.FloatField(_("经度"), null=True, blank=True)
    lat = models.FloatField(_("纬度"), null=True, blank=True)
    address = models.CharField(_("地址"), max_length=300, blank=True)
    area = models.ForeignKey(Area, verbose_name=_("辖区"), on_delete=models.PROTECT)
    area_path = models.CharField(max_length=255, editable=False, db_index=True)
    screened_at = models.DateTimeField(_("排查时间"), db_index=True)
    mediating_at = models.DateTimeField(_("开始调解"), null=True, blank=True)
    transferred_at = models.DateTimeField(_("流转时间"), null=True, blank=True)
    transferred_to = models.CharField(
        _("流转部门"), max_length=24, choices=Agency.choices, blank=True
    )
    resolved_at = models.DateTimeField(_("化解时间"), null=True, blank=True)
    failed_at = models.DateTimeField(_("失败时间"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("升级时间"), null=True, blank=True)
    # The incident whose call opened the case, and the one an escalated case became.
    incident = models.ForeignKey(
        "incidents.Incident",
        verbose_name=_("来源警情"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="dispute_cases",
    )
    escalated_incident = models.ForeignKey(
        "incidents.Incident",
        verbose_name=_("升级后的警情"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="escalated_from",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = DisputeCaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("矛盾纠纷")
        verbose_name_plural = _("矛盾纠纷")
        ordering = ["-screened_at"]
        permissions = [("view_personal_data", _("查看当事人个人信息"))]
        indexes = [models.Index(fields=["area_path", "screened_at"], name="dispute_area_time")]
        constraints = [
            # One case an incident: parallel requests to open it cannot make two.
            models.UniqueConstraint(fields=["incident"], name="dispute_case_one_per_incident")
        ]

    def __str__(self) -> str:
        return f"{self.type} {self.screened_at:%Y-%m-%d} {self.get_status_display()}"

    def save(self, *args, **kwargs):
        self.area_path = self.area.path
        self.type_path = self.type.path
        super().save(*args, **kwargs)

    def clean(self) -> None:
        if (self.lon is None) != (self.lat is None):
            raise ValidationError({"lat": _("经度和纬度须同时填写或同时留空")})
        if self.lon is not None and not (-180 <= self.lon <= 180 and -90 <= self.lat <= 90):
            raise ValidationError({"lon": _("坐标超出范围")})


class CaseStatusChange(models.Model):
    """The case's timeline: every status it went through, when and by whom."""

    case = models.ForeignKey(DisputeCase, on_delete=models.CASCADE, related_name="changes")
    from_status = models.CharField(max_length=16, choices=CaseStatus.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=CaseStatus.choices)
    at = models.DateTimeField()
    note = models.TextField(blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("纠纷状态变更")
        verbose_name_plural = _("纠纷状态变更")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.from_status or '-'} → {self.to_status} {self.at:%Y-%m-%d %H:%M}"


class FollowUpQuerySet(models.QuerySet):
    def overdue(self, now=None):
        """Past due and not done."""
        return self.filter(done_at__isnull=True, due_at__lt=now or timezone.now())


class FollowUp(models.Model):
    """A follow-up visit or call due by a date; an overdue one raises an alert once."""

    case = models.ForeignKey(DisputeCase, on_delete=models.CASCADE, related_name="follow_ups")
    due_at = models.DateTimeField(_("应回访时间"), db_index=True)
    note = models.TextField(_("回访事项"), blank=True)
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    outcome = models.TextField(_("回访结果"), blank=True)
    alerted_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = FollowUpQuerySet.as_manager()

    class Meta:
        verbose_name = _("回访")
        verbose_name_plural = _("回访")
        ordering = ["due_at"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.due_at:%Y-%m-%d}"

    @property
    def is_overdue(self) -> bool:
        return self.done_at is None and self.due_at < timezone.now()


class MediationDaily(Rollup):
    """One day's screened disputes for an area (subtree) and a type, with what became of
    them: each case counts on the day it was screened (a cohort), so rates are exact."""

    screened = models.IntegerField(default=0)
    mediating = models.IntegerField(default=0)
    transferred = models.IntegerField(default=0)
    resolved = models.IntegerField(default=0)
    failed = models.IntegerField(default=0)
    escalated = models.IntegerField(default=0)
    open = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("矛盾纠纷日汇总")
        verbose_name_plural = _("矛盾纠纷日汇总")
        constraints, indexes = rollup_keys("mediation_daily")
