"""Alert rules and alerts. An alert is a row first, written with its cause; pushing it to
dashboards happens after commit and may fail without losing it."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from areas.scoping import ScopedQuerySet

from .choices import AlertState, RuleKind, Severity
from .kinds import kind_for


class AlertRule(models.Model):
    """When to raise an alert, for which area subtree, how loudly and how often."""

    name = models.CharField(_("名称"), max_length=100)
    name_en = models.CharField(_("英文名称"), max_length=100, blank=True)
    kind = models.CharField(_("类型"), max_length=24, choices=RuleKind.choices)
    # None: the whole city.
    area = models.ForeignKey(
        "areas.Area", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    severity = models.CharField(_("级别"), max_length=16, choices=Severity.choices)
    enabled = models.BooleanField(_("启用"), default=True)
    # No second alert for the same rule and area (or object) within this many minutes.
    cooldown_minutes = models.PositiveIntegerField(_("冷却分钟"), default=30)
    # Category codes (their subtrees); empty: any category.
    categories = models.JSONField(_("警情类别"), default=list, blank=True)
    # Device event type codes (instant rules on device events).
    event_types = models.JSONField(_("设备事件类型"), default=list, blank=True)
    # Instant: alert on priority at or above this (1 is the most urgent); None: any.
    max_priority = models.PositiveSmallIntegerField(_("优先级阈值"), null=True, blank=True)
    # Spike: the last ``window_hours`` against the same hours of ``baseline_weeks`` weeks before,
    # for each area of ``per_area_kind`` inside the rule's area (or the rule's area itself).
    window_hours = models.PositiveSmallIntegerField(_("统计小时数"), default=6)
    baseline_weeks = models.PositiveSmallIntegerField(_("基线周数"), default=4)
    z_threshold = models.FloatField(_("Z 值阈值"), default=3.0)
    min_count = models.PositiveIntegerField(_("最少起数"), default=3)
    per_area_kind = models.CharField(_("按区域层级"), max_length=16, blank=True)
    # Response breach: the rapid-response standard (1/3/5 minutes: dispatch, arrival, ...).
    dispatch_seconds = models.PositiveIntegerField(_("派警时限(秒)"), default=60)
    on_scene_seconds = models.PositiveIntegerField(_("到场时限(秒)"), default=180)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("告警规则")
        verbose_name_plural = _("告警规则")
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        # What a rule must hold depends on its kind: the kind's handler says (alerts.kinds).
        # An unknown kind is left to the field's own choices check.
        try:
            handler = kind_for(self.kind)
        except LookupError:
            return
        handler.clean(self)

    @property
    def area_path(self) -> str:
        return self.area.path if self.area_id else ""

    def covers(self, area_path: str) -> bool:
        """Whether something at ``area_path`` lies in the rule's area (anything, city-wide)."""
        return not self.area_id or area_path.startswith(self.area.path)

    def matches_category(self, category_path: str) -> bool:
        """Whether a record of ``category_path`` is of one of the rule's categories (their
        subtrees), or the rule names none."""
        if not self.categories:
            return True
        return bool(set(category_path.strip("/").split("/")).intersection(self.categories))


class AlertQuerySet(ScopedQuerySet):
    pass


class Alert(models.Model):
    """One raised alert, with its cause and who handled it when."""

    rule = models.ForeignKey(AlertRule, null=True, on_delete=models.SET_NULL, related_name="+")
    kind = models.CharField(max_length=24, choices=RuleKind.choices)
    severity = models.CharField(_("级别"), max_length=16, choices=Severity.choices)
    state = models.CharField(
        _("状态"), max_length=16, choices=AlertState.choices, default=AlertState.OPEN
    )
    area = models.ForeignKey(
        "areas.Area", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    area_path = models.CharField(max_length=255, blank=True, db_index=True)
    incident = models.ForeignKey(
        "incidents.Incident", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    device_event = models.ForeignKey(
        "incidents.DeviceEvent", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Same rule and key within the cooldown: one alert, not many.
    dedup_key = models.CharField(max_length=200)
    title = models.CharField(_("标题"), max_length=200)
    title_en = models.CharField(max_length=200, blank=True)
    body = models.TextField(_("内容"), blank=True)
    body_en = models.TextField(blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    # What the one who acknowledged it said: what is being done, who was told. Empty in the
    # database too, so a writer that names no note (older code, raw SQL) still inserts.
    acknowledged_note = models.TextField(_("确认备注"), blank=True, default="", db_default="")
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)

    objects = AlertQuerySet.as_manager()

    class Meta:
        verbose_name = _("告警")
        verbose_name_plural = _("告警")
        ordering = ["-id"]
        indexes = [models.Index(fields=["rule", "dedup_key", "created_at"], name="alert_dedup")]

    def __str__(self) -> str:
        return self.title
