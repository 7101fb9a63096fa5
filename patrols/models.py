"""Patrol zones, units, rosters and positions, response standards by area, the daily response
rollup."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from areas.choices import AreaKind
from areas.models import Area
from areas.scoping import ScopedQuerySet
from stats.models import Rollup, rollup_keys

from .choices import UnitKind, UnitStatus

PATROL_KINDS = (AreaKind.PATROL_ZONE, AreaKind.BEAT)


class PatrolZone(Area):
    """A patrol zone (防区) or beat (巡区): the lowest levels of the area tree, run by patrols."""

    class Meta:
        proxy = True
        verbose_name = _("防区/巡区")
        verbose_name_plural = _("防区/巡区")


class PatrolUnitQuerySet(ScopedQuerySet):
    scope_path_field = "home_path"


class PatrolUnit(models.Model):
    """A patrol unit (巡逻车, 巡控单元, 快反突击队 ...) and where it was last seen."""

    code = models.SlugField(_("编号"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=16, choices=UnitKind.choices)
    home_zone = models.ForeignKey(
        Area, verbose_name=_("所属防区"), on_delete=models.PROTECT, related_name="+"
    )
    home_path = models.CharField(max_length=255, editable=False, db_index=True)
    strength = models.PositiveSmallIntegerField(_("警力"), default=2)
    vehicle = models.CharField(_("车辆"), max_length=32, blank=True)
    status = models.CharField(
        _("状态"), max_length=16, choices=UnitStatus.choices, default=UnitStatus.OFF_DUTY
    )
    last_lon = models.FloatField(_("最新经度"), null=True, blank=True)
    last_lat = models.FloatField(_("最新纬度"), null=True, blank=True)
    last_seen_at = models.DateTimeField(_("最新定位时间"), null=True, blank=True)

    objects = PatrolUnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("巡逻单元")
        verbose_name_plural = _("巡逻单元")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def save(self, *args, **kwargs):
        self.home_path = self.home_zone.path
        super().save(*args, **kwargs)


class Roster(models.Model):
    """A unit on duty in a zone for a time window."""

    unit = models.ForeignKey(PatrolUnit, on_delete=models.CASCADE, related_name="rosters")
    zone = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")
    starts_at = models.DateTimeField(_("开始"))
    ends_at = models.DateTimeField(_("结束"))

    class Meta:
        verbose_name = _("排班")
        verbose_name_plural = _("排班")
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="roster_window"
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit} @ {self.zone} {self.starts_at:%Y-%m-%d %H:%M}"


class Position(models.Model):
    """One GPS ping of a unit."""

    unit = models.ForeignKey(PatrolUnit, on_delete=models.CASCADE, related_name="positions")
    at = models.DateTimeField(db_index=True)
    lon = models.FloatField()
    lat = models.FloatField()
    speed_kmh = models.FloatField(null=True, blank=True)
    heading = models.FloatField(null=True, blank=True)

    class Meta:
        verbose_name = _("定位点")
        verbose_name_plural = _("定位点")
        ordering = ["unit", "at"]
        constraints = [models.UniqueConstraint(fields=["unit", "at"], name="position_unit_at")]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.at:%H:%M:%S} {self.lon:.5f},{self.lat:.5f}"


class ResponseStandard(models.Model):
    """Minutes to dispatch and to arrive for an area's incidents; areas without one inherit
    their nearest ancestor's, and the city default applies above all."""

    area = models.OneToOneField(Area, on_delete=models.CASCADE, related_name="+")
    dispatch_seconds = models.PositiveIntegerField(_("派警时限(秒)"))
    arrive_seconds = models.PositiveIntegerField(_("到场时限(秒)"))

    class Meta:
        verbose_name = _("快速响应标准")
        verbose_name_plural = _("快速响应标准")

    def __str__(self) -> str:
        return f"{self.area}: {self.dispatch_seconds}s / {self.arrive_seconds}s"

    def clean(self) -> None:
        if (
            self.dispatch_seconds is not None
            and self.arrive_seconds is not None
            and self.dispatch_seconds > self.arrive_seconds
        ):
            raise ValidationError({"arrive_seconds": "arrival cannot be due before dispatch"})


class ResponseDaily(Rollup):
    """One day's response times for an area (subtree), each incident judged against the
    standard of its own area: how many were dispatched and on scene, how many within the
    standard, and every response time as a {seconds: incidents} histogram, from which
    medians and percentiles of any period are exact."""

    dispatched = models.IntegerField(default=0)
    dispatch_within = models.IntegerField(default=0)
    arrived = models.IntegerField(default=0)
    arrive_within = models.IntegerField(default=0)
    dispatch_seconds = models.JSONField(default=dict)
    arrive_seconds = models.JSONField(default=dict)

    class Meta:
        verbose_name = _("响应日汇总")
        verbose_name_plural = _("响应日汇总")
        constraints, indexes = rollup_keys("response_daily")
