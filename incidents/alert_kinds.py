"""The incidents' alert kinds, registered with the alerts engine: ``instant`` (a new incident
of a category or priority, a device event of a type: raised as they are stored, through the
incidents' signals) and ``spike`` (the last hours against the same hours of previous weeks,
checked every minute)."""

from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Count, Q
from django.dispatch import receiver
from django.utils import timezone

from alerts.choices import RuleKind
from alerts.kinds import AlertDraft, AlertKind, Match, Trigger, register
from alerts.services import alert_raise
from areas.models import Area
from stats.compare import compare

from .models import Category, Incident
from .selectors import unknown_category_codes
from .signals import device_event_received, incidents_created

# The area levels a spike rule may count by, each an area foreign key of Incident.
SPIKE_AREA_KINDS = ("district", "station", "patrol_zone", "beat")


def _english_name(area) -> str:
    """An area's name in an alert's English text: its English name when it has one."""
    return (area.name_en or area.name) if area is not None else ""


def _unknown_categories(rule) -> dict[str, str]:
    unknown = unknown_category_codes(rule.categories)
    if unknown:
        return {"categories": f"unknown category code(s): {', '.join(unknown)}"}
    return {}


@register
class InstantKind(AlertKind):
    """An alert as an incident of the rule's categories (or at or above its priority) is
    stored, or as a device event of one of its types arrives."""

    code = RuleKind.INSTANT
    trigger = Trigger.EVENT
    fields = ("categories", "event_types", "max_priority")

    def validate(self, rule) -> dict[str, str]:
        if rule.max_priority == 0:
            return {"max_priority": "1 is the most urgent priority; leave it empty for any"}
        return _unknown_categories(rule)

    def alerts(self, rules: list, *, rows=None, device_event=None) -> Iterable[Match]:
        if device_event is not None:
            return self._for_device_event(rules, device_event)
        return self._for_new_incidents(rules, rows)

    def _for_new_incidents(self, rules: list, rows: Iterable[dict]) -> list[Match]:
        rules = [rule for rule in rules if rule.categories or rule.max_priority]
        if not rules:
            return []
        # An alert is news: a back-filled record (a file of last year's calls) raises none.
        recent_since = timezone.now() - timedelta(hours=settings.ALERTS_INSTANT_MAX_AGE_HOURS)
        matches = []
        for values in rows:
            if values["reported_at"] < recent_since:
                continue
            for rule in rules:
                if not rule.covers(values["area_path"]):
                    continue
                if not rule.matches_category(values["category_path"]):
                    continue
                if rule.max_priority and values["priority"] > rule.max_priority:
                    continue
                matches.append((rule, values))
        if not matches:
            return []
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
        drafts = []
        for rule, values in matches:
            incident = found[(values["source_system"], values["source_ref"])]
            name, name_en = names[incident.category_id]
            where = incident.address or (incident.area.name if incident.area else "")
            where_en = incident.address or _english_name(incident.area)
            draft = AlertDraft(
                area=incident.area,
                dedup_key=f"incident:{incident.id}",
                incident=incident,
                title=f"{name}：{where}",
                title_en=f"{name_en or name}: {where_en}",
                body=incident.summary,
                body_en=incident.summary,
            )
            drafts.append((rule, draft))
        return drafts

    def _for_device_event(self, rules: list, event) -> Iterator[Match]:
        area = event.incident.area if event.incident_id and event.incident.area_id else None
        if area is None and event.area_path:
            area = Area.objects.filter(path=event.area_path).first()
        event_type = event.event_type
        for rule in rules:
            if event_type.code not in rule.event_types or not rule.covers(event.area_path):
                continue
            yield (
                rule,
                AlertDraft(
                    area=area,
                    dedup_key=f"device:{event.device_id}:{event_type.code}",
                    device_event=event,
                    incident=event.incident,
                    title=f"{event_type.name}：{event.device_id}",
                    title_en=f"{event_type.name_en or event_type.code}: {event.device_id}",
                ),
            )


@receiver(incidents_created, dispatch_uid="alerts-incidents-created")
def _alert_on_new_incidents(rows, **kwargs) -> None:
    alert_raise(kind=RuleKind.INSTANT, rows=rows)


@receiver(device_event_received, dispatch_uid="alerts-device-event")
def _alert_on_device_event(event, **kwargs) -> None:
    alert_raise(kind=RuleKind.INSTANT, device_event=event)


@register
class SpikeKind(AlertKind):
    """The last ``window_hours`` against the same hours of ``baseline_weeks`` weeks before
    (Poisson z), for each area of ``per_area_kind`` inside the rule's area, or the rule's area
    itself."""

    code = RuleKind.SPIKE
    trigger = Trigger.PERIODIC
    fields = ("categories", "per_area_kind")
    required = ("window_hours", "baseline_weeks")

    def validate(self, rule) -> dict[str, str]:
        if rule.per_area_kind and rule.per_area_kind not in SPIKE_AREA_KINDS:
            return {"per_area_kind": f"one of {', '.join(SPIKE_AREA_KINDS)}"}
        return _unknown_categories(rule)

    def check(self, rules: list, *, now: datetime) -> Iterator[Match]:
        for rule in rules:
            yield from self._check_rule(rule, now)

    def _counts(self, rule, end: datetime) -> dict:
        """Incidents of the rule in the window ending at ``end``, by area (the rule's own, or
        each of its ``per_area_kind``)."""
        window = timedelta(hours=rule.window_hours)
        # A merged duplicate is the same event: counted once, as the statistics do.
        records = Incident.objects.filter(
            reported_at__gte=end - window, reported_at__lt=end, duplicate_of__isnull=True
        )
        if rule.area_id:
            records = records.filter(area_path__startswith=rule.area.path)
        if rule.categories:
            match = Q()
            for code in rule.categories:
                match |= Q(category_path__contains=f"/{code}/")
            records = records.filter(match)
        if not rule.per_area_kind:
            return {rule.area_id: records.count()}
        field = f"{rule.per_area_kind}_id"
        rows = records.exclude(**{field: None}).values(field).annotate(n=Count("id"))
        return {row[field]: row["n"] for row in rows}

    def _check_rule(self, rule, now: datetime) -> Iterator[Match]:
        current = self._counts(rule, now)
        baselines = [
            self._counts(rule, now - timedelta(weeks=w)) for w in range(1, rule.baseline_weeks + 1)
        ]
        for area_id, count in current.items():
            base = sum(b.get(area_id, 0) for b in baselines) / max(1, rule.baseline_weeks)
            block = compare(count, base)
            if count < rule.min_count or (block["z"] or 0) < rule.z_threshold:
                continue
            area = Area.objects.filter(pk=area_id).first() if area_id else None
            where = area.name if area else "全市"
            where_en = _english_name(area) if area else "the whole city"
            hours = rule.window_hours
            yield (
                rule,
                AlertDraft(
                    area=area,
                    dedup_key=f"spike:{area_id}",
                    title=f"{rule.name}：{where} 近{hours}小时{count}起（基线{base:.1f}）",
                    title_en=(
                        f"{rule.name_en or rule.name}: {where_en}, {count} in {hours} h "
                        f"(baseline {base:.1f})"
                    ),
                    body=f"z = {block['z']}",
                    body_en=f"z = {block['z']}",
                ),
            )
