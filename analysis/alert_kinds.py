"""The analysis engine's alert kind, registered with the alerts engine: ``near_repeat``. A new
incident of a near-repeat category (``ANALYSIS_NEAR_REPEAT_CATEGORIES``, narrowed by the
rule's own categories when it names any) raises an alert for its area when the category's
last city-wide Knox test found a near-repeat zone: the distance and days within which, in that
test, significantly more events than chance followed one another (``services``). Raised as
incidents are stored, through the incidents' signal, as instant alerts are."""

from collections.abc import Iterator
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.dispatch import receiver
from django.utils import timezone

from alerts.choices import RuleKind
from alerts.kinds import AlertDraft, AlertKind, Match, Trigger, register
from alerts.services import alert_raise
from incidents.signals import incidents_created
from stats.registry import get_source
from stats.subjects import DEFAULT_SOURCE

from .services import near_repeat_stored


def near_repeat_code(category_path: str) -> str:
    """The near-repeat category a record of ``category_path`` belongs to, or ''."""
    codes = category_path.strip("/").split("/")
    return next((code for code in settings.ANALYSIS_NEAR_REPEAT_CATEGORIES if code in codes), "")


def _queue_refresh(code: str) -> None:
    from .tasks import refresh_near_repeat

    transaction.on_commit(lambda: refresh_near_repeat.delay([code]))


@register
class NearRepeatKind(AlertKind):
    """An alert for the area around a new near-repeat-category incident, for the distance and
    days where the category's Knox ratio was significant."""

    code = RuleKind.NEAR_REPEAT
    trigger = Trigger.EVENT
    fields = ("categories",)

    def validate(self, rule) -> dict[str, str]:
        model = get_source(DEFAULT_SOURCE).category_model
        known = set(model.objects.filter(code__in=rule.categories).values_list("code", flat=True))
        unknown = sorted(set(rule.categories) - known)
        if unknown:
            return {"categories": f"unknown category code(s): {', '.join(unknown)}"}
        return {}

    def alerts(self, rules: list, *, rows=None, **event) -> Iterator[Match]:
        recent_since = timezone.now() - timedelta(hours=settings.ALERTS_INSTANT_MAX_AGE_HOURS)
        zones: dict[str, dict | None] = {}
        for values in rows or ():
            code = near_repeat_code(values["category_path"])
            if not code or values.get("lat") is None or values["reported_at"] < recent_since:
                continue
            if code not in zones:
                zones[code] = near_repeat_stored(code)
                if zones[code] is None:
                    _queue_refresh(code)
            stored = zones[code]
            if stored is None or stored["zone"] is None:
                continue
            firing = [
                rule
                for rule in rules
                if rule.covers(values["area_path"])
                and rule.matches_category(values["category_path"])
            ]
            if firing:
                draft = self._draft(values, stored)
                for rule in firing:
                    yield rule, draft

    def _draft(self, values: dict, stored: dict) -> AlertDraft:
        model = get_source(DEFAULT_SOURCE).model
        incident = (
            model.objects.select_related("area", "category")
            .filter(source_system=values["source_system"], source_ref=values["source_ref"])
            .first()
        )
        where = values.get("address") or (incident.area.name if incident and incident.area else "")
        where_en = values.get("address") or (
            (incident.area.name_en or incident.area.name) if incident and incident.area else ""
        )
        metres, days = stored["zone"]["metres"], stored["zone"]["days"]
        name = incident.category.name if incident else stored["category"]
        name_en = (incident.category.name_en or name) if incident else stored["category"]
        period = f"{stored['period']['from']}–{stored['period']['to']}"
        return AlertDraft(
            area=incident.area if incident else None,
            dedup_key=f"near-repeat:{values['source_system']}:{values['source_ref']}",
            incident=incident,
            title=f"近重复风险：{where} 周边{metres:g}米内、{days:g}天内（{name}）",
            title_en=(
                f"Near-repeat risk: within {metres:g} m of {where_en} for {days:g} days ({name_en})"
            ),
            body=f"{period} 全市{stored['events']}起{name}的 Knox 检验：此范围内近重复显著。",
            body_en=(
                f"Knox test of {stored['events']} {name_en} incidents city-wide, {period}: "
                "near repeats are significant within this distance and time."
            ),
        )


@receiver(incidents_created, dispatch_uid="analysis-near-repeat")
def _near_repeat_on_new_incidents(rows, **kwargs) -> None:
    alert_raise(kind=RuleKind.NEAR_REPEAT, rows=rows)
