"""Notable alerts: how many the period raised in the area, by severity, and the most severe."""

from collections import Counter

from django.utils import timezone, translation

from alerts.choices import Severity
from alerts.models import Alert
from stats.days import day_bounds

from .base import BriefingContext, section, table

SHOWN = 10
# Most severe first.
SEVERITY_ORDER = [Severity.CRITICAL, Severity.WARNING, Severity.INFO]


def _labels(severity: str) -> tuple[str, str]:
    with translation.override("zh-hans"):
        zh = str(Severity(severity).label)
    with translation.override("en"):
        return zh, str(Severity(severity).label)


def build(ctx: BriefingContext) -> dict:
    start, _ = day_bounds(ctx.when.period.start)
    _, end = day_bounds(ctx.when.period.end)
    alerts = ctx.scope.filter(
        Alert.objects.filter(created_at__gte=start, created_at__lt=end), "area_path"
    )
    counts = Counter(alerts.values_list("severity", flat=True))
    total = sum(counts.values())
    if not total:
        sentence = ("本期没有告警。", "No alerts were raised in the period.")
    else:
        parts = [(s, counts[s]) for s in SEVERITY_ORDER if counts[s]]
        sentence = (
            f"本期告警 {total} 条，其中"
            + "、".join(f"{_labels(s)[0]} {n} 条" for s, n in parts)
            + "。",
            f"{total} alerts were raised: "
            + ", ".join(f"{n} {_labels(s)[1].lower()}" for s, n in parts)
            + ".",
        )
    notable = sorted(
        alerts.filter(severity__in=[Severity.CRITICAL, Severity.WARNING]).order_by("-created_at")[
            : SHOWN * 3
        ],
        key=lambda alert: SEVERITY_ORDER.index(alert.severity),
    )[:SHOWN]
    rows = [
        [
            timezone.localtime(alert.created_at).strftime("%m-%d %H:%M"),
            _labels(alert.severity)[0],
            alert.title,
        ]
        for alert in notable
    ]
    return section(
        "alerts",
        ("重要告警", "Notable alerts"),
        sentence,
        table=table([("时间", "Time"), ("级别", "Severity"), ("告警", "Alert")], rows),
        figures={"by_severity": dict(counts), "total": total},
    )
