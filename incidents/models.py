import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from areas.scoping import ScopedQuerySet
from geocoding.choices import GeocodeQuality, UnlocatedReason
from stats.models import Rollup, rollup_keys

from .choices import OPEN_STATUSES, IncidentSource, IncidentStatus, Priority

MONEY = {"max_digits": 14, "decimal_places": 2}


class Category(models.Model):
    """A node of the incident taxonomy; its code is stable, so statistics survive renames."""

    code = models.SlugField(_("编码"), max_length=48, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    name_en = models.CharField(_("英文名称"), max_length=100, blank=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    # Path of codes, "/criminal/theft/burglary/": a category subtree is one prefix match.
    path = models.CharField(max_length=255, db_index=True, editable=False)
    is_alarm = models.BooleanField(_("报警类警情"), default=False)
    is_criminal = models.BooleanField(_("违法犯罪案件"), default=False)
    is_non_police = models.BooleanField(_("非警务类"), default=False)
    # Retired categories keep their incidents and statistics but take no new ones.
    is_active = models.BooleanField(_("启用"), default=True)
    sort_order = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("警情类别")
        verbose_name_plural = _("警情类别")
        ordering = ["path"]

    def __str__(self) -> str:
        return f"{self.display_name} [{self.code}]"

    def save(self, *args, **kwargs) -> None:
        parent_path = self.parent.path if self.parent_id else "/"
        self.path = f"{parent_path}{self.code}/"
        super().save(*args, **kwargs)

    @property
    def display_name(self) -> str:
        language = get_language() or ""
        return self.name_en if language.startswith("en") and self.name_en else self.name


class IncidentQuerySet(ScopedQuerySet):
    scope_path_field = "area_path"

    def in_category(self, category: Category) -> "IncidentQuerySet":
        return self.filter(category_path__startswith=category.path)


def _derived_area() -> models.ForeignKey:
    """An area column the point → area service fills (see Incident.area)."""
    return models.ForeignKey(
        "areas.Area",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )


class Incident(models.Model):
    """A 110 call or case (警情/案件): where, when, what, and how the police responded."""

    public_id = models.UUIDField(_("编号"), default=uuid.uuid4, unique=True, editable=False)
    source = models.CharField(
        _("来源"), max_length=16, choices=IncidentSource.choices, default=IncidentSource.CALL_110
    )
    # The system a record came from; with source_ref it makes every ingest idempotent.
    source_system = models.SlugField(_("来源系统"), max_length=48, default="api", db_index=False)
    source_ref = models.CharField(_("来源编号"), max_length=128)
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="incidents")
    category_path = models.CharField(max_length=255, editable=False)
    # The row's category was the import mapping's fallback for a value its map lacked, not a
    # match: a person should set the real one (the quality queue lists these).
    category_defaulted = models.BooleanField(
        _("类别为默认归类"), default=False, db_default=False, editable=False
    )
    priority = models.PositiveSmallIntegerField(
        _("优先级"), choices=Priority.choices, default=Priority.NORMAL
    )
    status = models.CharField(
        _("状态"), max_length=16, choices=IncidentStatus.choices, default=IncidentStatus.REPORTED
    )
    reported_at = models.DateTimeField(_("接警时间"), db_index=True)
    occurred_at = models.DateTimeField(_("发生时间"), null=True, blank=True)
    dispatched_at = models.DateTimeField(_("派警时间"), null=True, blank=True)
    on_scene_at = models.DateTimeField(_("到场时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("处结时间"), null=True, blank=True)
    filed_at = models.DateTimeField(_("立案时间"), null=True, blank=True)
    solved_at = models.DateTimeField(_("破案时间"), null=True, blank=True)
    # Seconds from the call to arrival on scene; derived, kept for statistics buckets.
    response_seconds = models.PositiveIntegerField(null=True, blank=True, editable=False)

    lon = models.FloatField(_("经度"), null=True, blank=True)
    lat = models.FloatField(_("纬度"), null=True, blank=True)
    address = models.CharField(_("地址"), max_length=300, blank=True)
    # How the point was found: given with the incident, or from the standard address table
    # (geocoding), with the match's score and the address matched; an incident with no point
    # says why, for the quality queue.
    geocode_quality = models.CharField(
        _("定位方式"), max_length=16, choices=GeocodeQuality.choices, blank=True, editable=False
    )
    geocode_score = models.FloatField(_("地址匹配度"), null=True, blank=True, editable=False)
    geocoded_address = models.CharField(
        _("匹配的标准地址"), max_length=300, blank=True, editable=False
    )
    unlocated_reason = models.CharField(
        _("未定位原因"), max_length=24, choices=UnlocatedReason.choices, blank=True, editable=False
    )
    # The smallest containing area at each level, from the point → area service. Derived
    # columns, rewritten whenever areas change: no database constraint or index, because each
    # would cost every bulk insert a lookup per row (area deletion still nulls them, in the ORM).
    area = _derived_area()
    area_path = models.CharField(max_length=255, blank=True, editable=False)
    district = _derived_area()
    station = _derived_area()
    patrol_zone = _derived_area()
    beat = _derived_area()
    # Binning keys: aggregated over a filtered set, never looked up, so not indexed.
    h3_r7 = models.CharField(max_length=16, blank=True, editable=False)
    h3_r9 = models.CharField(max_length=16, blank=True, editable=False)
    # The jurisdiction the record was filed in: the filing user's own area, set when it is
    # created. It stays when the point (or the area tree) later puts the incident elsewhere,
    # which the quality queue lists as filed outside its jurisdiction.
    filed_area = _derived_area()
    # A record found to repeat another (merged in the quality queue): kept for the trail,
    # left out of the statistics so the event counts once.
    duplicate_of = models.ForeignKey(
        "self",
        verbose_name=_("重复于"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="duplicates",
        editable=False,
        # Indexed below only where set, and no database constraint (the ORM nulls it when
        # the other is deleted): bulk loads, all NULL here, pay nothing for it.
        db_index=False,
        db_constraint=False,
    )

    money_involved = models.DecimalField(_("涉案金额"), **MONEY, null=True, blank=True)
    loss = models.DecimalField(_("损失金额"), **MONEY, null=True, blank=True)
    recovered = models.DecimalField(_("挽回金额"), **MONEY, null=True, blank=True)
    arrested = models.PositiveIntegerField(_("抓获人数"), default=0)

    transfer_agency = models.CharField(_("移交单位"), max_length=100, blank=True)
    transferred_at = models.DateTimeField(_("移交时间"), null=True, blank=True)
    transfer_outcome = models.CharField(_("移交结果"), max_length=300, blank=True)

    summary = models.TextField(_("简要案情"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = IncidentQuerySet.as_manager()

    class Meta:
        verbose_name = _("警情")
        verbose_name_plural = _("警情")
        ordering = ["-reported_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["source_system", "source_ref"], name="incident_source_ref_unique"
            ),
            models.CheckConstraint(
                condition=Q(lon__isnull=True) | (Q(lon__gte=-180) & Q(lon__lte=180)),
                name="incident_lon_range",
            ),
            models.CheckConstraint(
                condition=Q(lat__isnull=True) | (Q(lat__gte=-90) & Q(lat__lte=90)),
                name="incident_lat_range",
            ),
        ]
        # Every write pays for every index, and bulk ingest is the hot path, so there are few:
        # subtree filters are prefix matches on the materialized paths (pattern ops, because
        # the database collation need not be C), which answer every "in this area" question.
        indexes = [
            models.Index(
                fields=["area_path", "reported_at"],
                opclasses=["varchar_pattern_ops", "timestamptz_ops"],
                name="incident_area_time",
            ),
            models.Index(
                fields=["category_path"],
                opclasses=["varchar_pattern_ops"],
                name="incident_category_path",
            ),
            # The open incidents, newest first: what a command centre's list polls. Partial,
            # so the closed history that bulk loads bring pays nothing for it.
            models.Index(
                fields=["-reported_at"],
                name="incident_open_time",
                condition=Q(status__in=OPEN_STATUSES),
            ),
            models.Index(
                fields=["duplicate_of"],
                name="incident_duplicate_of",
                condition=Q(duplicate_of__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.category_id} {self.reported_at:%Y-%m-%d %H:%M} {self.address}"

    @property
    def dispatch_seconds(self) -> int | None:
        return _seconds_between(self.reported_at, self.dispatched_at)

    @property
    def travel_seconds(self) -> int | None:
        return _seconds_between(self.dispatched_at, self.on_scene_at)

    @property
    def total_seconds(self) -> int | None:
        return _seconds_between(self.reported_at, self.closed_at)

    def timeline(self) -> list[dict]:
        """Every step the incident has a time for, in time order, with who recorded it and
        their note where a status change row says so (bulk-ingested records have times only)."""
        recorded = {change.to_status: change for change in self.status_changes.all()}
        steps = []
        for status, field in STATUS_TIMES:
            at = getattr(self, field)
            if at is None:
                continue
            change = recorded.get(status)
            steps.append(
                {
                    "status": status,
                    "label": IncidentStatus(status).label,
                    "at": at,
                    "by": change.by if change else None,
                    "note": change.note if change else "",
                }
            )
        return sorted(steps, key=lambda step: step["at"])


# The time each status was reached, by the field that holds it.
STATUS_TIMES = [
    (IncidentStatus.REPORTED, "reported_at"),
    (IncidentStatus.DISPATCHED, "dispatched_at"),
    (IncidentStatus.ON_SCENE, "on_scene_at"),
    (IncidentStatus.CLOSED, "closed_at"),
    (IncidentStatus.FILED, "filed_at"),
    (IncidentStatus.SOLVED, "solved_at"),
]


def _seconds_between(start, end) -> int | None:
    if start is None or end is None:
        return None
    return int((end - start).total_seconds())


class IncidentStatusChange(models.Model):
    """One step of an incident's lifecycle: from which status to which, when and by whom."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=16, choices=IncidentStatus.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=IncidentStatus.choices)
    at = models.DateTimeField()
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        verbose_name = _("警情状态变更")
        verbose_name_plural = _("警情状态变更")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.from_status or '-'} → {self.to_status} @ {self.at:%Y-%m-%d %H:%M}"


class DeviceEventType(models.Model):
    """What a kind of device event means, and whether (and as what) it opens an incident."""

    code = models.SlugField(_("事件类型"), max_length=48, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    name_en = models.CharField(_("英文名称"), max_length=100, blank=True)
    creates_incident = models.BooleanField(_("自动生成警情"), default=False)
    category = models.ForeignKey(Category, null=True, blank=True, on_delete=models.PROTECT)
    priority = models.PositiveSmallIntegerField(choices=Priority.choices, default=Priority.HIGH)
    min_confidence = models.FloatField(_("最低置信度"), default=0.0)

    class Meta:
        verbose_name = _("设备事件类型")
        verbose_name_plural = _("设备事件类型")

    def __str__(self) -> str:
        return self.code


class DeviceEvent(models.Model):
    """An event from a camera or IoT sensor, stored whether or not it opened an incident."""

    device_id = models.CharField(_("设备编号"), max_length=64, db_index=True)
    event_id = models.CharField(_("事件编号"), max_length=128)
    event_type = models.ForeignKey(DeviceEventType, on_delete=models.PROTECT)
    occurred_at = models.DateTimeField(_("发生时间"), db_index=True)
    lon = models.FloatField(null=True, blank=True)
    lat = models.FloatField(null=True, blank=True)
    confidence = models.FloatField(null=True, blank=True)
    media_url = models.URLField(max_length=500, blank=True)
    payload = models.JSONField(default=dict, blank=True)
    area_path = models.CharField(max_length=255, blank=True, db_index=True, editable=False)
    incident = models.ForeignKey(
        Incident, null=True, blank=True, on_delete=models.SET_NULL, related_name="device_events"
    )
    received_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("设备事件")
        verbose_name_plural = _("设备事件")
        constraints = [
            models.UniqueConstraint(fields=["device_id", "event_id"], name="device_event_unique")
        ]

    def __str__(self) -> str:
        return f"{self.device_id}/{self.event_id}"


class IncidentDaily(Rollup):
    """One day's incident measures for an area (subtree) and a category (subtree)."""

    count = models.IntegerField(default=0)
    money_involved = models.DecimalField(max_digits=16, decimal_places=2, default=0)
    loss = models.DecimalField(max_digits=16, decimal_places=2, default=0)
    recovered = models.DecimalField(max_digits=16, decimal_places=2, default=0)
    solved = models.IntegerField(default=0)
    arrested = models.IntegerField(default=0)
    # Response time = call to arrival on scene; "within N" counts are cumulative.
    responded = models.IntegerField(default=0)
    within_1min = models.IntegerField(default=0)
    within_3min = models.IntegerField(default=0)
    within_5min = models.IntegerField(default=0)
    within_10min = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("警情日汇总")
        verbose_name_plural = _("警情日汇总")
        # Its table from the days the statistics engine held it.
        db_table = "stats_incidentdaily"
        constraints, indexes = rollup_keys("incident_daily")
