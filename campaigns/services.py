"""Campaign writes: progress reports, KPI evaluation, remediation status, results summary."""

from collections import Counter, defaultdict
from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from accounts.policy import require
from alerts.choices import RuleKind
from alerts.services import alert_raise
from areas.models import Area
from areas.scoping import Scope, scope_for
from stats.compare import compare, number
from stats.models import ALL_CATEGORIES
from stats.registry import get_source
from stats.selectors import Subject, stats_summary
from stats.windows import Period, Window, last_complete_day, same_period_last_year

from . import selectors
from .choices import CampaignStatus, Direction, KpiStatus, Metric, RemediationStatus
from .models import (
    SWEEP_TALLIES,
    Campaign,
    CampaignPart,
    ClusterBattle,
    KpiItem,
    KpiReport,
    RemediationArea,
    RemediationInspection,
)


class CampaignClosed(Exception):
    """A write to a campaign that has ended; the message is lazily translated (the pages show
    it in their language, the API in English)."""


def _ensure_open(campaign: Campaign) -> None:
    if campaign.status == CampaignStatus.CLOSED:
        raise CampaignClosed(
            format_lazy(_lazy("行动“{name}”已结束，不再接受上报"), name=campaign.name)
        )


def _require_part_change(user, action: str, model: type[models.Model], paths: list[str]) -> None:
    """The role's permission to ``action`` (add, change, delete) the part, and every area the
    part lies in, before and after, inside the user's jurisdiction. A part that also lies
    outside it — a sweep held with another district, an operation the city leads — is shared:
    only city roles change it."""
    meta = model._meta
    require(user, f"{meta.app_label}.{action}_{meta.model_name}")
    if user is None:
        return
    scope = scope_for(user)
    if scope.everything or (paths and all(scope.covers(path) for path in paths)):
        return
    above = scope.path and any(scope.path.startswith(path) for path in paths)
    if above or any(scope.covers(path) for path in paths):
        raise PermissionDenied(_("该对象也属于你辖区以外的单位，只有市级角色可以修改。"))
    raise PermissionDenied(_("该对象不在你的辖区内。"))


def _paths_of(value) -> list[str]:
    """The area paths of a field's value: one area, or several."""
    if value is None:
        return []
    if isinstance(value, Area):
        return [value.path]
    return [area.path for area in value]


@transaction.atomic
def campaign_part_save(
    *,
    user,
    model: type[models.Model],
    fields: dict,
    part: CampaignPart | None = None,
) -> CampaignPart:
    """Create a part of a campaign (operation, battle, KPI item, sweep, remediation area) from
    validated fields, or change ``part`` with them; the user must hold the part's areas as they
    were and as they will be. CampaignClosed when the campaign has ended."""
    fields = dict(fields)
    # A closed campaign takes no changes, whichever part and whoever asks (a PATCH that names
    # no campaign included).
    _ensure_open(fields.get("campaign") or part.campaign)
    area_field = model.area_field
    if part is None and model is ClusterBattle and fields.get(area_field) is None:
        fields[area_field] = fields["campaign"].organizer
    paths = part.area_paths() if part is not None else []
    if area_field in fields:
        paths += _paths_of(fields[area_field])
    _require_part_change(user, "add" if part is None else "change", model, paths)
    many = {
        name: fields.pop(name) for name in list(fields) if model._meta.get_field(name).many_to_many
    }
    created = part is None
    if part is None:
        part = model()
    else:
        # The change is judged (clean()) against the stored values, typed as the model's
        # fields are, not against whatever the caller's copy holds.
        part.refresh_from_db()
    for name, value in fields.items():
        setattr(part, name, value)
    part.clean()
    part.save()
    for name, values in many.items():
        getattr(part, name).set(values)
    if created and isinstance(part, KpiItem):
        kpi_evaluate(item=part)
    return part


@transaction.atomic
def campaign_part_delete(*, user, part: CampaignPart) -> None:
    _require_part_change(user, "delete", type(part), part.area_paths())
    part.delete()


@transaction.atomic
def kpi_report_create(
    *, item: KpiItem, value: Decimal, reported_on: date, reporter, note: str = ""
):
    """Record a unit's progress on a counter item, then re-evaluate the item."""
    require(reporter, "campaigns.add_kpireport", area_path=item.unit_path)
    _ensure_open(item.campaign)
    if item.metric != Metric.COUNTER:
        raise ValidationError({"item": _lazy("只有上报计数类指标可以上报，其他指标由数据计算")})
    if not item.campaign.holds(reported_on):
        raise ValidationError({"reported_on": _lazy("上报日期不在行动期间内")})
    report = KpiReport(
        item=item, value=value, reported_on=reported_on, note=note, reporter=reporter
    )
    report.clean()
    report.save()
    kpi_evaluate(item=item)
    return report


@transaction.atomic
def inspection_create(*, area: RemediationArea, inspector, **fields) -> RemediationInspection:
    """Record an inspection of a listed remediation area by a unit in its jurisdiction."""
    require(inspector, "campaigns.add_remediationinspection", area_path=area.unit_path)
    _ensure_open(area.campaign)
    inspection = RemediationInspection(area=area, inspector=inspector, **fields)
    inspection.clean()
    inspection.save()
    return inspection


def _subject(item: KpiItem) -> Subject:
    category_key, category_path = ALL_CATEGORIES, ""
    if item.category_id:
        category_key, category_path = item.category_id, item.category.path
    return Subject(
        get_source("incidents"), item.unit_id, item.unit.path, category_key, category_path
    )


def kpi_current_value(item: KpiItem, today: date) -> Decimal | None:
    """The item's value so far: from the statistics engine, or the sum of the reports."""
    start = item.campaign.starts_on
    # Statistics stand on complete days: today's incidents are not all in yet.
    end = min(today if item.metric == Metric.COUNTER else last_complete_day(today), item.deadline)
    if end < start:
        return None
    if item.metric == Metric.COUNTER:
        total = item.reports.filter(reported_on__lte=end).aggregate(total=Sum("value"))["total"]
        return Decimal(total or 0)
    summary = stats_summary(
        subject=_subject(item),
        window=Window.CUSTOM,
        period=Period(start, end),
        measures=["count", "solved", "responded", "within_3min"],
    )["measures"]
    if item.metric == Metric.INCIDENT_COUNT:
        return Decimal(summary["count"]["current"])
    if item.metric == Metric.INCIDENT_YOY_PCT:
        pct = summary["count"]["yoy"]["pct_change"]
        return None if pct is None else Decimal(str(pct))
    if item.metric == Metric.CLEARANCE_RATE:
        count = summary["count"]["current"]
        return None if not count else _pct(summary["solved"]["current"], count)
    responded = summary["responded"]["current"]
    return None if not responded else _pct(summary["within_3min"]["current"], responded)


def _pct(part, whole) -> Decimal:
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"))


def kpi_status(item: KpiItem, current: Decimal | None, today: date) -> str:
    """On track, at risk (the linear pace misses the target), achieved or missed."""
    start, deadline = item.campaign.starts_on, item.deadline
    if current is None or today < start:
        return KpiStatus.PENDING
    meets = (
        current >= item.target if item.direction == Direction.AT_LEAST else current <= item.target
    )
    if today >= deadline:
        return KpiStatus.ACHIEVED if meets else KpiStatus.MISSED
    if item.direction == Direction.AT_LEAST and meets:
        return KpiStatus.ACHIEVED
    if item.metric in (Metric.COUNTER, Metric.INCIDENT_COUNT):
        # Totals grow with time: project the pace so far to the deadline.
        elapsed = (today - start).days + 1
        projected = current * Decimal((deadline - start).days + 1) / Decimal(elapsed)
        on_pace = (
            projected >= item.target
            if item.direction == Direction.AT_LEAST
            else projected <= item.target
        )
        return KpiStatus.ON_TRACK if on_pace else KpiStatus.AT_RISK
    # Rates and changes are already "per time": judge the value as it stands.
    return KpiStatus.ON_TRACK if meets else KpiStatus.AT_RISK


@transaction.atomic
def kpi_evaluate(*, item: KpiItem, today: date | None = None) -> str:
    """Recompute an item's progress; an item going at risk raises an alert."""
    today = today or timezone.localdate()
    item = (
        KpiItem.objects.select_for_update(of=("self",))
        .select_related("campaign", "unit", "category")
        .get(pk=item.pk)
    )
    current = kpi_current_value(item, today)
    status = kpi_status(item, current, today)
    previous = item.status
    item.current = current
    item.percent_of_target = (
        None if current is None or not item.target else _pct(current, item.target)
    )
    item.status = status
    item.evaluated_at = timezone.now()
    item.save(update_fields=["current", "percent_of_target", "status", "evaluated_at"])
    if status == KpiStatus.AT_RISK and previous != KpiStatus.AT_RISK:
        alert_raise(kind=RuleKind.CAMPAIGN_KPI, subject=item)
    return status


def kpis_evaluate(*, today: date | None = None) -> int:
    """Re-evaluate the items of every campaign not closed; returns how many."""
    items = KpiItem.objects.exclude(campaign__status=CampaignStatus.CLOSED)
    count = 0
    for item in items.only("id"):
        kpi_evaluate(item=item, today=today)
        count += 1
    return count


def remediations_check_overdue(*, today: date | None = None) -> int:
    """Remediation areas past their due date and not yet accepted raise an alert."""
    today = today or timezone.localdate()
    overdue = RemediationArea.objects.filter(
        due_on__lt=today, status__in=[RemediationStatus.LISTED, RemediationStatus.RECTIFYING]
    ).select_related("unit", "campaign")
    return sum(alert_raise(kind=RuleKind.REMEDIATION_OVERDUE, subject=area) for area in overdue)


def remediation_incident_stats(*, area: RemediationArea, user, today: date | None = None) -> dict:
    """Incidents in the user's jurisdiction inside the polygon since listing, against the same
    dates last year (a polygon drawn across a boundary counts no other district's)."""
    from shapely import contains_xy, prepare
    from shapely.geometry import shape

    from incidents.models import Incident
    from stats.days import day_bounds

    today = today or timezone.localdate()
    period = Period(area.listed_on, max(area.listed_on, today))
    polygon = shape(area.geometry)
    prepare(polygon)
    west, south, east, north = polygon.bounds

    def count(p: Period) -> int:
        start, _ = day_bounds(p.start)
        _, end = day_bounds(p.end)
        points = list(
            Incident.objects.for_user(user)
            .filter(
                reported_at__gte=start,
                reported_at__lt=end,
                lon__gte=west,
                lon__lte=east,
                lat__gte=south,
                lat__lte=north,
            )
            .values_list("lon", "lat")
        )
        if not points:
            return 0
        xs, ys = zip(*points, strict=True)
        return int(contains_xy(polygon, list(xs), list(ys)).sum())

    current, base = count(period), count(same_period_last_year(period))
    return {"period": period.as_dict(), "current": current, "yoy": compare(current, base)}


def campaign_summary(*, campaign: Campaign, user, today: date | None = None) -> dict:
    """Totals across battles, sweeps, reports and remediation, and incident statistics for the
    campaign's scope and period against the same period last year — each part only as far as
    it lies in the user's jurisdiction (a district sees its own share of a city-wide campaign,
    read through the same selectors as the campaign's lists)."""
    today = today or timezone.localdate()
    battles = selectors.battles_for_user(user).filter(campaign=campaign)
    sweeps = selectors.sweeps_for_user(user).filter(campaign=campaign)
    kpis = selectors.kpis_for_user(user).filter(campaign=campaign)
    battle_totals = battles.aggregate(
        cases_solved=Sum("cases_solved"),
        suspects=Sum("suspects"),
        gangs_broken=Sum("gangs_broken"),
        money_involved=Sum("money_involved"),
    )
    sweep_totals = sweeps.aggregate(**{name: Sum(name) for name in SWEEP_TALLIES})
    counters: dict[str, Decimal] = defaultdict(Decimal)
    for label, value in KpiReport.objects.filter(item__in=kpis).values_list("item__label", "value"):
        counters[label] += value
    remediation = defaultdict(int)
    remediations = selectors.remediations_for_user(user).filter(campaign=campaign)
    for status in remediations.values_list("status", flat=True):
        remediation[status] += 1
    kpi_counts = Counter(kpis.values_list("status", flat=True))
    last_day = min(last_complete_day(today), campaign.ends_on)  # complete days only
    period = Period(campaign.starts_on, max(campaign.starts_on, last_day))
    return {
        "campaign": campaign.code,
        "period": period.as_dict(),
        "battles": {name: number(value) for name, value in battle_totals.items()}
        | {"count": battles.count()},
        "sweeps": {name: value or 0 for name, value in sweep_totals.items()}
        | {"count": sweeps.count()},
        "reported": {label: number(total) for label, total in counters.items()},
        # Every area ever listed, then how many are in each status now.
        "remediation_areas": {**remediation, "total": sum(remediation.values())},
        "kpis": {status: kpi_counts[status] for status in KpiStatus.values},
        "incidents": _scope_incidents(campaign, period, scope_for(user)),
    }


def _areas_in_scope(campaign: Campaign, scope: Scope) -> list[Area]:
    """The campaign's scope areas as far as the user sees them, outermost only (an area inside
    another would count twice): a scope area above the jurisdiction becomes the jurisdiction's
    root, one of another district drops out."""
    root = None
    if not scope.everything and scope.path:
        root = Area.objects.filter(path=scope.path).first()
    areas = {}
    for area in campaign.scope_areas.all():
        if scope.covers(area.path):
            areas[area.path] = area
        elif root is not None and root.path.startswith(area.path):
            areas[root.path] = root
    outermost: list[Area] = []
    for path in sorted(areas):
        if not any(path.startswith(kept.path) for kept in outermost):
            outermost.append(areas[path])
    return outermost


def _scope_incidents(campaign: Campaign, period: Period, scope: Scope) -> dict:
    """Per scope area and focus category (or all), current vs the same period last year."""
    from incidents.models import Category

    source = get_source("incidents")
    categories = [(ALL_CATEGORIES, "", None)]
    if campaign.focus_categories:
        categories = [
            (c.id, c.path, c.code)
            for c in Category.objects.filter(code__in=campaign.focus_categories)
        ]
    rows = []
    total_current = total_base = 0
    gap = None
    for area in _areas_in_scope(campaign, scope):
        for key, path, code in categories:
            result = stats_summary(
                subject=Subject(source, area.id, area.path, key, path),
                window=Window.CUSTOM,
                period=period,
                measures=["count"],
            )["measures"]["count"]
            rows.append({"area": area.name, "category": code, **result})
            total_current += result["current"]
            total_base += result["yoy"]["base"]
            if "reason" in result["yoy"]:
                gap = result["yoy"]["flag"], result["yoy"]["reason"]
    return {
        "rows": rows,
        "total": {"current": total_current, "yoy": compare(total_current, total_base, gap=gap)},
    }
