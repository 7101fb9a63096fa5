"""The patrols' alert kind, registered with the alerts engine: ``response_breach``, checked
every minute — incidents not dispatched, or not on scene, within their area's response
standard (the patrols' standards, inherited down the tree; the rule's own seconds where none
is set)."""

from collections.abc import Iterator
from datetime import datetime, timedelta

from alerts.choices import RuleKind
from alerts.kinds import AlertDraft, AlertKind, Match, Trigger, register
from incidents.choices import IncidentStatus
from incidents.models import Incident
from safecity.core.formatting import duration_text

from .services import standard_for, standards_by_area

# Only incidents reported this recently are watched: an older one still waiting is a data
# problem, not news.
BREACH_LOOKBACK = timedelta(hours=6)
# At most this many waiting incidents per rule and check, the oldest first.
BREACH_BATCH = 500


@register
class ResponseBreachKind(AlertKind):
    """An incident still waiting for dispatch, or for arrival, past its standard."""

    code = RuleKind.RESPONSE_BREACH
    trigger = Trigger.PERIODIC
    required = ("dispatch_seconds", "on_scene_seconds")

    def validate(self, rule) -> dict[str, str]:
        if rule.dispatch_seconds > rule.on_scene_seconds:
            return {"on_scene_seconds": "arrival cannot be due before dispatch"}
        return {}

    def check(self, rules: list, *, now: datetime) -> Iterator[Match]:
        table = standards_by_area()
        for rule in rules:
            yield from self._check_rule(rule, now, table)

    def _check_rule(self, rule, now: datetime, table: dict) -> Iterator[Match]:
        waiting = Incident.objects.filter(
            reported_at__gte=now - BREACH_LOOKBACK,
            status__in=[IncidentStatus.REPORTED, IncidentStatus.DISPATCHED],
        )
        if rule.area_id:
            waiting = waiting.filter(area_path__startswith=rule.area.path)
        default = (rule.dispatch_seconds, rule.on_scene_seconds)
        for incident in waiting.select_related("area").order_by("reported_at")[:BREACH_BATCH]:
            dispatch_s, arrive_s = standard_for(incident.area_path, default=default, table=table)
            waited = (now - incident.reported_at).total_seconds()
            if incident.status == IncidentStatus.REPORTED and waited > dispatch_s:
                step, label, label_en = "dispatch", "超时未派警", "not dispatched in time"
            elif incident.status == IncidentStatus.DISPATCHED and waited > arrive_s:
                step, label, label_en = "on_scene", "超时未到场", "not on scene in time"
            else:
                continue
            where = incident.address or (incident.area.name if incident.area else "")
            area_en = (incident.area.name_en or incident.area.name) if incident.area else ""
            where_en = incident.address or area_en
            standard = (
                duration_text(dispatch_s, english=False),
                duration_text(arrive_s, english=False),
            )
            standard_en = (
                duration_text(dispatch_s, english=True),
                duration_text(arrive_s, english=True),
            )
            yield (
                rule,
                AlertDraft(
                    area=incident.area,
                    dedup_key=f"breach:{step}:{incident.id}",
                    incident=incident,
                    title=f"{label}：{where}",
                    title_en=f"{label_en}: {where_en}",
                    body=(
                        f"标准：{standard[0]}内派警，{standard[1]}内到场；"
                        f"已过 {duration_text(waited, english=False)}"
                    ),
                    body_en=(
                        f"standard: dispatched within {standard_en[0]}, on scene within "
                        f"{standard_en[1]}; {duration_text(waited, english=True)} elapsed"
                    ),
                ),
            )
