"""Raising alerts (in the cause's transaction), delivering them after commit, handling them."""

from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from accounts.policy import require
from areas.models import Area
from safecity.core import live

from .choices import AlertState, RuleKind
from .models import Alert, AlertRule

FEED = "alerts"


def alert_raise(
    *,
    rule: AlertRule,
    area: Area | None,
    dedup_key: str,
    title: str,
    title_en: str = "",
    body: str = "",
    body_en: str = "",
    incident=None,
    device_event=None,
) -> Alert | None:
    """Write an alert unless the rule raised one with this key within its cooldown.

    Runs in the caller's transaction, so the alert exists exactly when its cause does; the push
    to dashboards is queued for after the commit.
    """
    since = timezone.now() - timedelta(minutes=rule.cooldown_minutes)
    if Alert.objects.filter(rule=rule, dedup_key=dedup_key, created_at__gte=since).exists():
        return None
    alert = Alert.objects.create(
        rule=rule,
        kind=rule.kind,
        severity=rule.severity,
        area=area,
        area_path=area.path if area else "",
        incident=incident,
        device_event=device_event,
        dedup_key=dedup_key,
        title=title[:200],
        title_en=title_en[:200],
        body=body,
        body_en=body_en,
    )
    transaction.on_commit(lambda: alert_deliver(alert_id=alert.id, event="created"))
    return alert


def alert_deliver(*, alert_id: int, event: str) -> bool:
    """Push an alert (created or changed) to the sockets of its area and ancestors.

    A failure is logged, not raised: the alert is saved, and clients catch up on reconnect.
    """
    from .api.serializers import AlertSerializer

    alert = Alert.objects.select_related("area").filter(pk=alert_id).first()
    if alert is None:
        return False
    message = {"type": "alert.message", "event": event, "alert": AlertSerializer(alert).data}
    return live.publish(FEED, {alert.area_path: [alert.id]}, lambda _ids: message)


def alert_acknowledge(*, alert: Alert, user) -> Alert:
    return _alert_move(alert=alert, user=user, to=AlertState.ACKNOWLEDGED)


def alert_resolve(*, alert: Alert, user) -> Alert:
    return _alert_move(alert=alert, user=user, to=AlertState.RESOLVED)


class AlertStateError(Exception):
    pass


@transaction.atomic
def _alert_move(*, alert: Alert, user, to: str) -> Alert:
    require(user, "alerts.change_alert", area_path=alert.area_path or None)
    alert = Alert.objects.select_for_update().get(pk=alert.pk)
    if alert.state == AlertState.RESOLVED:
        raise AlertStateError("the alert is already resolved")
    if to == AlertState.ACKNOWLEDGED and alert.state == AlertState.ACKNOWLEDGED:
        raise AlertStateError("the alert is already acknowledged")
    now = timezone.now()
    if to == AlertState.ACKNOWLEDGED or alert.acknowledged_at is None:
        alert.acknowledged_at, alert.acknowledged_by = now, user
    if to == AlertState.RESOLVED:
        alert.resolved_at, alert.resolved_by = now, user
    alert.state = to
    alert.save()
    transaction.on_commit(lambda: alert_deliver(alert_id=alert.id, event=to))
    return alert


# --- rule evaluation ------------------------------------------------------------------------


def _in_categories(rule: AlertRule, category_path: str) -> bool:
    if not rule.categories:
        return True
    codes = set(category_path.strip("/").split("/"))
    return bool(codes.intersection(rule.categories))


def _covers(rule: AlertRule, area_path: str) -> bool:
    return not rule.area_id or area_path.startswith(rule.area.path)


def alerts_for_new_incidents(*, rows: Iterable[dict]) -> int:
    """Instant rules against newly created incidents (ingest values); returns alerts raised."""
    from incidents.models import Category, Incident

    rules = list(
        AlertRule.objects.filter(kind=RuleKind.INSTANT, enabled=True).select_related("area")
    )
    rules = [rule for rule in rules if rule.categories or rule.max_priority]
    if not rules:
        return 0
    # An alert is news: a back-filled record (a file of last year's calls) raises none.
    recent_since = timezone.now() - timedelta(hours=settings.ALERTS_INSTANT_MAX_AGE_HOURS)
    matches = []
    for values in rows:
        if values["reported_at"] < recent_since:
            continue
        for rule in rules:
            if not _covers(rule, values["area_path"]):
                continue
            if not _in_categories(rule, values["category_path"]):
                continue
            if rule.max_priority and values["priority"] > rule.max_priority:
                continue
            matches.append((rule, values))
    if not matches:
        return 0
    # One query for the matched incidents and one for the category names, not one per match.
    keys = {(values["source_system"], values["source_ref"]) for _, values in matches}
    found = {}
    for system in {system for system, _ in keys}:
        refs = [ref for sys_, ref in keys if sys_ == system]
        for incident in Incident.objects.filter(
            source_system=system, source_ref__in=refs
        ).select_related("area"):
            found[(system, incident.source_ref)] = incident
    names = {
        pk: (name, name_en)
        for pk, name, name_en in Category.objects.filter(
            pk__in={incident.category_id for incident in found.values()}
        ).values_list("id", "name", "name_en")
    }
    raised = 0
    for rule, values in matches:
        incident = found[(values["source_system"], values["source_ref"])]
        name, name_en = names[incident.category_id]
        where = incident.address or (incident.area.name if incident.area else "")
        alert = alert_raise(
            rule=rule,
            area=incident.area,
            dedup_key=f"incident:{incident.id}",
            incident=incident,
            title=f"{name}：{where}",
            title_en=f"{name_en}: {where}",
            body=incident.summary,
            body_en=incident.summary,
        )
        raised += alert is not None
    return raised


def alerts_for_device_event(*, event) -> int:
    rules = AlertRule.objects.filter(kind=RuleKind.INSTANT, enabled=True).select_related("area")
    area = event.incident.area if event.incident_id and event.incident.area_id else None
    if area is None and event.area_path:
        area = Area.objects.filter(path=event.area_path).first()
    raised = 0
    for rule in rules:
        if event.event_type.code not in rule.event_types:
            continue
        if not _covers(rule, event.area_path):
            continue
        alert = alert_raise(
            rule=rule,
            area=area,
            dedup_key=f"device:{event.device_id}:{event.event_type.code}",
            device_event=event,
            incident=event.incident,
            title=f"{event.event_type.name}：{event.device_id}",
            title_en=f"{event.event_type.name_en or event.event_type.code}: {event.device_id}",
        )
        raised += alert is not None
    return raised


def alerts_check_spikes(*, now=None) -> int:
    """Spike rules: the last hours against the same hours of previous weeks (Poisson z)."""
    from incidents.models import Incident
    from stats.compare import compare

    now = now or timezone.now()
    raised = 0
    for rule in AlertRule.objects.filter(kind=RuleKind.SPIKE, enabled=True).select_related("area"):
        field = f"{rule.per_area_kind}_id" if rule.per_area_kind else None
        window = timedelta(hours=rule.window_hours)

        def counts(end, rule=rule, field=field, window=window):
            records = Incident.objects.filter(reported_at__gte=end - window, reported_at__lt=end)
            if rule.area_id:
                records = records.filter(area_path__startswith=rule.area.path)
            if rule.categories:
                from django.db.models import Q

                match = Q()
                for code in rule.categories:
                    match |= Q(category_path__contains=f"/{code}/")
                records = records.filter(match)
            if field is None:
                return {rule.area_id: records.count()}
            rows = records.exclude(**{field: None}).values(field).annotate(n=Count("id"))
            return {row[field]: row["n"] for row in rows}

        current = counts(now)
        baselines = [counts(now - timedelta(weeks=w)) for w in range(1, rule.baseline_weeks + 1)]
        for area_id, count in current.items():
            base = sum(b.get(area_id, 0) for b in baselines) / max(1, rule.baseline_weeks)
            block = compare(count, base)
            if count < rule.min_count or (block["z"] or 0) < rule.z_threshold:
                continue
            area = Area.objects.filter(pk=area_id).first() if area_id else None
            where = area.name if area else "全市"
            alert = alert_raise(
                rule=rule,
                area=area,
                dedup_key=f"spike:{area_id}",
                title=f"{rule.name}：{where} 近{rule.window_hours}小时{count}起（基线{base:.1f}）",
                title_en=(
                    f"{rule.name_en or rule.name}: {where}, {count} in {rule.window_hours} h "
                    f"(baseline {base:.1f})"
                ),
                body=f"z = {block['z']}",
                body_en=f"z = {block['z']}",
            )
            raised += alert is not None
    return raised


BREACH_LOOKBACK = timedelta(hours=6)


def alerts_check_response_breaches(*, now=None) -> int:
    """Incidents not dispatched, or not on scene, within their area's response standard (the
    patrols' standards, inherited down the tree; the rule's own seconds where none is set)."""
    from incidents.choices import IncidentStatus
    from incidents.models import Incident
    from patrols.services import standard_for, standards_by_area

    now = now or timezone.now()
    raised = 0
    table = standards_by_area()
    rules = AlertRule.objects.filter(kind=RuleKind.RESPONSE_BREACH, enabled=True)
    for rule in rules.select_related("area"):
        waiting = Incident.objects.filter(
            reported_at__gte=now - BREACH_LOOKBACK,
            status__in=[IncidentStatus.REPORTED, IncidentStatus.DISPATCHED],
        )
        if rule.area_id:
            waiting = waiting.filter(area_path__startswith=rule.area.path)
        default = (rule.dispatch_seconds, rule.on_scene_seconds)
        for incident in waiting.select_related("area").order_by("reported_at")[:500]:
            dispatch_s, arrive_s = standard_for(incident.area_path, default=default, table=table)
            waited = (now - incident.reported_at).total_seconds()
            if incident.status == IncidentStatus.REPORTED and waited > dispatch_s:
                step, label, label_en = "dispatch", "超时未派警", "not dispatched in time"
            elif incident.status == IncidentStatus.DISPATCHED and waited > arrive_s:
                step, label, label_en = "on_scene", "超时未到场", "not on scene in time"
            else:
                continue
            where = incident.address or (incident.area.name if incident.area else "")
            alert = alert_raise(
                rule=rule,
                area=incident.area,
                dedup_key=f"breach:{step}:{incident.id}",
                incident=incident,
                title=f"{label}：{where}",
                title_en=f"{label_en}: {where}",
                body=f"标准 {dispatch_s}/{arrive_s} 秒，已过 {int(waited)} 秒",
                body_en=f"standard {dispatch_s}/{arrive_s} s, {int(waited)} s elapsed",
            )
            raised += alert is not None
    return raised


def _raise_for_rules(kind: str, *, area: Area, **alert) -> int:
    """Raise an alert under every enabled rule of ``kind`` covering ``area``; how many."""
    rules = AlertRule.objects.filter(kind=kind, enabled=True).select_related("area")
    raised = 0
    for rule in rules:
        if _covers(rule, area.path):
            raised += alert_raise(rule=rule, area=area, **alert) is not None
    return raised


def alerts_for_kpi_at_risk(*, item) -> int:
    """A campaign KPI item whose pace misses its target (campaign_kpi rules)."""
    return _raise_for_rules(
        RuleKind.CAMPAIGN_KPI,
        area=item.unit,
        dedup_key=f"kpi:{item.id}",
        title=f"{item.campaign.name}：{item.unit.name}「{item.label}」进度滞后",
        title_en=f"{item.campaign.name}: {item.unit.name} '{item.label}' behind pace",
        body=f"当前 {item.current}，目标 {item.target}，期限 {item.deadline}",
        body_en=f"now {item.current}, target {item.target}, due {item.deadline}",
    )


def alerts_for_remediation_overdue(*, area, today) -> int:
    """A listed remediation area past its due date (remediation_overdue rules)."""
    return _raise_for_rules(
        RuleKind.REMEDIATION_OVERDUE,
        area=area.unit,
        dedup_key=f"remediation:{area.id}",
        title=f"挂牌整治逾期：{area.name}（{area.responsible_person}）",
        title_en=f"Remediation overdue: {area.name} ({area.responsible_person})",
        body=f"应于 {area.due_on} 前完成：{area.target}",
        body_en=f"due {area.due_on}: {area.target}",
    )


def alerts_for_followup_overdue(*, follow_up) -> int:
    """A dispute case's follow-up past due and not done (followup_overdue rules)."""
    case = follow_up.case
    due = timezone.localtime(follow_up.due_at)
    return _raise_for_rules(
        RuleKind.FOLLOWUP_OVERDUE,
        area=case.area,
        dedup_key=f"followup:{follow_up.id}",
        title=f"纠纷回访逾期：{case.type.name}（{case.area.name}）",
        title_en=f"Dispute follow-up overdue: {case.type.name_en} ({case.area.name})",
        body=f"应于 {due:%Y-%m-%d %H:%M} 回访：{follow_up.note}",
        body_en=f"due {due:%Y-%m-%d %H:%M}: {follow_up.note}",
    )
