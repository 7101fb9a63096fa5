"""The demo city's default alert rules (idempotent, by name)."""

from alerts.choices import RuleKind, Severity
from alerts.models import AlertRule

DEFAULT_RULES = [
    {
        "name": "致死交通事故",
        "name_en": "Fatal traffic accident",
        "kind": RuleKind.INSTANT,
        "severity": Severity.CRITICAL,
        "categories": ["traffic_accident_fatal"],
    },
    {
        "name": "防溺水摄像头告警",
        "name_en": "Drowning-prevention camera",
        "kind": RuleKind.INSTANT,
        "severity": Severity.CRITICAL,
        "event_types": ["drowning_person_at_water"],
        "cooldown_minutes": 10,
    },
    {
        "name": "一级警情",
        "name_en": "Priority-1 incident",
        "kind": RuleKind.INSTANT,
        "severity": Severity.WARNING,
        "max_priority": 1,
    },
    {
        "name": "巡区盗窃警情突增",
        "name_en": "Theft spike in a patrol zone",
        "kind": RuleKind.SPIKE,
        "severity": Severity.WARNING,
        "categories": ["theft"],
        "per_area_kind": "patrol_zone",
        "window_hours": 6,
        "baseline_weeks": 4,
        "z_threshold": 3.0,
        "min_count": 3,
        "cooldown_minutes": 360,
    },
    {
        "name": "专项行动指标滞后",
        "name_en": "Campaign KPI at risk",
        "kind": RuleKind.CAMPAIGN_KPI,
        "severity": Severity.WARNING,
        "cooldown_minutes": 24 * 60,
    },
    {
        "name": "挂牌整治逾期",
        "name_en": "Remediation area overdue",
        "kind": RuleKind.REMEDIATION_OVERDUE,
        "severity": Severity.WARNING,
        "cooldown_minutes": 24 * 60,
    },
    {
        "name": "快速响应超时（1/3分钟）",
        "name_en": "Rapid response breached (1/3 min)",
        "kind": RuleKind.RESPONSE_BREACH,
        "severity": Severity.WARNING,
        "dispatch_seconds": 60,
        "on_scene_seconds": 180,
        "cooldown_minutes": 24 * 60,
    },
]


def build_demo_rules() -> int:
    created = 0
    for values in DEFAULT_RULES:
        _, was_created = AlertRule.objects.get_or_create(name=values["name"], defaults=values)
        created += was_created
    return created
